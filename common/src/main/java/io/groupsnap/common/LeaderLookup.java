package io.groupsnap.common;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Finds the leading coordinator's endpoint from ZooKeeper without joining the election: the LeaderLatch participant
 * with the lowest sequence number leads, and its node's data is the coordinator's id (its endpoint).
 */
public final class LeaderLookup {
  private LeaderLookup() {}

  public static Optional<String> leader(CuratorFramework zk, ZkLayout layout) throws Exception {
    List<String> children;
    try {
      children = zk.getChildren().forPath(layout.leader());
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    List<String> sorted = children.stream().sorted(Comparator.comparing(LeaderLookup::sequence)).toList();
    for (String child : sorted) {
      try {
        byte[] data = zk.getData().forPath(layout.leader() + "/" + child);
        String id = new String(data, StandardCharsets.UTF_8);
        if (!id.isEmpty()) {
          return Optional.of(id);
        }
      } catch (KeeperException.NoNodeException e) {
        // that participant just left; the next one leads
      }
    }
    return Optional.empty();
  }

  private static String sequence(String node) {
    int i = node.lastIndexOf('-');
    return i < 0 ? node : node.substring(i + 1);
  }
}
