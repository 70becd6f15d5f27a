package io.groupsnap.agent.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.Results.FreezeOutcome;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.Vote;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prepared transaction whose FREEZE does not come ends by itself at the deadline its PREPARE carried (or the
 * default), and a PREPARE of a newer epoch displaces a prepared one of an older epoch; on manual time.
 */
class PrepareDeadlineTest {
  static final String CLUSTER = "c-1";
  static final Duration LEASE = Duration.ofSeconds(10);

  @TempDir Path tmp;
  ManualScheduler time;
  RecordingWriter app;
  TxnJournal journal;
  Participant participant;

  @BeforeEach
  void setUp() throws Exception {
    time = new ManualScheduler();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    Path root = tmp.resolve("snaps");
    app = new RecordingWriter("app", 0, new CopyOnWriteArrayList<>());
    journal = TxnJournal.inMemory();
    participant = new Participant("a1", List.of(new DirVolume("data", data, root)), List.of(app),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(EpochFence.Store.inMemory(), CLUSTER), root,
        Duration.ofSeconds(60), time, Clock.systemUTC(), time::nanos, journal);
  }

  @AfterEach
  void tearDown() {
    participant.releaseAll();
  }

  static TxnRef ref(String txn, long epoch) {
    return new TxnRef(CLUSTER, epoch, txn);
  }

  @Test
  void aLonePrepareWithoutDeadline_endsAfterFortySeconds_andARealTransactionThenCommits() throws Exception {
    assertThat(participant.prepare(ref("gs-stray", 1), List.of(), Duration.ofSeconds(60)).ok()).isTrue();
    time.advance(Duration.ofMillis(39_999));
    PrepareResult early = participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    assertThat(early.vote()).isEqualTo(Vote.NO_RETRYABLE);
    assertThat(early.reason()).isEqualTo("busy with transaction gs-stray");

    time.advance(Duration.ofMillis(1));
    assertThat(participant.isActive("gs-stray")).as("ended by its own timer, no PREPARE needed").isFalse();
    assertThat(app.calls).containsExactly("prepare", "abort");
    assertThat(participant.snapshots("gs-stray")).isEmpty();
    assertThat(journal.entries()).isEmpty();

    assertThat(participant.prepare(ref("gs-2", 1), List.of(), LEASE).ok()).isTrue();
    assertThat(participant.freeze(ref("gs-2", 1), LEASE).frozen()).isTrue();
    assertThat(participant.thaw(ref("gs-2", 1)).unbroken()).isTrue();
    assertThat(participant.commit(ref("gs-2", 1))).isEqualTo(1);
    assertThat(participant.snapshots("gs-2")).singleElement()
        .satisfies(s -> assertThat(s.getState()).isEqualTo(LocalSnapshotState.LOCAL_KEPT));
  }

  @Test
  void aPreparedTransaction_endsAtTheDeadlineItsPrepareCarried_andItsFreezeIsThenAborted() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE, Duration.ofSeconds(2));
    time.advance(Duration.ofMillis(1_999));
    assertThat(participant.isActive("gs-1")).isTrue();
    time.advance(Duration.ofMillis(1));
    assertThat(participant.isActive("gs-1")).isFalse();
    assertThat(participant.snapshots("")).isEmpty();

    FreezeResult late = participant.freeze(ref("gs-1", 1), LEASE);
    assertThat(late.outcome()).isEqualTo(FreezeOutcome.ABORTED);
    assertThat(late.reason()).isEqualTo(
        "transaction gs-1 was already aborted on agent a1 (no FREEZE within 2000ms of its PREPARE)");
    assertThat(app.calls).containsExactly("prepare", "abort");
    assertThat(participant.isHolding()).isFalse();
  }

  @Test
  void aFreezeAfterTheDeadline_isAborted_evenBeforeTheTimerRan() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE, Duration.ofSeconds(2));
    time.jump(Duration.ofSeconds(3)); // the scheduler is late: the timer has not run

    FreezeResult late = participant.freeze(ref("gs-1", 1), LEASE);

    assertThat(late.outcome()).isEqualTo(FreezeOutcome.ABORTED);
    assertThat(app.calls).containsExactly("prepare", "abort");
    assertThat(participant.snapshots("")).isEmpty();
    assertThat(participant.prepare(ref("gs-2", 1), List.of(), LEASE).ok()).isTrue();
  }

  @Test
  void aFreezeInTime_isNotCutShortByThePrepareDeadline() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE, Duration.ofSeconds(2));
    time.advance(Duration.ofSeconds(1));
    assertThat(participant.freeze(ref("gs-1", 1), LEASE).frozen()).isTrue();
    time.advance(Duration.ofSeconds(5));
    assertThat(participant.isHolding()).isTrue();
    assertThat(participant.thaw(ref("gs-1", 1)).unbroken()).isTrue();
    assertThat(app.calls).containsExactly("prepare", "freeze", "thaw");
  }

  @Test
  void aPrepareOfANewerEpoch_displacesAPreparedOneOfAnOlderEpoch_atOnce() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE, Duration.ofMinutes(10));

    PrepareResult newer = participant.prepare(ref("gs-2", 2), List.of(), LEASE);

    assertThat(newer.ok()).isTrue();
    assertThat(participant.isActive("gs-1")).isFalse();
    assertThat(participant.snapshots("gs-1")).isEmpty();
    assertThat(app.calls).containsExactly("prepare", "abort", "prepare");
    PrepareResult again = participant.prepare(ref("gs-1", 2), List.of(), LEASE);
    assertThat(again.vote()).isEqualTo(Vote.ABORTED);
    assertThat(again.reason()).endsWith("(displaced by transaction gs-2 of the newer epoch 2)");
    assertThatThrownBy(() -> participant.freeze(ref("gs-1", 1), LEASE)).isInstanceOf(FencedException.class);
    assertThat(participant.freeze(ref("gs-2", 2), LEASE).frozen()).isTrue();
  }

  @Test
  void aPrepareOfANewerEpoch_neverDisplacesAFrozenTransaction_norOneOfTheSameEpoch() throws Exception {
    participant.prepare(ref("gs-1", 1), List.of(), LEASE);
    assertThat(participant.prepare(ref("gs-2", 1), List.of(), LEASE).reason())
        .isEqualTo("busy with transaction gs-1");
    assertThat(participant.freeze(ref("gs-1", 1), LEASE).frozen()).isTrue();

    PrepareResult newer = participant.prepare(ref("gs-3", 2), List.of(), LEASE);

    assertThat(newer.vote()).isEqualTo(Vote.NO_RETRYABLE);
    assertThat(newer.reason()).isEqualTo("busy with transaction gs-1");
    assertThat(participant.isHolding()).isTrue();
    assertThat(app.holding).isTrue();
  }
}
