package io.groupsnap.common;

import io.groupsnap.proto.v1.ClusterRecord;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The cluster's UUID, made once by whichever process comes first and read by everyone after.
 *
 * <p>Agents fence on it: a request for another cluster id is refused, and a new id (ZooKeeper data recreated) resets
 * the epoch an agent remembers. Creation races are settled by ZooKeeper: the loser reads the winner's record.
 */
public final class ClusterIdentity {
  private ClusterIdentity() {}

  public static String ensure(CuratorFramework zk, ZkLayout layout) throws Exception {
    try {
      ClusterRecord rec = ClusterRecord.newBuilder().setClusterId(UUID.randomUUID().toString())
          .setCreatedAtMillis(System.currentTimeMillis()).build();
      zk.create().creatingParentsIfNeeded().forPath(layout.cluster(), rec.toByteArray()); // persistent: ZkNodes
      return rec.getClusterId();
    } catch (KeeperException.NodeExistsException e) {
      return ClusterRecord.parseFrom(zk.getData().forPath(layout.cluster())).getClusterId();
    }
  }
}
