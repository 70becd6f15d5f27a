package io.groupsnap.common;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The directory nodes a cluster relies on ({@code agents/}, {@code txns/}, {@code snapshots/}, {@code leader/}) are
 * <em>persistent</em>. Never a container node: ZooKeeper deletes an empty container by itself (about a minute after
 * its last child went), and every later write under it then fails with NoNode — deleting the last group snapshot once
 * removed {@code snapshots/} and every commit after it failed until a restart.
 *
 * <p>A cluster created by an older version has these directories as containers. ZooKeeper does not tell a client
 * which kind a node is (a container's stat reads like a persistent node's), nor can a node change kind; so an existing
 * node is left as it is, and a container is recreated persistent on demand once ZooKeeper has removed it: by the
 * write that needs it (see {@code ClusterStore}), by an agent registering, by a coordinator joining the election.
 * Clients made by {@link ZkClients} never create a container, not even as the parents Curator's recipes create on
 * demand. Idempotent and safe to race. Thread-safe.
 */
public final class ZkNodes {
  private ZkNodes() {}

  /** Makes {@code path} and its missing parents exist, creating each as a persistent node. */
  public static void ensurePersistent(CuratorFramework zk, String path) throws Exception {
    if (zk.checkExists().forPath(path) != null) {
      return;
    }
    try {
      zk.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    } catch (KeeperException.NodeExistsException madeMeanwhile) {
      // by another process, or by this one's other thread: it exists, which is all that is asked
    }
  }
}
