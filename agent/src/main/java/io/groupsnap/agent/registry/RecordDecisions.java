package io.groupsnap.agent.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the coordinator's records in ZooKeeper say of a group snapshot, for the agent's reaper: the transaction record
 * {@code txns/<id>}, else the catalog entry {@code snapshots/<id>} (which exists only while the group snapshot is
 * committed).
 *
 * <p>A transaction record that cannot be decoded (or names another id) is quarantined: the catalog entry still
 * decides when there is one (COMMITTED), and otherwise the captures are left alone as UNDECIDED, never deleted on
 * the strength of an unreadable record — nor of one of a format this agent does not read ({@link Formats}: written by
 * a newer coordinator), which could mean something else than this agent takes it for. Such a record is logged at WARN once, not on every reaper pass. Thread-safe.
 */
public final class RecordDecisions implements Reaper.Decisions {
  private static final Logger log = LoggerFactory.getLogger(RecordDecisions.class);

  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public RecordDecisions(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  @Override
  public Reaper.Decision of(String groupSnapshotId) throws Exception {
    byte[] data;
    try {
      data = zk.getData().forPath(layout.txn(groupSnapshotId));
    } catch (KeeperException.NoNodeException e) {
      return inCatalog(groupSnapshotId) ? Reaper.Decision.COMMITTED : Reaper.Decision.NO_RECORD;
    }
    GroupSnapshot g;
    try {
      g = GroupSnapshot.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      g = null;
    }
    String newer = g == null ? null : Formats.problem("GroupSnapshot", g.getFormatVersion());
    if (g == null || !g.getId().equals(groupSnapshotId) || newer != null) {
      if (reported.add(groupSnapshotId)) {
        log.warn("record {} cannot be used ({}): it is quarantined, and the captures of {} are kept unless the "
            + "catalog says it committed", layout.txn(groupSnapshotId), newer != null ? "it " + newer
            : "it does not decode as its GroupSnapshot", groupSnapshotId);
      }
      return inCatalog(groupSnapshotId) ? Reaper.Decision.COMMITTED : Reaper.Decision.UNDECIDED;
    }
    return switch (g.getState()) {
      case COMMITTED -> Reaper.Decision.COMMITTED;
      case ABORTED, ABORTING -> Reaper.Decision.ABORTED; // ABORTING is already the decision: it never commits
      case DELETED, DELETING -> Reaper.Decision.DELETED;
      default -> Reaper.Decision.UNDECIDED; // undecided, or a state of a newer version: the leader's to resolve
    };
  }

  private boolean inCatalog(String groupSnapshotId) throws Exception {
    return zk.checkExists().forPath(layout.snapshot(groupSnapshotId)) != null;
  }
}
