package io.groupsnap.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.txn.TxnJournal;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.volume.testing.BackgroundWrite;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The btrfs and fsfreeze kinds driven through the agent's {@link Participant}, on real file systems. */
class FsVolumesParticipantTest {
  static final String CLUSTER = "c-1";
  static final Duration LEASE = Duration.ofSeconds(20);

  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.EXT4, LoopFs.Type.BTRFS);
  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  KindContext context;
  Participant participant;
  Volume volume;

  @BeforeEach
  void setUp() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
  }

  @AfterEach
  void tearDown() throws IOException {
    if (participant != null) {
      participant.releaseAll();
    }
    scheduler.shutdownNow();
    if (volume != null) {
      for (Volume.Found f : volume.listCaptures()) {
        volume.delete(f.location());
      }
    }
  }

  private Participant participant(String kind, Path path, Map<String, String> options, TxnJournal journal)
      throws Exception {
    VolumeConfig c = new VolumeConfig("vol", kind, path, options);
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    volume = setup.create(context);
    participant = new Participant("a1", List.of(volume), List.of(), SnapshotCatalog.onDisk(tmp.resolve("state")),
        new EpochFence(tmp.resolve("state"), CLUSTER), tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler,
        Clock.systemUTC(), System::nanoTime, journal);
    return participant;
  }

  static TxnRef ref(String txn) {
    return new TxnRef(CLUSTER, 1, txn);
  }

  static CompletableFuture<Void> writeInBackground(Path file, String text) {
    return BackgroundWrite.start(file, text);
  }

  @Test
  void btrfs_preparesFreezesThawsAndCommits_aReadOnlySnapshot_withoutEverFreezingTheFileSystem() throws Exception {
    LoopFs btrfs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
    Path data = btrfs.createSubvolume("data");
    Files.writeString(data.resolve("f"), "v1");
    Participant p = participant("btrfs", data, Map.of(), TxnJournal.inMemory());

    assertThat(p.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    FreezeResult f = p.freeze(ref("gs-1"), LEASE);
    assertThat(f.frozen()).as(f.reason()).isTrue();
    // a btrfs volume holds nothing frozen: writes go on during the hold
    assertThat(writeInBackground(data.resolve("during"), "x")).succeedsWithin(Duration.ofSeconds(5));
    ThawResult t = p.thaw(ref("gs-1"));
    assertThat(t.unbroken()).as(t.brokenReason()).isTrue();
    assertThat(p.commit(ref("gs-1"))).isEqualTo(1);

    Path captured = f.captures().get(0).path();
    assertThat(captured).isEqualTo(btrfs.mountPoint().resolve(".groupsnap/vol/gs-1"));
    assertThat(Files.readString(captured.resolve("f"))).isEqualTo("v1");
    assertThat(p.snapshots("gs-1")).singleElement()
        .satisfies(s -> assertThat(s.getState()).isEqualTo(LocalSnapshotState.LOCAL_KEPT));
  }

  @Test
  void ext4_isFrozenFromFreezeToThaw_andItsCopyCommits() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    Files.writeString(ext4.mountPoint().resolve("f"), "v1");
    Participant p = participant("fsfreeze", ext4.mountPoint(), Map.of(), TxnJournal.inMemory());

    assertThat(p.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    FreezeResult f = p.freeze(ref("gs-1"), LEASE);
    assertThat(f.frozen()).as(f.reason()).isTrue();
    CompletableFuture<Void> write;
    try {
      write = writeInBackground(ext4.mountPoint().resolve("f"), "v2");
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !write.isDone());
      ThawResult t = p.thaw(ref("gs-1"));
      assertThat(t.unbroken()).as(t.brokenReason()).isTrue();
    } finally {
      ext4.thawByAnotherProcess();
    }
    assertThat(write).succeedsWithin(Duration.ofSeconds(5));
    assertThat(p.commit(ref("gs-1"))).isEqualTo(1);
    assertThat(Files.readString(f.captures().get(0).path().resolve("f"))).isEqualTo("v1");
  }

  @Test
  void ext4_anExpiredLeaseThawsByItself_leavingNothingFrozen_andTheHoldCountsAsBroken() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    Participant p = participant("fsfreeze", ext4.mountPoint(), Map.of(), TxnJournal.inMemory());
    Duration lease = Duration.ofMillis(500);
    try {
      assertThat(p.prepare(ref("gs-1"), List.of(), lease).ok()).isTrue();
      assertThat(p.freeze(ref("gs-1"), lease).frozen()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> !p.isHolding());
      assertThat(writeInBackground(ext4.mountPoint().resolve("after-lease"), "x"))
          .as("a write completes: nothing is left frozen").succeedsWithin(Duration.ofSeconds(5));
      ThawResult t = p.thaw(ref("gs-1"));
      assertThat(t.unbroken()).isFalse();
      assertThat(t.brokenReason()).contains("expired before THAW");
    } finally {
      ext4.thawByAnotherProcess();
    }
  }

  @Test
  void ext4_abortThawsAndDeletesTheReadOnlyCopy() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    Files.writeString(ext4.mountPoint().resolve("f"), "v1");
    Participant p = participant("fsfreeze", ext4.mountPoint(), Map.of(), TxnJournal.inMemory());
    try {
      p.prepare(ref("gs-1"), List.of(), LEASE);
      FreezeResult f = p.freeze(ref("gs-1"), LEASE);
      assertThat(f.captures().get(0).path()).exists();
      assertThat(p.abort(ref("gs-1")).wasFrozen()).isTrue();
      assertThat(f.captures().get(0).path()).doesNotExist();
      assertThat(writeInBackground(ext4.mountPoint().resolve("g"), "x")).succeedsWithin(Duration.ofSeconds(5));
    } finally {
      ext4.thawByAnotherProcess();
    }
  }

  @Test
  void ext4_anAgentRestartedWhileFrozen_thawsFromItsJournal() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    TxnJournal journal = TxnJournal.onDisk(tmp.resolve("state"));
    Participant first = participant("fsfreeze", ext4.mountPoint(), Map.of(), journal);
    try {
      first.prepare(ref("gs-1"), List.of(), LEASE);
      assertThat(first.freeze(ref("gs-1"), LEASE).frozen()).isTrue();
      // the agent dies holding the freeze: a new agent on the same state thaws at start
      Participant restarted = new Participant("a1", List.of(volume), List.of(),
          SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), CLUSTER),
          tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler, Clock.systemUTC(), System::nanoTime,
          TxnJournal.onDisk(tmp.resolve("state")));
      assertThat(restarted.recoverAfterRestart()).containsExactly("gs-1");
      assertThat(writeInBackground(ext4.mountPoint().resolve("g"), "x")).succeedsWithin(Duration.ofSeconds(5));
    } finally {
      ext4.thawByAnotherProcess();
    }
  }

  @Test
  void aCaptureOntoAFileSystemAnotherVolumeFreezes_isRefusedAtPrepare_beforeAnythingFreezes() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    VolumeConfig c = new VolumeConfig("vol", "fsfreeze", ext4.mountPoint(), Map.of());
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    volume = setup.create(context);
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    // a dir volume whose copies go onto the ext4 that the fsfreeze volume freezes
    Volume dir = new DirVolume("logs", logs, ext4.mountPoint().resolve("snaps"), true, false);
    participant = new Participant("a1", List.of(volume, dir), List.of(),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), CLUSTER),
        tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler, Clock.systemUTC());

    var answer = participant.prepare(ref("gs-1"), List.of(), LEASE);
    assertThat(answer.ok()).isFalse();
    assertThat(answer.retryable()).isFalse();
    assertThat(answer.reason()).isEqualTo("volume logs: its capture location " + ext4.mountPoint()
        .resolve("snaps/logs/gs-1") + " is on " + ext4.mountPoint() + ", which volume vol freezes: the capture "
        + "would block until the lease ran out; keep captures off frozen file systems");
    assertThat(ext4.thawByAnotherProcess()).as("nothing was frozen").isFalse();
    assertThat(participant.prepare(ref("gs-2"), List.of("logs"), LEASE).ok())
        .as("each alone is fine").isTrue();
  }

  @Test
  void ext4_alreadyFrozenBySomeoneElse_failsTheFreeze_andLeavesTheirFreezeAlone() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    Participant p = participant("fsfreeze", ext4.mountPoint(), Map.of(), TxnJournal.inMemory());
    assertThat(p.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    ext4.freezeByAnotherProcess();
    try {
      FreezeResult f = p.freeze(ref("gs-1"), LEASE);
      assertThat(f.frozen()).isFalse();
      assertThat(f.reason()).isEqualTo("volume vol could not freeze: " + ext4.mountPoint() + " is already frozen "
          + "(by another process, or a freeze not yet thawed)");
      assertThat(p.isHolding()).isFalse();
    } finally {
      assertThat(ext4.thawByAnotherProcess()).as("the other process's freeze was left in place").isTrue();
    }
  }
}
