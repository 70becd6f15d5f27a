package io.groupsnap.common.zkauth;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACLs of the nodes coordinators create, as Curator's {@link ACLProvider} of a coordinator's client, so that
 * every node it makes — records, the epoch, directories, parents made on demand, the LeaderLatch's nodes — is
 * protected from its first moment: coordinators may do anything, agents may read, and in {@code agents/} agents may
 * also create (their registrations). Nobody else may read or change anything. Immutable.
 */
public final class ClusterAcls implements ACLProvider {
  private final String agentsDir;
  private final List<ACL> node;
  private final List<ACL> agents;

  /**
   * For a coordinator holding both {@link ZkCredentials#COORDINATOR} and {@link ZkCredentials#AGENTS}.
   *
   * @param agentsDirectory the cluster's {@code agents/} node ({@code ZkLayout.agents()})
   */
  public ClusterAcls(String agentsDirectory, ZkCredentials coordinator) {
    this(agentsDirectory, coordinator.id(ZkCredentials.COORDINATOR), coordinator.id(ZkCredentials.AGENTS));
  }

  public ClusterAcls(String agentsDirectory, Id coordinator, Id agentsId) {
    this.agentsDir = agentsDirectory;
    this.node = List.of(new ACL(Perms.ALL, coordinator), new ACL(Perms.READ, agentsId));
    this.agents = List.of(new ACL(Perms.ALL, coordinator), new ACL(Perms.READ | Perms.CREATE, agentsId));
  }

  /** The ACL of every node but {@code agents/}: coordinators ALL, agents READ. */
  public List<ACL> node() {
    return node;
  }

  /** The ACL of {@code agents/}: coordinators ALL, agents READ and CREATE. */
  public List<ACL> agentsDirectory() {
    return agents;
  }

  /** What {@code path} must have; the registrations under {@code agents/} are their agents' and not covered. */
  public List<ACL> expected(String path) {
    return path.equals(agentsDir) ? agents : node;
  }

  // ZooKeeper asks each list given to it whether it contains null, which an immutable list answers by throwing
  @Override
  public List<ACL> getDefaultAcl() {
    return new ArrayList<>(node);
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return new ArrayList<>(expected(path));
  }
}
