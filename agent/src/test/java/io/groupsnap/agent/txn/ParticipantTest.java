package io.groupsnap.agent.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParticipantTest {
  static final String CLUSTER = "c-1";
  static final Duration LEASE = Duration.ofSeconds(10);

  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  RecordingWriter app;
  RecordingWriter fs;
  List<String> order;
  Participant participant;
  Path root;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    root = tmp.resolve("snaps");
    order = new java.util.concurrent.CopyOnWriteArrayList<>();
    app = new RecordingWriter("app", 0, order);
    fs = new RecordingWriter("fs", 1, order);
    participant = new Participant("a1", List.of(new DirVolume("data", data, root)), List.of(fs, app),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), CLUSTER), root,
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    participant.releaseAll();
    scheduler.shutdownNow();
  }

  static TxnRef ref(String txn, long epoch) {
    return new TxnRef(CLUSTER, epoch, txn);
  }

  @Test
  void happyPath_freezesInTiers_capturesAndKeeps() throws Exception {
    assertThat(participant.prepare(ref("gs-1", 1), List.of(), LEASE).ok()).isTrue();
    assertThat(participant.snapshots("gs-1")).singleElement()
        .satisfies(s -> assertThat(s.getState()).isEqualTo(LocalSnapshotState.LOCAL_PENDING));
    FreezeResult f = participant.freeze(ref("gs-1", 1), LEASE);
    assertThat(f.frozen()).isTrue();
    assertThat(app.holding).isTrue();
    assertThat(participant.isHolding()).isTrue();
    assertThat(Files.readString(f.captures().get(0).path().resolve("f"))).isEqualTo("v1");
    ThawResult t = participant.thaw(ref("gs-1", 1));
    assertThat(t.unbroken()).isTrue();
    assertThat(app.holding).isFalse();
    assertThat(participant.isHolding()).isFalse();
    assertThat(participant.commit(ref("gs-1", 1))).isEqualTo(1);
    assertThat(participant.snapshots("gs-1")).singleElement()
        .satisfies(s -> assertThat(s.getState()).isEqualTo(LocalSnapshotState.LOCAL_KEPT));
    // tier 0 (applications) freezes before tier 1 (file systems) and thaws after it
    assertThat(order).containsExactly("app:prepare", "fs:prepare", "app:freeze", "fs:freeze", "fs:thaw",
        "app:thaw");
  }

  @Test
  void everyPhase_isIdempotent() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    PrepareResult again = participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    assertThat(again.ok()).isTrue();
    FreezeResult f1 = participant.freeze(ref("gs-1", 1), LEASE);
    FreezeResult f2 = participant.freeze(ref("gs-1", 1), LEASE);
    assertThat(f2).isSameAs(f1);
    assertThat(participant.thaw(ref("gs-1", 1))).isSameAs(participant.thaw(ref("gs-1", 1)));
    assertThat(app.calls).containsExactly("prepare", "freeze", "thaw");
  }

  @Test
  void commit_tellsEveryWriterOnce_andAnAbortedTransactionTellsNone() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    participant.freeze(ref("gs-1", 1), LEASE);
    participant.thaw(ref("gs-1", 1));
    participant.commit(ref("gs-1", 1));
    participant.commit(ref("gs-1", 1));
    assertThat(app.calls).containsExactly("prepare", "freeze", "thaw", "committed");
    assertThat(fs.calls).containsExactly("prepare", "freeze", "thaw", "committed");
    participant.prepare(ref("gs-2", 1), List.of(), LEASE);
    participant.abort(ref("gs-2", 1));
    assertThat(app.calls).containsExactly("prepare", "freeze", "thaw", "committed", "prepare", "abort");
  }

  @Test
  void aWriterVotingNo_freezesNothing_andLeavesNoPendingSnapshot() throws Exception {
    app.prepare = WriterResult.nonRetryable("replica lagging");
    PrepareResult r = participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    assertThat(r.ok()).isFalse();
    assertThat(r.retryable()).isFalse();
    assertThat(r.reason()).isEqualTo("writer app: replica lagging");
    assertThat(app.calls).doesNotContain("freeze");
    assertThat(participant.snapshots("")).isEmpty();
    assertThatThrownBy(() -> participant.freeze(ref("gs-1", 1), LEASE)).isInstanceOf(WrongPhaseException.class);
  }

  @Test
  void theLeaseWatchdog_thawsByItself_andThawThenReportsTheHoldBroken() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), Duration.ofMillis(300));
    assertThat(participant.freeze(ref("gs-1", 1), Duration.ofMillis(300)).frozen()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !app.holding && !participant.isHolding());
    ThawResult t = participant.thaw(ref("gs-1", 1));
    assertThat(t.unbroken()).isFalse();
    assertThat(t.brokenReason()).contains("expired before THAW");
    assertThatThrownBy(() -> participant.commit(ref("gs-1", 1))).isInstanceOf(WrongPhaseException.class);
  }

  @Test
  void aWriterFailingAtThaw_breaksTheHold() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    participant.freeze(ref("gs-1", 1), LEASE);
    app.thaw = WriterResult.nonRetryable("gave up holding");
    ThawResult t = participant.thaw(ref("gs-1", 1));
    assertThat(t.unbroken()).isFalse();
    assertThat(t.brokenReason()).contains("writer app thaw: gave up holding");
  }

  @Test
  void aWriterFailingToFreeze_thawsWhatWasFrozen_andDeletesCaptures() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    fs.freeze = WriterResult.retryable("device busy");
    FreezeResult f = participant.freeze(ref("gs-1", 1), LEASE);
    assertThat(f.frozen()).isFalse();
    assertThat(f.reason()).contains("writer fs could not freeze: device busy");
    assertThat(app.holding).isFalse();
    assertThat(participant.isHolding()).isFalse();
    assertThat(participant.snapshots("")).isEmpty();
    assertThat(captures()).isEmpty();
  }

  @Test
  void abort_thawsAndDeletesEverything_andIsIdempotent() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    participant.freeze(ref("gs-1", 1), LEASE);
    assertThat(captures()).hasSize(1);
    Results.AbortResult a = participant.abort(ref("gs-1", 1));
    assertThat(a.wasFrozen()).isTrue();
    assertThat(a.deleted()).isEqualTo(1);
    assertThat(participant.abort(ref("gs-1", 1))).isSameAs(a);
    assertThat(app.holding).isFalse();
    assertThat(captures()).isEmpty();
    assertThat(participant.snapshots("")).isEmpty();
  }

  @Test
  void anAbortDuringASlowFreeze_thawsWhatIsFrozenAtOnce_andTheFreezeCleansUp() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    fs.freezeGate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<FreezeResult> freezing = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> {
          try {
            return participant.freeze(ref("gs-1", 1), LEASE);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> fs.holding);
    assertThat(app.holding).isTrue();
    Results.AbortResult a = participant.abort(ref("gs-1", 1));
    assertThat(a.wasFrozen()).isTrue();
    assertThat(app.holding).as("the application already frozen is released by the abort itself").isFalse();
    fs.freezeGate.countDown();
    FreezeResult f = freezing.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(f.frozen()).isFalse();
    assertThat(f.reason()).isEqualTo("aborted during FREEZE");
    assertThat(participant.isHolding()).isFalse();
    assertThat(captures()).isEmpty();
    assertThat(participant.snapshots("")).isEmpty();
  }

  @Test
  void aDirVolumeNoWriterHolds_isRefusedAtPrepare_unlessDeclaredUnheld() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("other"));
    ScheduledExecutorService s2 = Executors.newSingleThreadScheduledExecutor();
    try {
      Participant bare = new Participant("a2", List.of(new DirVolume("data", data, root)), List.of(),
          SnapshotCatalog.inMemory(), new EpochFence(EpochFence.Store.inMemory(), CLUSTER), root,
          Duration.ofSeconds(60), s2, Clock.systemUTC());
      PrepareResult r = bare.prepare(ref("gs-1", 1), List.of(), LEASE);
      assertThat(r.ok()).isFalse();
      assertThat(r.retryable()).isFalse();
      assertThat(r.reason()).startsWith("volume data: no writer holds it");
      Participant declared = new Participant("a3", List.of(new DirVolume("data", data, root, true, false)),
          List.of(), SnapshotCatalog.inMemory(), new EpochFence(EpochFence.Store.inMemory(), CLUSTER), root,
          Duration.ofSeconds(60), s2, Clock.systemUTC());
      assertThat(declared.prepare(ref("gs-2", 1), List.of(), LEASE).ok()).isTrue();
    } finally {
      s2.shutdownNow();
    }
  }

  @Test
  void aVolumeWhosePathNowLeadsOutsideTheVolumeRoots_isRefusedAtPrepare() throws Exception {
    Path allowed = Files.createDirectories(tmp.resolve("srv"));
    Path outside = Files.createDirectories(tmp.resolve("etc-like"));
    Path link = allowed.resolve("data");
    Files.createSymbolicLink(link, outside); // the volume's path was swapped for a link after the config was checked
    ScheduledExecutorService s2 = Executors.newSingleThreadScheduledExecutor();
    try {
      Participant p = new Participant("a4", List.of(new DirVolume("data", link, root, true, false)), List.of(),
          SnapshotCatalog.inMemory(), new EpochFence(EpochFence.Store.inMemory(), CLUSTER), root,
          Duration.ofSeconds(60), s2, Clock.systemUTC());
      p.confineVolumesTo(List.of(allowed.toRealPath()));
      PrepareResult r = p.prepare(ref("gs-1", 1), List.of(), LEASE);
      assertThat(r.ok()).isFalse();
      assertThat(r.retryable()).isFalse();
      assertThat(r.reason()).startsWith("volume data: path " + link + " (really " + outside.toRealPath()
          + ") is outside the configured volumeRoots");
      assertThat(p.isHolding()).isFalse();
      assertThat(p.snapshots("")).isEmpty();
      Files.delete(link);
      Files.createDirectories(link);
      assertThat(p.prepare(ref("gs-2", 1), List.of(), LEASE).ok()).as("a real directory inside the root").isTrue();
    } finally {
      s2.shutdownNow();
    }
  }

  @Test
  void aWriterWhoseFreezeFails_isStillThawed() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    fs.freeze = WriterResult.nonRetryable("hook timed out");
    assertThat(participant.freeze(ref("gs-1", 1), LEASE).frozen()).isFalse();
    assertThat(fs.calls).containsSubsequence("freeze", "thaw");
    assertThat(app.calls).containsSubsequence("freeze", "thaw");
  }

  @Test
  void aPrepareArrivingAfterItsAbort_isRefused() throws Exception {
    participant.abort(ref("gs-9", 1));
    PrepareResult late = participant.prepare(ref("gs-9", 1), List.of(), LEASE);
    assertThat(late.ok()).isFalse();
    assertThat(late.reason()).contains("already aborted");
    assertThat(app.calls).isEmpty();
    assertThat(participant.snapshots("")).isEmpty();
  }

  @Test
  void aPrepareOrFreezeRepeatedAfterItsAbort_answersAborted_notItsEarlierOk() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    assertThat(participant.freeze(ref("gs-1", 1), LEASE).frozen()).isTrue();
    participant.abort(ref("gs-1", 1));

    PrepareResult prepare = participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    FreezeResult freeze = participant.freeze(ref("gs-1", 1), LEASE);

    assertThat(prepare.vote()).isEqualTo(Results.Vote.ABORTED);
    assertThat(prepare.ok()).isFalse();
    assertThat(prepare.reason())
        .isEqualTo("transaction gs-1 was already aborted on agent a1 (ABORT from the coordinator)");
    assertThat(freeze.outcome()).isEqualTo(Results.FreezeOutcome.ABORTED);
    assertThat(freeze.frozen()).isFalse();
    assertThat(freeze.captures()).isEmpty();
    assertThat(freeze.reason()).isEqualTo(prepare.reason());
    assertThat(app.calls).containsExactly("prepare", "freeze", "thaw", "abort");
  }

  @Test
  void aFreezeAfterTheAbortOfAPreparedTransaction_answersAborted() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    participant.abort(ref("gs-1", 1));

    FreezeResult freeze = participant.freeze(ref("gs-1", 1), LEASE);

    assertThat(freeze.outcome()).isEqualTo(Results.FreezeOutcome.ABORTED);
    assertThat(app.calls).containsExactly("prepare", "abort");
    assertThat(participant.snapshots("")).isEmpty();
  }

  @Test
  void aFreezeRepeatedAfterItFailed_answersAbortedWithWhy() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    fs.freeze = WriterResult.retryable("device busy");
    assertThat(participant.freeze(ref("gs-1", 1), LEASE).outcome()).isEqualTo(Results.FreezeOutcome.FAILED);

    FreezeResult again = participant.freeze(ref("gs-1", 1), LEASE);

    assertThat(again.outcome()).isEqualTo(Results.FreezeOutcome.ABORTED);
    assertThat(again.reason()).endsWith("(its FREEZE failed: writer fs could not freeze: device busy)");
  }

  @Test
  void aLeaseTooShortForAWatchdog_isRefused() throws Exception {
    PrepareResult r = participant.prepare(ref("gs-1", 1), List.of(), Duration.ofMillis(5));
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("outside [100ms");
  }

  @Test
  void aRestart_thawsWhatTheJournalSaysMayBeHeld_andForgetsIt() throws Exception {
    TxnJournal journal = TxnJournal.inMemory();
    SnapshotCatalog catalog = SnapshotCatalog.inMemory();
    EpochFence.Store epochs = EpochFence.Store.inMemory();
    Path data = tmp.resolve("data");
    Participant before = new Participant("a1", List.of(new DirVolume("data", data, root)), List.of(fs, app),
        catalog, new EpochFence(epochs, CLUSTER), root, Duration.ofSeconds(60), scheduler, Clock.systemUTC(),
        System::nanoTime, journal);
    before.prepare(ref("gs-1", 1), List.of(), LEASE);
    assertThat(before.freeze(ref("gs-1", 1), LEASE).frozen()).isTrue();
    assertThat(app.holding).isTrue();
    // kill -9: the process is gone, its memory too; a new one starts over the same durable state
    Participant after = new Participant("a1", List.of(new DirVolume("data", data, root)), List.of(fs, app),
        catalog, new EpochFence(epochs, CLUSTER), root, Duration.ofSeconds(60), scheduler, Clock.systemUTC(),
        System::nanoTime, journal);
    assertThat(after.recoverAfterRestart()).containsExactly("gs-1");
    assertThat(app.holding).isFalse();
    assertThat(fs.holding).isFalse();
    assertThat(journal.entries()).isEmpty();
    assertThatThrownBy(() -> after.thaw(ref("gs-1", 1))).isInstanceOf(WrongPhaseException.class);
    assertThat(after.snapshots("gs-1")).as("the capture waits for the reaper's decision").hasSize(1);
  }

  @Test
  void aPreparedTransactionTheRecordEnded_doesNotMakeTheAgentBusy() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE); // its ABORT was lost
    assertThat(participant.prepare(ref("gs-2", 1), List.of(), LEASE).reason()).isEqualTo("busy with transaction gs-1");
    participant.consultRecords(id -> id.equals("gs-1"));
    assertThat(participant.prepare(ref("gs-3", 1), List.of(), LEASE).ok()).isTrue();
    assertThat(participant.snapshots("gs-1")).isEmpty();
    assertThat(app.calls).contains("abort");
  }

  @Test
  void staleEpochsAndOtherClusters_areRefused() throws Exception {
    participant.prepare(ref("gs-2", 5), List.of(), LEASE);
    assertThatThrownBy(() -> participant.freeze(ref("gs-2", 4), LEASE)).isInstanceOf(FencedException.class)
        .hasMessageContaining("stale epoch 4");
    assertThatThrownBy(() -> participant.abort(new TxnRef("other", 9, "gs-2")))
        .isInstanceOf(FencedException.class).hasMessageContaining("belongs to c-1");
    assertThat(app.calls).containsExactly("prepare");
  }

  @Test
  void theHighestEpoch_survivesARestart() throws Exception {
    participant.prepare(ref("gs-1", 7), List.of(), LEASE);
    EpochFence reloaded = new EpochFence(tmp.resolve("state"), CLUSTER);
    assertThat(reloaded.highest()).isEqualTo(7);
    assertThatThrownBy(() -> reloaded.admit(ref("gs-x", 6))).isInstanceOf(FencedException.class);
    assertThat(new EpochFence(tmp.resolve("state"), "new-cluster").highest()).isZero();
  }

  @Test
  void badRequests_areRefusedAtPrepare_withTheReason() throws Exception {
    PrepareResult unknown = participant.prepare(ref("gs-1", 1), List.of("logs"), LEASE);
    assertThat(unknown.reason()).isEqualTo("unknown volume 'logs' on agent a1 (has: data)");
    PrepareResult tooLong = participant.prepare(ref("gs-2", 1), List.of(), Duration.ofMinutes(5));
    assertThat(tooLong.ok()).isFalse();
    assertThat(tooLong.reason()).contains("maxFreezeLease");
    assertThat(app.calls).isEmpty();
  }

  @Test
  void aSecondTransaction_isRefusedAsBusy_whileTheFirstHolds() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    participant.freeze(ref("gs-1", 1), LEASE);
    PrepareResult second = participant.prepare(ref("gs-2", 1), List.of(), LEASE);
    assertThat(second.ok()).isFalse();
    assertThat(second.retryable()).isTrue();
    assertThat(second.reason()).isEqualTo("busy with transaction gs-1");
  }

  private List<Path> captures() throws Exception {
    Path dir = root.resolve("data");
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
