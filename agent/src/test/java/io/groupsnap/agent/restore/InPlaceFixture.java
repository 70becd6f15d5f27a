package io.groupsnap.agent.restore;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.registry.InPlaceRecords;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * One agent's world for in-place restore tests: a dir volume whose live data was captured and then changed, a real
 * ZooKeeper holding the leader's records, writers that record their calls, and agents made and "restarted" on the
 * same state directory and epoch store.
 */
final class InPlaceFixture implements AutoCloseable {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  static final String GS = "gs-1";

  final Path tmp;
  final Path live;
  final Path state;
  final DirVolume volume;
  final SnapshotCatalog catalog = SnapshotCatalog.inMemory();
  final EpochFence.Store epochs = EpochFence.Store.inMemory();
  final ZkLayout layout = new ZkLayout("t");
  final TestingServer zkServer;
  final CuratorFramework zk;
  /** Every writer's calls, in order across writers. */
  final List<String> events = new CopyOnWriteArrayList<>();
  /** The live data as captured (what a restore must bring back). */
  final Map<String, String> captured;
  /** The live data as it is after the capture (what a discard or rollback must leave). */
  final Map<String, String> previous;
  private final List<AutoCloseable> open = new ArrayList<>();
  /** The restores to new places of the agent made last. */
  RestoreManager planner;

  InPlaceFixture(Path tmp) throws Exception {
    this.tmp = tmp;
    live = Files.createDirectories(tmp.resolve("data/db"));
    state = tmp.resolve("state");
    volume = new DirVolume("db", live, tmp.resolve("snaps"));
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Files.createDirectories(live.resolve("wal"));
    Files.write(live.resolve("wal/0001"), new byte[] {0, 1, 2, (byte) 255});
    captured = Trees.describe(live);
    capture(volume, GS);
    Files.writeString(live.resolve("ledger"), "balance 70\n");
    Files.write(live.resolve("wal/0002"), new byte[] {9, 9});
    previous = Trees.describe(live);
    zkServer = new TestingServer(true);
    zk = ZkClients.connect(zkServer.getConnectString(), Duration.ofSeconds(10));
  }

  void capture(Volume v, String id) throws Exception {
    Path target = v.captureTarget(id);
    v.check(target);
    Path c = v.capture(target);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(id).setVolume(v.name()).setPath(c.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
  }

  /** An agent (a fresh one on the same state: a restart) with these volumes and writers. */
  InPlaceRestores agent(List<Volume> volumes, List<Writer> writers, VolumeSwitch.Between between)
      throws IOException {
    return agent(volumes, writers, between, CommandRunner.system());
  }

  /** As above; zfs switches run their commands with {@code zfs} (a fake's runner). */
  InPlaceRestores agent(List<Volume> volumes, List<Writer> writers, VolumeSwitch.Between between, CommandRunner zfs)
      throws IOException {
    EpochFence fence = new EpochFence(epochs, CLUSTER);
    planner = new RestoreManager("a1", volumes, catalog, fence,
        new RestoreTargets(List.of(tmp.resolve("restores")), volumes), dir -> Long.MAX_VALUE, 2, Clock.systemUTC());
    InPlaceRestores a = new InPlaceRestores("a1", planner, volumes, writers, fence, state,
        new InPlaceRecords(zk, layout), 2, between, zfs);
    open.add(planner);
    open.add(a);
    a.recover();
    return a;
  }

  InPlaceRestores agent(Writer... writers) throws IOException {
    return agent(List.of(volume), List.of(writers), VolumeSwitch.Between.NOTHING);
  }

  /** The leader's record of restore {@code id}, written (or rewritten) in {@code s}. */
  void record(String id, InPlaceState s) throws Exception {
    byte[] data = InPlaceRestore.newBuilder().setRestoreId(id).setGroupSnapshotId(GS).setState(s).setEpoch(3)
        .build().toByteArray();
    if (zk.checkExists().forPath(layout.restore(id)) == null) {
      zk.create().creatingParentsIfNeeded().forPath(layout.restore(id), data);
    } else {
      zk.setData().forPath(layout.restore(id), data);
    }
  }

  static TxnRef ref(long epoch) {
    return new TxnRef(CLUSTER, epoch, GS);
  }

  VolumeSwitch switchOf(String restoreId) {
    return VolumeSwitch.beside(live, restoreId);
  }

  Path journal(String restoreId) {
    return state.resolve("in-place").resolve(restoreId);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    zk.close();
    zkServer.close();
  }

  /** A writer that records its restore calls and answers preRestore as told. */
  static final class StopWriter implements Writer {
    private final String name;
    private final int tier;
    private final List<String> events;
    volatile WriterResult pre = WriterResult.OK;

    StopWriter(String name, int tier, List<String> events) {
      this.name = name;
      this.tier = tier;
      this.events = events;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String kind() {
      return "test";
    }

    @Override
    public int tier() {
      return tier;
    }

    @Override
    public Set<String> volumes() {
      return Set.of();
    }

    @Override
    public WriterResult prepare(TxnContext txn) {
      return WriterResult.OK;
    }

    @Override
    public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
      return WriterResult.OK;
    }

    @Override
    public WriterResult thaw(TxnContext txn) {
      return WriterResult.OK;
    }

    @Override
    public void abort(TxnContext txn) {}

    @Override
    public WriterResult preRestore(RestoreContext restore) {
      events.add(name + ":pre " + restore.volumes());
      return pre;
    }

    @Override
    public WriterResult postRestore(RestoreContext restore, boolean restored) {
      events.add(name + ":post restored=" + restored);
      return WriterResult.OK;
    }
  }

  /** A volume as another kind, or with another way to restore: the dir volume underneath does the rest. */
  static final class Disguised implements Volume {
    /** How the disguised volume restores a capture. */
    interface Restoring {
      Restorer restorer(Path capture, Path target) throws VolumeException;
    }

    private final Volume v;
    private final String kind;
    private final Restoring restoring;

    Disguised(Volume v, String kind, Restoring restoring) {
      this.v = v;
      this.kind = kind;
      this.restoring = restoring;
    }

    @Override
    public String name() {
      return v.name();
    }

    @Override
    public String kind() {
      return kind;
    }

    @Override
    public Path path() {
      return v.path();
    }

    @Override
    public Path captureTarget(String groupSnapshotId) {
      return v.captureTarget(groupSnapshotId);
    }

    @Override
    public boolean owns(Path location) {
      return v.owns(location);
    }

    @Override
    public void check(Path target) throws VolumeException {
      v.check(target);
    }

    @Override
    public Frozen freeze() throws VolumeException {
      return v.freeze();
    }

    @Override
    public Path capture(Path target) throws VolumeException {
      return v.capture(target);
    }

    @Override
    public void delete(Path capture) throws IOException {
      v.delete(capture);
    }

    @Override
    public List<Found> listCaptures() throws IOException {
      return v.listCaptures();
    }

    @Override
    public Restorer restorer(Path capture, Path target) throws VolumeException {
      return restoring == null ? v.restorer(capture, target) : restoring.restorer(capture, target);
    }
  }
}
