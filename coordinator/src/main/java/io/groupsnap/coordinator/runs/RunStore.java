package io.groupsnap.coordinator.runs;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.ZkNodes;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.RecordKind;
import io.groupsnap.proto.v1.RunState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 * The backup run records, {@code runs/<id>} (a {@link BackupRun} each). Reads answer on any coordinator
 * ({@link RunCatalog}); writes are the leader's, fenced like transaction records: one multi-op that checks the
 * writer's latch node and the epoch znode's version ({@link ClusterStore.Fence}) and replaces the record only at the
 * version this process last wrote or adopted, so a deposed leader's late write fails and a successor's wins (G4). A
 * failed write is read back before it is reported: Curator's retry loop may have applied an earlier attempt.
 *
 * <p>A record that does not decode, or decodes to another id or no state, is quarantined: listed apart as a
 * {@link DamagedRecord} of kind {@code RECORD_RUN}, never failing a listing, logged once per version. Thread-safe.
 */
public final class RunStore implements RunCatalog {
  private static final Logger log = LoggerFactory.getLogger(RunStore.class);
  private static final Comparator<BackupRun> OLDEST_FIRST =
      Comparator.comparingLong(BackupRun::getCreatedAtMillis).thenComparing(BackupRun::getId);

  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final Map<String, Integer> versions = new ConcurrentHashMap<>();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public RunStore(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  /** One record as read, with the version it was read at; exactly one of {@code run} and {@code damage} is set. */
  record Read(BackupRun run, DamagedRecord damage, int version) {}

  @Override
  public Optional<BackupRun> find(String id) throws Exception {
    Optional<Read> r = read(id);
    if (r.isEmpty()) {
      return Optional.empty();
    }
    if (r.get().damage() != null) {
      throw new DamagedRecordException(r.get().damage());
    }
    return Optional.of(r.get().run());
  }

  @Override
  public Listing<BackupRun> list(String group) throws Exception {
    List<String> names;
    try {
      names = zk.getChildren().forPath(layout.runs());
    } catch (KeeperException.NoNodeException e) {
      return new Listing<>(List.of(), List.of());
    }
    List<BackupRun> runs = new ArrayList<>();
    List<DamagedRecord> damaged = new ArrayList<>();
    for (String name : names) {
      Optional<Read> r = read(name);
      if (r.isEmpty()) {
        continue; // removed meanwhile
      }
      if (r.get().damage() != null) {
        damaged.add(r.get().damage());
      } else if (group == null || group.equals(r.get().run().getGroup())) {
        runs.add(r.get().run());
      }
    }
    return new Listing<>(runs, damaged).sorted(OLDEST_FIRST);
  }

  /** True when a record (damaged or not) exists under {@code id}. */
  public boolean exists(String id) throws Exception {
    return zk.checkExists().forPath(layout.run(id)) != null;
  }

  /** Creates a new run's record. */
  public void create(BackupRun record, ClusterStore.Fence f) throws Exception {
    BackupRun run = Formats.stamp(record);
    String path = layout.run(run.getId());
    List<CuratorOp> ops = fenced(f, zk.transactionOp().create().forPath(path, run.toByteArray()));
    try {
      zk.transaction().forOperations(ops);
    } catch (KeeperException.NoNodeException e) {
      if (zk.checkExists().forPath(layout.runs()) != null) {
        verify(path, run, e);
        versions.put(run.getId(), 0);
        return;
      }
      ZkNodes.ensurePersistent(zk, layout.runs()); // a container an older layout made, removed once empty
      try {
        zk.transaction().forOperations(fenced(f, zk.transactionOp().create().forPath(path, run.toByteArray())));
      } catch (Exception again) {
        verify(path, run, again);
      }
    } catch (Exception e) {
      verify(path, run, e);
    }
    versions.put(run.getId(), 0);
  }

  /** Replaces a run's record at the version this process last wrote or {@link #adopt adopted}. */
  public void update(BackupRun record, ClusterStore.Fence f) throws Exception {
    BackupRun run = Formats.stamp(record);
    String path = layout.run(run.getId());
    Integer version = versions.get(run.getId());
    if (version == null) {
      throw new IllegalStateException("run " + run.getId() + " was not created or adopted by this coordinator");
    }
    try {
      zk.transaction().forOperations(fenced(f,
          zk.transactionOp().setData().withVersion(version).forPath(path, run.toByteArray())));
    } catch (Exception e) {
      verify(path, run, e);
    }
    versions.put(run.getId(), version + 1);
  }

  /**
   * Reads a run to take it over (a successor leader, or a deletion): its record, and the version later
   * {@link #update}s replace it at.
   *
   * @return empty when there is no such record
   * @throws DamagedRecordException when it is quarantined
   */
  public Optional<BackupRun> adopt(String id) throws Exception {
    Optional<Read> r = read(id);
    if (r.isEmpty()) {
      return Optional.empty();
    }
    if (r.get().damage() != null) {
      throw new DamagedRecordException(r.get().damage());
    }
    versions.put(id, r.get().version());
    return Optional.of(r.get().run());
  }

  /** Forgets the version kept for {@code id} (a run this process no longer drives). */
  public void release(String id) {
    versions.remove(id);
  }

  private List<CuratorOp> fenced(ClusterStore.Fence f, CuratorOp op) throws Exception {
    return List.of(zk.transactionOp().check().forPath(f.latchPath()),
        zk.transactionOp().check().withVersion(f.epochVersion()).forPath(layout.epoch()), op);
  }

  private void verify(String path, BackupRun run, Exception e) throws Exception {
    byte[] now;
    try {
      now = zk.getData().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      now = null;
    } catch (Exception unreadable) {
      throw new FencedWriteException("write of " + path + " failed (" + e.getMessage()
          + ") and reading it back failed too (" + unreadable.getMessage() + ")", e);
    }
    if (now != null && Arrays.equals(now, run.toByteArray())) {
      return;
    }
    throw new FencedWriteException("write of " + path + " refused: " + e.getMessage(), e);
  }

  Optional<Read> read(String id) throws Exception {
    String path = layout.run(id);
    Stat stat = new Stat();
    byte[] data;
    try {
      data = zk.getData().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    String problem;
    BackupRun run = null;
    try {
      run = BackupRun.parseFrom(data);
      problem = Formats.problem("BackupRun", run.getFormatVersion());
      problem = problem != null ? problem : problem(run, id);
    } catch (InvalidProtocolBufferException e) {
      problem = "does not decode as a BackupRun (" + data.length + " bytes)";
    }
    if (problem == null) {
      return Optional.of(new Read(run, null, stat.getVersion()));
    }
    DamagedRecord damage = DamagedRecord.newBuilder().setKind(RecordKind.RECORD_RUN).setId(Names.printable(id))
        .setPath(Names.printable(path)).setReason(problem).setModifiedAtMillis(stat.getMtime()).build();
    if (reported.add(path + "@" + stat.getMzxid())) {
      log.warn("quarantined record {}: it {}; it is listed as damaged and not resumed until it is removed",
          damage.getPath(), problem);
    }
    return Optional.of(new Read(null, damage, stat.getVersion()));
  }

  private static String problem(BackupRun r, String name) {
    if (!r.getId().equals(name)) {
      return r.getId().isEmpty() ? "decodes to a record without an id" : "decodes to the record of another id";
    }
    if (r.getState() == RunState.RUN_STATE_UNSPECIFIED) {
      return "decodes to a record without a state";
    }
    return null;
  }
}
