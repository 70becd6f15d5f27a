package io.groupsnap.coordinator.store;

import io.groupsnap.common.zkauth.ClusterAcls;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.common.zkauth.ZkRefusedException;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * What a coordinator does to a cluster's nodes at its start, before it serves: makes them exist
 * ({@link ClusterStore#ensureCluster}) and, with credentials, brings their ACLs in line ({@link LayoutAcls}). A refusal
 * of ZooKeeper becomes one line ({@link ZkRefusedException}) naming the node and what to check.
 */
public final class ClusterSetup {
  private ClusterSetup() {}

  /**
   * @param acls the cluster's ACLs, or null when the coordinator is anonymous (the nodes are left as they are)
   * @param credentials the credentials the coordinator authenticates with, or null (named in a refusal)
   * @param report where each line of {@link LayoutAcls#secure} goes
   * @return the cluster's id
   */
  public static String prepare(CuratorFramework zk, ClusterStore store, ClusterAcls acls, ZkCredentials credentials,
      Consumer<String> report) throws Exception {
    try {
      String id = store.ensureCluster();
      if (acls != null) {
        new LayoutAcls(zk, store.layout(), acls).secure(report);
      }
      return id;
    } catch (Exception e) {
      Optional<KeeperException> refusal = ZkRefusedException.refusal(e);
      if (refusal.isEmpty()) {
        throw e;
      }
      throw ZkRefusedException.of("coordinator", credentials, refusal.get(), store.layout().base(),
          "check that its coordinator and agents passwords are those this cluster's nodes were secured with",
          "this cluster's nodes are protected: start the coordinator with --zookeeper-auth FILE");
    }
  }
}
