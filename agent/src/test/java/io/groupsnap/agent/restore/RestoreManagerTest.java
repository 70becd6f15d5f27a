package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreManagerTest {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  static final String GS = "gs-1";

  @TempDir Path tmp;
  Path live;
  Path roots;
  DirVolume volume;
  SnapshotCatalog catalog = SnapshotCatalog.inMemory();
  AtomicLong free = new AtomicLong(Long.MAX_VALUE);
  RestoreManager manager;
  Path capture;

  @BeforeEach
  void setUp() throws Exception {
    live = Files.createDirectories(tmp.resolve("live"));
    roots = tmp.resolve("restores");
    volume = new DirVolume("db", live, tmp.resolve("snaps"));
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Files.createDirectories(live.resolve("wal/segments"));
    Files.write(live.resolve("wal/segments/0001"), new byte[] {0, 1, 2, (byte) 255});
    Files.setPosixFilePermissions(live.resolve("wal/segments/0001"), PosixFilePermissions.fromString("rw-------"));
    Files.createSymbolicLink(live.resolve("current"), Path.of("wal/segments/0001"));
    capture = captureOf(volume, GS);
    manager = manager(List.of(volume));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  private RestoreManager manager(List<Volume> volumes) throws IOException {
    return new RestoreManager("a1", volumes, catalog, new EpochFence(EpochFence.Store.inMemory(), CLUSTER),
        new RestoreTargets(List.of(roots), volumes), dir -> free.get(), 2, Clock.systemUTC());
  }

  private Path captureOf(Volume v, String id) throws Exception {
    Path target = v.captureTarget(id);
    v.check(target);
    Path c = v.capture(target);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(id).setVolume(v.name()).setPath(c.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    return c;
  }

  private static TxnRef ref(String id) {
    return new TxnRef(CLUSTER, 3, id);
  }

  private MemberRestore awaitFinished(String restoreId) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> manager.status(restoreId).orElseThrow().get(0),
        m -> m.getState() != RestoreState.RESTORE_RUNNING);
  }

  private static VolumeTarget to(String volume, Path target) {
    return VolumeTarget.newBuilder().setVolume(volume).setTarget(target.toString()).build();
  }

  @Test
  void dirCapture_isRestoredToTheDefaultTarget_equalToTheCaptureAndWritable() throws Exception {
    Files.writeString(live.resolve("ledger"), "changed after the capture");
    List<MemberRestore> started = manager.start(ref(GS), "r1", List.of(), false);
    assertThat(started).singleElement().satisfies(m -> assertThat(m.getState()).isEqualTo(
        RestoreState.RESTORE_RUNNING));

    MemberRestore done = awaitFinished("r1");
    Path restored = roots.resolve(GS).resolve("db");
    assertThat(done.getState()).as(done.getError()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(done.getPath()).isEqualTo(restored.toRealPath().toString());
    assertThat(done.getBytes()).isEqualTo("balance 100\n".length() + 4);
    assertThat(done.getMethod()).isIn("copy", "reflink");
    assertThat(Trees.describe(restored)).isEqualTo(Trees.describe(capture));
    Files.writeString(restored.resolve("ledger"), "a restored tree is writable");
    assertThat(capture.resolve("ledger")).hasContent("balance 100\n");
    assertThat(roots.resolve(GS)).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".restoring"));
    // asking again answers the same restore
    assertThat(manager.start(ref(GS), "r1", List.of(), false)).containsExactly(done);
  }

  @Test
  void dryRun_checksEverything_andWritesNothing() throws Exception {
    List<MemberRestore> checked = manager.start(ref(GS), "r1", List.of(), true);
    assertThat(checked).singleElement().satisfies(m -> {
      assertThat(m.getState()).isEqualTo(RestoreState.RESTORE_CHECKED);
      assertThat(m.getBytes()).isEqualTo("balance 100\n".length() + 4);
    });
    assertThat(roots).doesNotExist();
    assertThat(manager.status("r1")).isEmpty();
  }

  @Test
  void targetsOutsideTheRootsOrIntoLiveDataOrCaptures_areRefused_andNothingIsWritten() throws Exception {
    Files.createDirectories(roots);
    Files.createSymbolicLink(roots.resolve("into-live"), live);
    Files.createSymbolicLink(roots.resolve("into-captures"), tmp.resolve("snaps/db"));
    Files.createDirectories(roots.resolve("full"));
    Files.writeString(roots.resolve("full/file"), "x");
    record Case(String target, String reason) {}
    for (Case c : List.of(
        new Case(tmp.resolve("elsewhere").toString(), "outside this agent's restore roots"),
        new Case(roots.toString(), "outside this agent's restore roots"),
        new Case(roots.resolve("a/../../live/x").toString(), "contains '..'"),
        new Case("relative/path", "not an absolute path"),
        new Case(roots.resolve("into-live/x").toString(), "overlaps volume db"),
        new Case(roots.resolve("into-captures").toString(), "is a symbolic link"),
        new Case(roots.resolve("into-captures/y").toString(), "overlaps the captures of volume db"),
        new Case(roots.resolve("full").toString(), "exists and is not empty"))) {
      assertThatThrownBy(() -> manager.start(ref(GS), "r1", List.of(VolumeTarget.newBuilder().setVolume("db")
          .setTarget(c.target()).build()), false)).as(c.target()).isInstanceOf(RestoreRefusedException.class)
          .hasMessageContaining("volume db").hasMessageContaining(c.reason());
    }
    assertThat(Files.list(live).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ledger", "wal",
        "current");
    assertThat(Files.list(tmp.resolve("snaps/db")).map(p -> p.getFileName().toString())).containsExactly(GS);
    assertThat(Files.list(roots).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("into-live",
        "into-captures", "full");
    assertThat(tmp.resolve("elsewhere")).doesNotExist();
    assertThat(manager.status("r1")).isEmpty();
  }

  @Test
  void notEnoughFreeSpace_isRefusedBeforeAnythingIsWritten() {
    free.set(10);
    assertThatThrownBy(() -> manager.start(ref(GS), "r1", List.of(), false))
        .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("not enough space")
        .hasMessageContaining("16 bytes").hasMessageContaining("10 free");
    assertThat(roots).doesNotExist();
  }

  @Test
  void anEmptyTargetDirectory_isFilled() throws Exception {
    Path target = Files.createDirectories(roots.resolve("empty"));
    manager.start(ref(GS), "r1", List.of(to("db", target)), false);
    assertThat(awaitFinished("r1").getState()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(Trees.describe(target)).isEqualTo(Trees.describe(capture));
  }

  @Test
  void unknownOrUncommittedOrUnconfigured_areRefused() throws Exception {
    assertThatThrownBy(() -> manager.start(ref("gs-unknown"), "r1", List.of(), false))
        .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("keeps no capture of group snapshot");
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId("gs-2").setVolume("db").setPath(capture.toString())
        .setState(LocalSnapshotState.LOCAL_PENDING).build());
    assertThatThrownBy(() -> manager.start(ref("gs-2"), "r1", List.of(), false))
        .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("is not committed");
    assertThatThrownBy(() -> manager.start(ref(GS), "r1", List.of(to("other", roots.resolve("o"))), false))
        .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("keeps no capture of volume other");
    assertThatThrownBy(() -> manager.start(new TxnRef(CLUSTER, 1, GS), "r0", List.of(), false))
        .isInstanceOf(FencedException.class);
  }
}
