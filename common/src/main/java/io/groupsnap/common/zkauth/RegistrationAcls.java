package io.groupsnap.common.zkauth;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACL of an agent's registration, as Curator's {@link ACLProvider} of that agent's client: the agent's own digest
 * user ({@code agent.<agentId>}, whose secret only that agent holds) may do anything, and the digest user
 * {@code agents} may read it — coordinators authenticate as {@code agents} too, and so does the operator's CLI — so
 * neither another agent nor an anonymous client can change it.
 *
 * <p>The other readers of {@code agents/} that are not digest users (anyone, on a cluster set up without credentials)
 * are copied from its ACL ({@link #readersFrom}) before the node is made, so that a coordinator without credentials
 * still reads the registration of an agent given credentials first. Digest readers cannot be copied: ZooKeeper shows
 * a digest in an ACL only to clients that may administer the node, and masks it for the others.
 *
 * <p>Any other node such a client would create (only a directory missing from a cluster set up without credentials)
 * gets the same ACL; a coordinator with credentials resets it at its start. Thread-safe.
 */
public final class RegistrationAcls implements ACLProvider {
  private final Id self;
  private final Id agents;
  private volatile List<ACL> acl;

  /**
   * @param self the agent's own digest id ({@link #user})
   * @param agents the digest id of {@link ZkCredentials#AGENTS}
   */
  public RegistrationAcls(Id self, Id agents) {
    this.self = self;
    this.agents = agents;
    this.acl = List.of(new ACL(Perms.ALL, self), new ACL(Perms.READ, agents));
  }

  /** The digest user of an agent's own secret. */
  public static String user(String agentId) {
    return "agent." + agentId;
  }

  /** Adds each id but a digest user that may read {@code agents/} (its ACL {@code parent}) as a reader. */
  public void readersFrom(List<ACL> parent) {
    List<ACL> next = new ArrayList<>(List.of(new ACL(Perms.ALL, self), new ACL(Perms.READ, agents)));
    for (ACL a : parent) {
      ACL reader = new ACL(Perms.READ, a.getId());
      if ((a.getPerms() & Perms.READ) != 0 && !a.getId().getScheme().equals("digest") && !next.contains(reader)) {
        next.add(reader);
      }
    }
    acl = List.copyOf(next);
  }

  public List<ACL> acl() {
    return acl;
  }

  // ZooKeeper asks each list given to it whether it contains null, which an immutable list answers by throwing
  @Override
  public List<ACL> getDefaultAcl() {
    return new ArrayList<>(acl);
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return new ArrayList<>(acl);
  }
}
