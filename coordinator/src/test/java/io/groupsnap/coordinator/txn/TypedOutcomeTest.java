package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.Held;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Timeouts are timeouts and votes are votes: why a transaction aborted is a type ({@link AbortCause}) with one
 * sentence, a failed call is never reported as a NO; whether a member confirmed is a fact of the transaction, not a
 * word in a message; the phase's deadline is the transaction's own timer, and a call's deadline comes later.
 */
class TypedOutcomeTest {
  static final List<Member> MEMBERS = List.of(new Member("a", "h1:1", List.of("data")),
      new Member("b", "h2:1", List.of("data")), new Member("c", "h3:1", List.of("data")));

  final AtomicLong nanos = new AtomicLong();
  Transaction txn;

  static TxnSpec spec(List<String> missing) {
    return new TxnSpec("gs-1", "c-1", 7, "coord", MEMBERS, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(10), missing);
  }

  @BeforeEach
  void setUp() {
    txn = new Transaction(spec(List.of()), DecisionRule.STRICT,
        Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC), nanos::get);
  }

  static <T> List<T> of(List<TxnAction> actions, Class<T> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static FreezeReply frozen(long startedAt) {
    return new FreezeReply(true, "", List.of(new Captured("data", "/snaps/data", 2)), startedAt, 3);
  }

  void prepared() {
    txn.start();
    txn.on(new TxnEvent.Persisted(TxnState.BEGINNING));
  }

  void frozenAll() {
    prepared();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, ""))));
    MEMBERS.forEach(m -> txn.on(new TxnEvent.FreezeAnswered(m.agentId(), frozen(100))));
  }

  /** Drives an abort to its end: every member confirms, the ABORTED record is written. */
  GroupSnapshot finishAbort() {
    MEMBERS.forEach(m -> txn.on(new TxnEvent.AbortAnswered(m.agentId(), Ack.OK)));
    List<TxnAction> end = txn.on(new TxnEvent.Persisted(TxnState.ABORTED));
    return of(end, TxnAction.Finish.class).get(0).result();
  }

  @Test
  void aPrepareCallPastItsDeadline_isATimeout_notAVote() {
    prepared();
    txn.on(new TxnEvent.PrepareAnswered("b", PrepareReply.failed(Failure.TIMED_OUT,
        "agent b at h2:1: DEADLINE_EXCEEDED deadline exceeded after 31.9s")));
    GroupSnapshot g = finishAbort();
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_TIMED_OUT);
    assertThat(g.getAbortReason()).doesNotContain("voted").isEqualTo("member b did not answer PREPARE in time: "
        + "agent b at h2:1: DEADLINE_EXCEEDED deadline exceeded after 31.9s");
    assertThat(g.getAbortMember()).isEqualTo("b");
  }

  @Test
  void anUnreachableMember_isUnreachable_andOneThatRefused_refused() {
    prepared();
    txn.on(new TxnEvent.PrepareAnswered("c", PrepareReply.failed(Failure.UNREACHABLE,
        "agent c at h3:1: UNAVAILABLE connection refused")));
    GroupSnapshot g = finishAbort();
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_UNREACHABLE);
    assertThat(g.getAbortReason()).isEqualTo("member c could not be reached for PREPARE: agent c at h3:1: "
        + "UNAVAILABLE connection refused");

    setUp();
    prepared();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, ""))));
    txn.on(new TxnEvent.FreezeAnswered("a", FreezeReply.failed(Failure.REFUSED,
        "agent a at h1:1: FAILED_PRECONDITION FREEZE for transaction gs-1 in state ABORTED")));
    GroupSnapshot refused = finishAbort();
    assertThat(refused.getAbortCause()).isEqualTo(AbortCause.ABORT_REFUSED);
    assertThat(refused.getAbortReason()).startsWith("member a refused FREEZE: ");
  }

  @Test
  void aNoAtPrepare_isAVote() {
    prepared();
    txn.on(new TxnEvent.PrepareAnswered("b", new PrepareReply(false, false, "disk full")));
    GroupSnapshot g = finishAbort();
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_VOTED_NO);
    assertThat(g.getAbortReason()).isEqualTo("member b voted NO at prepare (final): disk full");
  }

  @Test
  void theFreezeDeadline_isTheTransactionsTimer_andNamesTheMembersNotYetFrozen() {
    prepared();
    List<TxnAction> freeze = new java.util.ArrayList<>();
    MEMBERS.forEach(m -> freeze.addAll(txn.on(new TxnEvent.PrepareAnswered(m.agentId(),
        new PrepareReply(true, false, "")))));
    assertThat(of(freeze, TxnAction.ArmDeadline.class)).singleElement()
        .isEqualTo(new TxnAction.ArmDeadline(TxnState.FREEZING, Duration.ofSeconds(10)));
    txn.on(new TxnEvent.FreezeAnswered("a", frozen(100)));
    txn.on(new TxnEvent.DeadlinePassed(TxnState.FREEZING));
    GroupSnapshot g = finishAbort();
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_TIMED_OUT);
    assertThat(g.getAbortReason()).isEqualTo("no FROZEN answer within the freeze timeout of 10000ms from [b, c]");
    assertThat(g.getAbortMember()).isEqualTo("b");
  }

  @Test
  void everyCallsOwnDeadline_fallsAfterItsPhasesDeadline() {
    TxnSpec s = spec(List.of());
    for (Call c : Call.values()) {
      assertThat(s.callDeadline(c)).as("%s", c).isGreaterThan(s.phaseDeadline(c));
    }
    assertThat(s.phaseDeadline(Call.FREEZE)).isEqualTo(s.freezeTimeout());
  }

  @Test
  void aBrokenHold_isABrokenHold_butAThawCallThatFailed_isNot() {
    frozenAll();
    txn.on(new TxnEvent.ThawAnswered("a", new ThawReply(true, "", 150, 50)));
    txn.on(new TxnEvent.ThawAnswered("b", new ThawReply(false, "freeze lease of 15000ms expired before THAW", 160,
        55)));
    txn.on(new TxnEvent.ThawAnswered("c", new ThawReply(true, "", 170, 60)));
    GroupSnapshot broken = finishAbort();
    assertThat(broken.getAbortCause()).isEqualTo(AbortCause.ABORT_BROKEN_HOLD);
    assertThat(broken.getAbortReason()).isEqualTo("hold on b was broken: freeze lease of 15000ms expired before THAW");

    setUp();
    frozenAll();
    txn.on(new TxnEvent.ThawAnswered("a", new ThawReply(true, "", 150, 50)));
    txn.on(new TxnEvent.ThawAnswered("b", ThawReply.failed(Failure.UNREACHABLE, "agent b at h2:1: UNAVAILABLE")));
    txn.on(new TxnEvent.ThawAnswered("c", new ThawReply(true, "", 170, 60)));
    GroupSnapshot lost = finishAbort();
    assertThat(lost.getAbortCause()).isEqualTo(AbortCause.ABORT_UNREACHABLE);
    assertThat(lost.getAbortReason()).isEqualTo("member b could not be reached for THAW: agent b at h2:1: UNAVAILABLE");
  }

  @Test
  void aCommitAMemberNeverConfirmed_isNotMarkedFinalized() {
    frozenAll();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.ThawAnswered(m.agentId(), new ThawReply(true, "", 150, 50))));
    txn.on(new TxnEvent.Persisted(TxnState.COMMITTING));
    txn.on(new TxnEvent.CommitAnswered("a", Ack.OK));
    txn.on(new TxnEvent.CommitAnswered("b", Ack.OK));
    List<TxnAction> end = txn.on(new TxnEvent.DeadlinePassed(TxnState.FINALIZING)); // c never answered

    assertThat(of(end, TxnAction.Persist.class)).as("no finalized flag: c may not keep its capture").isEmpty();
    GroupSnapshot g = of(end, TxnAction.Finish.class).get(0).result();
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(g.getFinalized()).isFalse();
    MemberRecord c = g.getMembersList().stream().filter(m -> m.getAgentId().equals("c")).findFirst().orElseThrow();
    assertThat(c.getState()).isEqualTo(MemberState.MEMBER_COMMITTED);
    assertThat(c.getError()).startsWith("commit not confirmed: no answer within 10000ms");
  }

  @Test
  void aCommitEveryMemberConfirmed_isMarkedFinalized() {
    frozenAll();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.ThawAnswered(m.agentId(), new ThawReply(true, "", 150, 50))));
    txn.on(new TxnEvent.Persisted(TxnState.COMMITTING));
    txn.on(new TxnEvent.CommitAnswered("a", Ack.OK));
    txn.on(new TxnEvent.CommitAnswered("b", Ack.OK));
    List<TxnAction> end = txn.on(new TxnEvent.CommitAnswered("c", Ack.OK));
    assertThat(of(end, TxnAction.Persist.class)).singleElement()
        .satisfies(p -> assertThat(p.record().getFinalized()).isTrue());
  }

  @Test
  void anAbortConfirmation_bringsTheAgentsHoldIntoTheRecord() {
    prepared();
    MEMBERS.forEach(m -> txn.on(new TxnEvent.PrepareAnswered(m.agentId(), new PrepareReply(true, false, ""))));
    txn.on(new TxnEvent.FreezeAnswered("a", frozen(100)));
    txn.on(new TxnEvent.DeadlinePassed(TxnState.FREEZING));
    txn.on(new TxnEvent.AbortAnswered("a", Ack.aborted(new Held(MemberState.MEMBER_FROZEN, 100, 3, 10_040, false))));
    txn.on(new TxnEvent.AbortAnswered("b", Ack.aborted(new Held(MemberState.MEMBER_PREPARED, 101, 0, 9_990, false))));
    txn.on(new TxnEvent.AbortAnswered("c", Ack.aborted(Held.NONE)));
    GroupSnapshot g = of(txn.on(new TxnEvent.Persisted(TxnState.ABORTED)), TxnAction.Finish.class).get(0).result();
    assertThat(g.getMembersList()).extracting(MemberRecord::getAgentId, MemberRecord::getState,
        MemberRecord::getHeldMillis).containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", MemberState.MEMBER_ABORTED, 10_040L),
            org.assertj.core.groups.Tuple.tuple("b", MemberState.MEMBER_ABORTED, 9_990L),
            org.assertj.core.groups.Tuple.tuple("c", MemberState.MEMBER_ABORTED, 0L));
  }

  @Test
  void agentsLeftOut_areNamedInTheRecord() {
    txn = new Transaction(spec(List.of("d")), DecisionRule.STRICT, Clock.systemUTC(), nanos::get);
    TxnAction.Persist begin = of(txn.start(), TxnAction.Persist.class).get(0);
    assertThat(begin.record().getMissingAgentsList()).containsExactly("d");
  }
}
