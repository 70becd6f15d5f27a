package io.groupsnap.coordinator.store;

import com.google.protobuf.MessageLite;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.ZkNodes;
import io.groupsnap.coordinator.txn.UncertainWriteException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mechanics of one leader write (see {@link ClusterStore}): a multi-op that first checks the writer's latch node
 * and the epoch znode's version, and that is verified by reading the record back when it reports failure (Curator's
 * retry loop may have applied an earlier attempt). A write that creates a node in a directory that is gone (a
 * container an older version made, removed by ZooKeeper once empty) recreates the directory persistent and is tried
 * once more; the fence still decides. Thread-safe.
 */
final class FencedWrites {
  private static final Logger log = LoggerFactory.getLogger(FencedWrites.class);

  /** Builds the operations of one fenced write. */
  @FunctionalInterface
  interface Ops {
    List<CuratorOp> build() throws Exception;
  }

  private final CuratorFramework zk;
  private final ZkLayout layout;

  FencedWrites(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  /** The fence's two checks, then {@code ops}. */
  List<CuratorOp> fenced(ClusterStore.Fence f, CuratorOp... ops) throws Exception {
    List<CuratorOp> out = new ArrayList<>();
    out.add(zk.transactionOp().check().forPath(f.latchPath()));
    out.add(zk.transactionOp().check().withVersion(f.epochVersion()).forPath(layout.epoch()));
    out.addAll(List.of(ops));
    return out;
  }

  /**
   * Runs one fenced multi-op whose outcome is known by {@code rec} being at {@code path}. {@code parent}, when not
   * null, is the directory the multi creates a node in.
   *
   * @throws FencedWriteException when refused (deposed, a newer term, a write in between)
   * @throws UncertainWriteException when it failed and reading it back failed too
   */
  void write(String path, MessageLite rec, String parent, Ops ops) throws Exception {
    try {
      zk.transaction().forOperations(ops.build());
    } catch (KeeperException.NoNodeException e) {
      if (parent == null || !recreated(parent)) {
        verify(path, rec, e);
        return;
      }
      write(path, rec, null, ops);
    } catch (Exception e) {
      verify(path, rec, e);
    }
  }

  /** True when {@code dir} was gone and is there again, persistent; false when it was there or is still unknown. */
  private boolean recreated(String dir) {
    try {
      if (zk.checkExists().forPath(dir) != null) {
        return false;
      }
      log.info("{} was gone (a container node an older version made, removed once empty); recreating it persistent",
          dir);
      ZkNodes.ensurePersistent(zk, dir);
      return true;
    } catch (Exception e) {
      return false; // the failed write is then reported as it is
    }
  }

  /** After a failed write: returns when an earlier attempt of Curator's retry loop was applied, else throws. */
  private void verify(String path, MessageLite rec, Exception e) throws Exception {
    byte[] now;
    try {
      now = zk.getData().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      now = null;
    } catch (Exception unreadable) {
      throw new UncertainWriteException("write of " + path + " failed (" + e.getMessage()
          + ") and reading it back failed too (" + unreadable.getMessage() + ")", e);
    }
    if (now != null && Arrays.equals(now, rec.toByteArray())) {
      return; // an earlier attempt of Curator's retry loop was applied
    }
    throw new FencedWriteException("write of " + path + " refused: " + e.getMessage(), e);
  }
}
