package io.groupsnap.coordinator.schedule;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.ZkNodes;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.RecordKind;
import io.groupsnap.proto.v1.Schedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedules in ZooKeeper: {@code schedules/<group>}, one {@link Schedule} record per group. Written only by the
 * leader: every write is one multi-op that first checks the leader's latch node and the epoch znode's version (its
 * {@link ClusterStore.Fence}), so a deposed leader's late write fails, and an update is made only at the version it
 * read, so two writers never overwrite each other unseen. A write that reports failure is read back: Curator may have
 * applied an earlier attempt before a lost connection.
 *
 * <p>A record that cannot be used (its bytes do not decode, or decode to another group's schedule or one without a
 * cron expression) is quarantined: listings return it apart as a {@link DamagedRecord} of kind
 * {@code RECORD_SCHEDULE}, logged once per written version, and never fail; a call that needs that very record fails
 * with {@link DamagedRecordException}. Thread-safe.
 */
public final class ScheduleStore {
  private static final Logger log = LoggerFactory.getLogger(ScheduleStore.class);

  /** A record as read, with the node version an update must match. */
  public record Stored(Schedule schedule, int version) {}

  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public ScheduleStore(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  /**
   * @return empty when the group has no schedule
   * @throws DamagedRecordException when its record is quarantined
   */
  public Optional<Stored> find(String group) throws Exception {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = zk.getData().storingStatIn(stat).forPath(layout.schedule(group));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    return Optional.of(decode(group, data, stat));
  }

  /** Every schedule that decodes, by group, and those quarantined. */
  public Listing<Stored> list() throws Exception {
    List<String> names;
    try {
      names = zk.getChildren().forPath(layout.schedules());
    } catch (KeeperException.NoNodeException e) {
      return new Listing<>(List.of(), List.of());
    }
    List<Stored> ok = new ArrayList<>();
    List<DamagedRecord> damaged = new ArrayList<>();
    for (String name : names) {
      try {
        find(name).ifPresent(ok::add);
      } catch (DamagedRecordException e) {
        damaged.add(e.damage());
      }
    }
    return new Listing<>(ok, damaged).sorted(Comparator.comparing(s -> s.schedule().getGroup()));
  }

  /** Creates a group's schedule; {@link AlreadyExistsException} when the group has one. */
  public void create(Schedule schedule, ClusterStore.Fence fence) throws Exception {
    Schedule s = Formats.stamp(schedule);
    String path = layout.schedule(s.getGroup());
    try {
      write(path, s, () -> fenced(fence, zk.transactionOp().create().forPath(path, s.toByteArray())));
    } catch (FencedWriteException e) {
      if (e.getCause() instanceof KeeperException.NoNodeException && zk.checkExists().forPath(layout.schedules())
          == null) {
        ZkNodes.ensurePersistent(zk, layout.schedules());
        write(path, s, () -> fenced(fence, zk.transactionOp().create().forPath(path, s.toByteArray())));
        return;
      }
      if (e.getCause() instanceof KeeperException.NodeExistsException) {
        throw new AlreadyExistsException("group " + s.getGroup() + " has a schedule already");
      }
      throw e;
    }
  }

  /** Replaces a schedule read at {@code version}; {@link FencedWriteException} when it changed since. */
  public void update(Schedule schedule, int version, ClusterStore.Fence fence) throws Exception {
    Schedule s = Formats.stamp(schedule);
    String path = layout.schedule(s.getGroup());
    write(path, s, () -> fenced(fence,
        zk.transactionOp().setData().withVersion(version).forPath(path, s.toByteArray())));
  }

  /** Removes a group's schedule (damaged or not); false when there was none. */
  public boolean delete(String group, ClusterStore.Fence fence) throws Exception {
    String path = layout.schedule(group);
    try {
      zk.transaction().forOperations(fenced(fence, zk.transactionOp().delete().forPath(path)));
      return true;
    } catch (KeeperException.NoNodeException e) {
      if (zk.checkExists().forPath(path) == null && zk.checkExists().forPath(fence.latchPath()) != null) {
        return false;
      }
      throw new FencedWriteException("delete of " + path + " refused: " + e.getMessage(), e);
    } catch (KeeperException e) {
      throw new FencedWriteException("delete of " + path + " refused: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Ops {
    List<CuratorOp> build() throws Exception;
  }

  private List<CuratorOp> fenced(ClusterStore.Fence f, CuratorOp op) throws Exception {
    return List.of(zk.transactionOp().check().forPath(f.latchPath()),
        zk.transactionOp().check().withVersion(f.epochVersion()).forPath(layout.epoch()), op);
  }

  private void write(String path, Schedule s, Ops ops) throws Exception {
    try {
      zk.transaction().forOperations(ops.build());
    } catch (Exception e) {
      byte[] now;
      try {
        now = zk.getData().forPath(path);
      } catch (KeeperException.NoNodeException gone) {
        now = null;
      }
      if (now != null && Arrays.equals(now, s.toByteArray())) {
        return; // an earlier attempt of Curator's retry loop was applied
      }
      throw new FencedWriteException("write of " + path + " refused: " + e.getMessage(), e);
    }
  }

  private Stored decode(String group, byte[] data, Stat stat) throws DamagedRecordException {
    String problem;
    Schedule s = null;
    try {
      s = Schedule.parseFrom(data);
      String format = Formats.problem("Schedule", s.getFormatVersion());
      problem = format != null ? format
          : !s.getGroup().equals(group)
          ? (s.getGroup().isEmpty() ? "decodes to a schedule without a group" : "decodes to another group's schedule")
          : s.getCron().isEmpty() ? "decodes to a schedule without a cron expression" : null;
    } catch (InvalidProtocolBufferException e) {
      problem = "does not decode as a Schedule (" + data.length + " bytes)";
    }
    if (problem == null) {
      return new Stored(s, stat.getVersion());
    }
    String path = layout.schedule(group);
    DamagedRecord damage = DamagedRecord.newBuilder().setKind(RecordKind.RECORD_SCHEDULE)
        .setId(Names.printable(group)).setPath(Names.printable(path)).setReason(problem)
        .setModifiedAtMillis(stat.getMtime()).build();
    if (reported.add(path + "@" + stat.getMzxid())) {
      log.warn("quarantined record {}: it {}; the schedule does not fire until it is deleted or created again",
          damage.getPath(), problem);
    }
    throw new DamagedRecordException(damage);
  }
}
