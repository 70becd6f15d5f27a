package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionTest {
  static final List<Member> MEMBERS = List.of(new Member("a", "h1:1", List.of("data")),
      new Member("b", "h2:1", List.of("data", "logs")), new Member("c", "h3:1", List.of("data")));

  AtomicLong nanos = new AtomicLong();
  Transaction txn;

  static TxnSpec spec() {
    return new TxnSpec("gs-1", "c-1", 7, "coord", MEMBERS, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @BeforeEach
  void setUp() {
    txn = new Transaction(spec(), DecisionRule.STRICT, Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC),
        nanos::get);
  }

  static List<Call> sends(List<TxnAction> actions) {
    return actions.stream().filter(a -> a instanceof TxnAction.Send).map(a -> ((TxnAction.Send) a).call()).toList();
  }

  static <T> List<T> of(List<TxnAction> actions, Class<T> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** FROZEN with a capture of every volume of every member (each member takes only its own). */
  static FreezeReply frozen(String ignored, long startedAt) {
    return new FreezeReply(true, "", List.of(new Captured("data", "/snaps/data", 2),
        new Captured("logs", "/snaps/logs", 2)), startedAt, 1);
  }

  /** Drives the transaction to THAWING; returns everything it asked for on the way. */
  List<TxnAction> toThawing() {
    List<TxnAction> all = new ArrayList<>(txn.start());
    all.addAll(txn.on(new TxnEvent.Persisted(TxnState.BEGINNING)));
    for (Member m : MEMBERS) {
      all.addAll(txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, ""))));
    }
    long t = 100;
    for (Member m : MEMBERS) {
      all.addAll(txn.on(new TxnEvent.FreezeAnswered(m.agentId(), frozen("data", t += 10))));
    }
    return all;
  }

  @Test
  void happyPath_begin_prepare_freeze_thaw_commit_finalize() {
    List<TxnAction> start = txn.start();
    assertThat(of(start, TxnAction.Persist.class)).singleElement()
        .satisfies(p -> assertThat(p.state()).isEqualTo(TxnState.BEGINNING));
    assertThat(sends(start)).isEmpty(); // nothing is sent before the record exists
    assertThat(sends(txn.on(new TxnEvent.Persisted(TxnState.BEGINNING)))).containsOnly(Call.PREPARE).hasSize(3);
    for (Member m : MEMBERS.subList(0, 2)) {
      assertThat(sends(txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, "")))))
          .isEmpty();
    }
    assertThat(sends(txn.on(new TxnEvent.PrepareAnswered("c", new PrepareReply(true, false, "")))))
        .containsOnly(Call.FREEZE).hasSize(3);
    txn.on(new TxnEvent.FreezeAnswered("a", frozen("data", 100)));
    txn.on(new TxnEvent.FreezeAnswered("b", frozen("data", 105)));
    List<TxnAction> last = txn.on(new TxnEvent.FreezeAnswered("c", frozen("data", 110)));
    assertThat(sends(last)).containsOnly(Call.THAW).hasSize(3);
    assertThat(of(last, TxnAction.Persist.class)).isEmpty(); // no ZooKeeper write inside the freeze window
    assertThat(txn.state()).isEqualTo(TxnState.THAWING);
    txn.on(new TxnEvent.ThawAnswered("a", new ThawReply(true, "", 150, 50)));
    txn.on(new TxnEvent.ThawAnswered("b", new ThawReply(true, "", 160, 55)));
    List<TxnAction> decided = txn.on(new TxnEvent.ThawAnswered("c", new ThawReply(true, "", 170, 60)));
    TxnAction.Persist commit = of(decided, TxnAction.Persist.class).get(0);
    assertThat(commit.state()).isEqualTo(TxnState.COMMITTING);
    assertThat(commit.record().getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(commit.record().getFreezeWindowMillis()).isEqualTo(170 - 100);
    assertThat(sends(decided)).isEmpty(); // agents hear of the commit only after it is durable
    assertThat(sends(txn.on(new TxnEvent.Persisted(TxnState.COMMITTING)))).containsOnly(Call.COMMIT).hasSize(3);
    txn.on(new TxnEvent.CommitAnswered("a", Ack.OK));
    txn.on(new TxnEvent.CommitAnswered("b", Ack.OK));
    List<TxnAction> done = txn.on(new TxnEvent.CommitAnswered("c", Ack.OK));
    GroupSnapshot result = of(done, TxnAction.Finish.class).get(0).result();
    assertThat(result.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(result.getMembersList()).hasSize(4).allSatisfy(m -> {
      assertThat(m.getState()).isEqualTo(MemberState.MEMBER_COMMITTED);
      assertThat(m.getSnapshotPath()).isNotEmpty();
    });
    assertThat(txn.state()).isEqualTo(TxnState.COMMITTED);
  }

  @Test
  void aNoAtPrepare_abortsEveryMember_andNeverFreezes() {
    txn.start();
    txn.on(new TxnEvent.Persisted(TxnState.BEGINNING));
    txn.on(new TxnEvent.PrepareAnswered("a", new PrepareReply(true, false, "")));
    List<TxnAction> no = txn.on(new TxnEvent.PrepareAnswered("b", new PrepareReply(false, false, "disk full")));
    assertThat(sends(no)).containsOnly(Call.ABORT).hasSize(3);
    assertThat(txn.state()).isEqualTo(TxnState.ABORTING);
    assertThat(sends(txn.on(new TxnEvent.PrepareAnswered("c", new PrepareReply(true, false, ""))))).isEmpty();
    GroupSnapshot result = finishAbort();
    assertThat(result.getAbortReason()).isEqualTo("member b voted NO at prepare (final): disk full");
    assertThat(result.getAbortMember()).isEqualTo("b");
  }

  @Test
  void aMissedFreezeDeadline_abortsAndThawsEveryone() {
    txn.start();
    txn.on(new TxnEvent.Persisted(TxnState.BEGINNING));
    MEMBERS.forEach(m -> txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, ""))));
    txn.on(new TxnEvent.FreezeAnswered("a", frozen("data", 100)));
    assertThat(sends(txn.on(new TxnEvent.DeadlinePassed(TxnState.PREPARING)))).isEmpty(); // stale deadline
    List<TxnAction> late = txn.on(new TxnEvent.DeadlinePassed(TxnState.FREEZING));
    assertThat(sends(late)).containsOnly(Call.ABORT).hasSize(3);
    GroupSnapshot result = finishAbort();
    assertThat(result.getAbortReason()).startsWith("no FROZEN answer within the freeze timeout of 10000ms from [b, c]");
    assertThat(result.getAbortMember()).isEqualTo("b");
  }

  @Test
  void aBrokenHold_aborts_evenThoughEveryoneFroze() {
    toThawing();
    txn.on(new TxnEvent.ThawAnswered("a", new ThawReply(true, "", 150, 50)));
    txn.on(new TxnEvent.ThawAnswered("b", new ThawReply(false, "lease expired before THAW", 160, 55)));
    List<TxnAction> decided = txn.on(new TxnEvent.ThawAnswered("c", new ThawReply(true, "", 170, 60)));
    assertThat(of(decided, TxnAction.Persist.class)).noneMatch(p -> p.state() == TxnState.COMMITTING);
    assertThat(sends(decided)).containsOnly(Call.ABORT);
    assertThat(finishAbort().getAbortReason()).isEqualTo("hold on b was broken: lease expired before THAW");
  }

  @Test
  void aCommitWriteThatFails_aborts() {
    toThawing();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.ThawAnswered(m.agentId(), new ThawReply(true, "", 150, 50))));
    assertThat(txn.state()).isEqualTo(TxnState.COMMITTING);
    List<TxnAction> failed = txn.on(new TxnEvent.PersistFailed(TxnState.COMMITTING, "fenced"));
    assertThat(sends(failed)).containsOnly(Call.ABORT);
    assertThat(finishAbort().getAbortReason()).isEqualTo("could not record the commit: fenced");
  }

  @Test
  void aCommitWriteWithUnknownOutcome_neverAborts() {
    toThawing();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.ThawAnswered(m.agentId(), new ThawReply(true, "", 150, 50))));
    List<TxnAction> doubt = txn.on(new TxnEvent.PersistFailed(TxnState.COMMITTING, "connection loss", false));
    assertThat(sends(doubt)).isEmpty();
    assertThat(txn.state()).isEqualTo(TxnState.IN_DOUBT);
    GroupSnapshot result = of(doubt, TxnAction.Finish.class).get(0).result();
    assertThat(result.getState()).isEqualTo(GroupSnapshotState.COMMITTING);
    assertThat(result.getAbortReason()).startsWith("commit outcome unknown");
    assertThat(txn.on(new TxnEvent.DeadlinePassed(TxnState.COMMITTING))).isEmpty();
  }

  @Test
  void afterTheCommitIsDurable_nothingAborts_andLostLeadershipStillReportsCommitted() {
    toThawing();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.ThawAnswered(m.agentId(), new ThawReply(true, "", 150, 50))));
    txn.on(new TxnEvent.Persisted(TxnState.COMMITTING));
    assertThat(sends(txn.on(new TxnEvent.DeadlinePassed(TxnState.FREEZING)))).isEmpty();
    List<TxnAction> lost = txn.on(new TxnEvent.LeadershipLost("suspended"));
    assertThat(of(lost, TxnAction.Finish.class).get(0).result().getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(sends(lost)).isEmpty();
  }

  @Test
  void losingLeadershipBeforeTheDecision_stopsIssuingCommands() {
    txn.start();
    txn.on(new TxnEvent.Persisted(TxnState.BEGINNING));
    List<TxnAction> lost = txn.on(new TxnEvent.LeadershipLost("suspended"));
    assertThat(sends(lost)).isEmpty();
    assertThat(of(lost, TxnAction.Finish.class).get(0).result().getAbortReason()).contains("leadership lost");
    assertThat(txn.on(new TxnEvent.PrepareAnswered("a", new PrepareReply(true, false, "")))).isEmpty();
  }

  @Test
  void aFrozenAnswerMissingACapture_abortsInsteadOfCommittingAHole() {
    txn.start();
    txn.on(new TxnEvent.Persisted(TxnState.BEGINNING));
    MEMBERS.forEach(m -> txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, ""))));
    txn.on(new TxnEvent.FreezeAnswered("a", frozen("data", 100)));
    List<TxnAction> partial = txn.on(new TxnEvent.FreezeAnswered("b",
        new FreezeReply(true, "", List.of(new Captured("data", "/snaps/data", 2)), 100, 1)));
    assertThat(sends(partial)).containsOnly(Call.ABORT);
    assertThat(finishAbort().getAbortReason()).contains("without a capture of [logs]");
  }

  @Test
  void duplicateAndUnknownAnswers_areIgnored() {
    txn.start();
    txn.on(new TxnEvent.Persisted(TxnState.BEGINNING));
    txn.on(new TxnEvent.PrepareAnswered("a", new PrepareReply(true, false, "")));
    assertThat(txn.on(new TxnEvent.PrepareAnswered("a", new PrepareReply(true, false, "")))).isEmpty();
    assertThat(txn.on(new TxnEvent.PrepareAnswered("zz", new PrepareReply(true, false, "")))).isEmpty();
    assertThat(txn.state()).isEqualTo(TxnState.PREPARING);
  }

  @Test
  void aBeginWriteThatFails_finishesAbortedWithoutContactingAnyone() {
    txn.start();
    List<TxnAction> failed = txn.on(new TxnEvent.PersistFailed(TxnState.BEGINNING, "no quorum"));
    assertThat(sends(failed)).isEmpty();
    assertThat(of(failed, TxnAction.Finish.class).get(0).result().getState()).isEqualTo(GroupSnapshotState.ABORTED);
  }

  @Test
  void theStateTable_refusesIllegalMoves_andFinalStatesAbsorb() {
    assertThat(TxnState.PREPARING.canMoveTo(TxnState.THAWING)).isFalse();
    assertThat(TxnState.FINALIZING.canMoveTo(TxnState.ABORTING)).isFalse();
    assertThat(TxnState.COMMITTED.canMoveTo(TxnState.ABORTING)).isFalse();
    assertThat(TxnState.ABORTED.canMoveTo(TxnState.PREPARING)).isFalse();
    assertThatThrownBy(() -> new TxnSpec("gs-1", "c", 1, "x", MEMBERS, Duration.ofSeconds(1), Duration.ofSeconds(10),
        Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessageContaining("must exceed the freeze timeout");
  }

  /** Acknowledges every ABORT and the final write; returns the final record. */
  private GroupSnapshot finishAbort() {
    List<TxnAction> out = new ArrayList<>();
    MEMBERS.forEach(m -> out.addAll(txn.on(new TxnEvent.AbortAnswered(m.agentId(), Ack.OK))));
    TxnAction.Persist fin = of(out, TxnAction.Persist.class).get(0);
    assertThat(fin.state()).isEqualTo(TxnState.ABORTED);
    assertThat(txn.state()).isEqualTo(TxnState.ABORTING);
    List<TxnAction> done = txn.on(new TxnEvent.Persisted(TxnState.ABORTED));
    assertThat(txn.state()).isEqualTo(TxnState.ABORTED);
    GroupSnapshot result = of(done, TxnAction.Finish.class).get(0).result();
    assertThat(result.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    return result;
  }
}
