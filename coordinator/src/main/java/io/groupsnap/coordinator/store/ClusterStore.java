package io.groupsnap.coordinator.store;

import io.groupsnap.common.ClusterIdentity;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.txn.UncertainWriteException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.EpochRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's state in ZooKeeper (DESIGN.md §5): cluster id, epoch, agent registry, transaction records, catalog.
 *
 * <p>Every write a leader makes is a multi-op that first checks the leader's own latch node, so a deposed leader's late
 * write fails (G4), and that updates records only at the version it last wrote. Curator retries operations across
 * connection losses, so a write that reports failure may in fact have been applied by an earlier attempt: a failed
 * write is therefore verified by reading the record back before it is reported as failed. Thread-safe.
 */
public final class ClusterStore {
  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final Map<String, Integer> txnVersions = new ConcurrentHashMap<>();

  public ClusterStore(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  public ZkLayout layout() {
    return layout;
  }

  /** The cluster id, creating it (and the layout's containers) on first use. */
  public String ensureCluster() throws Exception {
    String id = ClusterIdentity.ensure(zk, layout);
    for (String p : List.of(layout.agents(), layout.txns(), layout.snapshots(), layout.leader())) {
      zk.createContainers(p);
    }
    try {
      zk.create().forPath(layout.epoch(), EpochRecord.getDefaultInstance().toByteArray());
    } catch (KeeperException.NodeExistsException ignored) {
      // another coordinator made it
    }
    return id;
  }

  /** The current epoch, 0 when none was ever bumped. */
  public long epoch() throws Exception {
    return EpochRecord.parseFrom(zk.getData().forPath(layout.epoch())).getEpoch();
  }

  /**
   * Raises the epoch by one, only while {@code latchPath} (this leader's latch node) exists and nobody else raised it
   * in between. Returns the new epoch.
   */
  public long bumpEpoch(String latchPath, String leaderId) throws Exception {
    Stat stat = new Stat();
    EpochRecord current = EpochRecord.parseFrom(zk.getData().storingStatIn(stat).forPath(layout.epoch()));
    EpochRecord next = EpochRecord.newBuilder().setEpoch(current.getEpoch() + 1).setLeader(leaderId)
        .setChangedAtMillis(System.currentTimeMillis()).build();
    try {
      zk.transaction().forOperations(
          zk.transactionOp().check().forPath(latchPath),
          zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(layout.epoch(), next.toByteArray()));
    } catch (KeeperException e) {
      EpochRecord now = EpochRecord.parseFrom(zk.getData().forPath(layout.epoch()));
      if (now.equals(next)) {
        return next.getEpoch();
      }
      throw new FencedWriteException("could not raise the epoch from " + current.getEpoch() + ": " + e.getMessage(),
          e);
    }
    return next.getEpoch();
  }

  public List<AgentRegistration> agents() throws Exception {
    List<AgentRegistration> out = new ArrayList<>();
    List<String> ids;
    try {
      ids = zk.getChildren().forPath(layout.agents());
    } catch (KeeperException.NoNodeException e) {
      return out;
    }
    for (String id : ids) {
      try {
        out.add(AgentRegistration.parseFrom(zk.getData().forPath(layout.agent(id))));
      } catch (KeeperException.NoNodeException gone) {
        // the agent left between the two reads
      }
    }
    out.sort(Comparator.comparing(AgentRegistration::getAgentId));
    return out;
  }

  /** Creates the record of a new transaction (BEGIN). */
  public void createTxn(GroupSnapshot rec, String latchPath) throws Exception {
    String path = layout.txn(rec.getId());
    write(path, rec, () -> List.of(
        zk.transactionOp().check().forPath(latchPath),
        zk.transactionOp().create().forPath(path, rec.toByteArray())));
    txnVersions.put(rec.getId(), 0);
  }

  /** Replaces a transaction record at the version this process last wrote. */
  public void updateTxn(GroupSnapshot rec, String latchPath) throws Exception {
    String path = layout.txn(rec.getId());
    int version = version(rec.getId());
    write(path, rec, () -> List.of(
        zk.transactionOp().check().forPath(latchPath),
        zk.transactionOp().setData().withVersion(version).forPath(path, rec.toByteArray())));
    txnVersions.put(rec.getId(), version + 1);
  }

  /** The commit point: the record becomes COMMITTED and the manifest appears in the catalog, atomically. */
  public void commitTxn(GroupSnapshot rec, String latchPath) throws Exception {
    String path = layout.txn(rec.getId());
    int version = version(rec.getId());
    write(path, rec, () -> List.of(
        zk.transactionOp().check().forPath(latchPath),
        zk.transactionOp().setData().withVersion(version).forPath(path, rec.toByteArray()),
        zk.transactionOp().create().forPath(layout.snapshot(rec.getId()), rec.toByteArray())));
    txnVersions.put(rec.getId(), version + 1);
  }

  /** Removes a group snapshot from the catalog and marks its record DELETED. */
  public GroupSnapshot markDeleted(GroupSnapshot manifest, String latchPath) throws Exception {
    GroupSnapshot deleted = manifest.toBuilder().setState(GroupSnapshotState.DELETED)
        .setFinishedAtMillis(System.currentTimeMillis()).build();
    String txn = layout.txn(manifest.getId());
    Stat stat = zk.checkExists().forPath(txn);
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(zk.transactionOp().check().forPath(latchPath));
    ops.add(zk.transactionOp().delete().forPath(layout.snapshot(manifest.getId())));
    if (stat != null) {
      ops.add(zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(txn, deleted.toByteArray()));
    }
    try {
      zk.transaction().forOperations(ops);
    } catch (KeeperException e) {
      if (zk.checkExists().forPath(layout.snapshot(manifest.getId())) != null) {
        throw new FencedWriteException("could not delete " + manifest.getId() + ": " + e.getMessage(), e);
      }
    }
    return deleted;
  }

  /** The transaction record (the newest word on it), else the committed manifest (its record expired). */
  public Optional<GroupSnapshot> get(String id) throws Exception {
    for (String path : List.of(layout.txn(id), layout.snapshot(id))) {
      try {
        return Optional.of(GroupSnapshot.parseFrom(zk.getData().forPath(path)));
      } catch (KeeperException.NoNodeException e) {
        // try the next place
      }
    }
    return Optional.empty();
  }

  /** Committed group snapshots, oldest first; with {@code includeAll}, every transaction record as well. */
  public List<GroupSnapshot> list(boolean includeAll) throws Exception {
    List<GroupSnapshot> out = new ArrayList<>();
    String dir = includeAll ? layout.txns() : layout.snapshots();
    for (String id : zk.getChildren().forPath(dir)) {
      try {
        out.add(GroupSnapshot.parseFrom(zk.getData().forPath(dir + "/" + id)));
      } catch (KeeperException.NoNodeException e) {
        // removed meanwhile
      }
    }
    out.sort(Comparator.comparingLong(GroupSnapshot::getCreatedAtMillis).thenComparing(GroupSnapshot::getId));
    return out;
  }

  /** Transaction records that never reached a final state (for a new leader to resolve). */
  public List<GroupSnapshot> unfinished() throws Exception {
    return list(true).stream().filter(g -> switch (g.getState()) {
      case COMMITTED, ABORTED, DELETED -> false;
      default -> true;
    }).toList();
  }

  /** Committed transactions whose members were not all confirmed to keep their captures. */
  public List<GroupSnapshot> unfinalized() throws Exception {
    return list(true).stream().filter(g -> g.getState() == GroupSnapshotState.COMMITTED && !g.getFinalized())
        .toList();
  }

  /** Adopts an existing record's version, so that this process may update it (recovery). */
  public void adopt(String txnId) throws Exception {
    Stat stat = zk.checkExists().forPath(layout.txn(txnId));
    if (stat != null) {
      txnVersions.put(txnId, stat.getVersion());
    }
  }

  private int version(String txnId) {
    Integer v = txnVersions.get(txnId);
    if (v == null) {
      throw new IllegalStateException("transaction " + txnId + " was not created or adopted by this coordinator");
    }
    return v;
  }

  /** Builds the operations of one fenced write. */
  @FunctionalInterface
  private interface Ops {
    List<CuratorOp> build() throws Exception;
  }

  private void write(String path, GroupSnapshot rec, Ops ops) throws Exception {
    try {
      zk.transaction().forOperations(ops.build());
    } catch (KeeperException e) {
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
}
