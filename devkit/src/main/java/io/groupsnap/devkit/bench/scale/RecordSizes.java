package io.groupsnap.devkit.bench.scale;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;

/**
 * Sizes of records as ZooKeeper holds them: read-only observation through a client of its own (stat only; the data
 * length is what ZooKeeper stored, so it is what counts against its {@code jute.maxbuffer}).
 */
final class RecordSizes {
  /** The largest record found: its size in bytes and where it is. */
  record Largest(long bytes, String path) {
    Largest max(Largest other) {
      return other.bytes > bytes ? other : this;
    }
  }

  private final CuratorFramework zk;

  RecordSizes(CuratorFramework zk) {
    this.zk = zk;
  }

  /** The size of one record; 0 when it does not exist. */
  long of(String path) throws Exception {
    Stat s = zk.checkExists().forPath(path);
    return s == null ? 0 : s.getDataLength();
  }

  /** The largest record under {@code root} (itself included), walking the whole tree. */
  Largest largestUnder(String root) throws Exception {
    Largest best = new Largest(0, root);
    Deque<String> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      String path = todo.pop();
      Stat s = zk.checkExists().forPath(path);
      if (s == null) {
        continue;
      }
      best = best.max(new Largest(s.getDataLength(), path));
      if (s.getNumChildren() > 0) {
        try {
          for (String child : zk.getChildren().forPath(path)) {
            todo.push(path + "/" + child);
          }
        } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
          // deleted while walking: nothing under it to measure
        }
      }
    }
    return best;
  }
}
