package io.groupsnap.coordinator.txn;

import io.groupsnap.common.Formats;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.coordinator.txn.TxnAction.ArmDeadline;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnAction.Finish;
import io.groupsnap.coordinator.txn.TxnAction.MemberChanged;
import io.groupsnap.coordinator.txn.TxnAction.Persist;
import io.groupsnap.coordinator.txn.TxnAction.PhaseChanged;
import io.groupsnap.coordinator.txn.TxnAction.Send;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One group snapshot transaction on the leader, as a pure state machine: events in, actions out, no I/O, no threads.
 *
 * <p>The protocol of DESIGN.md §4. PREPARE every member; on all OK, FREEZE every member; the moment the last FROZEN
 * arrives, THAW every member (the freeze window ends here, before any ZooKeeper write); when every THAW answer is in,
 * the {@link DecisionRule} decides; a commit is made durable by one fenced write, then members are told to keep their
 * captures. Any NO, failed call, missed deadline or broken hold aborts: every member is told to thaw and delete, with
 * no ZooKeeper write in front of that message (an undecided record is aborted by any successor anyway).
 *
 * <p>Not thread-safe: a driver feeds events from one serialized executor. Duplicate and late answers are ignored;
 * final states absorb everything.
 */
public final class Transaction {
  private final TxnSpec spec;
  private final DecisionRule rule;
  private final Clock clock;
  private final LongSupplier nanos;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final Map<String, PrepareReply> prepared = new HashMap<>();
  private final Map<String, FreezeReply> frozen = new HashMap<>();
  private final Map<String, ThawReply> thawed = new HashMap<>();
  private final Set<String> finished = new HashSet<>();
  /** Members that did not confirm the COMMIT (no answer, or not every capture kept): no {@code finalized} then. */
  private final Set<String> unconfirmed = new HashSet<>();
  private final GroupSnapshot.Builder record;
  private TxnState state = TxnState.BEGINNING;
  private boolean sentAnything;
  /** ABORTING, every member answered (or timed out): only the final record write is outstanding. */
  private boolean closing;
  private long prepareStartNanos;
  private long freezeSentNanos;

  public Transaction(TxnSpec spec, DecisionRule rule, Clock clock, LongSupplier nanos) {
    this.spec = spec;
    this.rule = rule;
    this.clock = clock;
    this.nanos = nanos;
    spec.members().forEach(m -> members.put(m.agentId(), m));
    this.record = GroupSnapshot.newBuilder().setId(spec.txnId()).setState(GroupSnapshotState.PREPARING)
        .setCreatedAtMillis(clock.millis()).setEpoch(spec.epoch()).setCoordinator(spec.coordinator())
        .setFreezeTimeoutMillis(spec.freezeTimeout().toMillis()).setLeaseMillis(spec.lease().toMillis())
        .addAllMissingAgents(spec.missingAgents()).setGroup(spec.group()).setRunId(spec.runId())
        .setFormatVersion(Formats.CURRENT);
    for (Member m : spec.members()) {
      for (String v : m.volumes()) {
        record.addMembers(MemberRecord.newBuilder().setAgentId(m.agentId()).setVolume(v)
            .setState(MemberState.MEMBER_PENDING));
      }
    }
  }

  public TxnState state() {
    return state;
  }

  public TxnSpec spec() {
    return spec;
  }

  /** The record as it stands. */
  public GroupSnapshot record() {
    return record.build();
  }

  /** The first actions: write the record (BEGIN). */
  public List<TxnAction> start() {
    List<TxnAction> out = new ArrayList<>();
    out.add(new PhaseChanged(TxnState.BEGINNING, members.size() + " member(s)" + (spec.missingAgents().isEmpty()
        ? "" : "; left out, not registered: " + String.join(", ", spec.missingAgents()))));
    out.add(new Persist(TxnState.BEGINNING, record.build()));
    return out;
  }

  /** Feeds one event; returns what to do next. */
  public List<TxnAction> on(TxnEvent event) {
    List<TxnAction> out = new ArrayList<>();
    if (state.isFinal()) {
      return out;
    }
    if (event instanceof TxnEvent.Persisted p) {
      onPersisted(p.state(), out);
    } else if (event instanceof TxnEvent.PersistFailed f) {
      onPersistFailed(f, out);
    } else if (event instanceof TxnEvent.PrepareAnswered a) {
      onPrepare(a, out);
    } else if (event instanceof TxnEvent.FreezeAnswered a) {
      onFreeze(a, out);
    } else if (event instanceof TxnEvent.ThawAnswered a) {
      onThaw(a, out);
    } else if (event instanceof TxnEvent.CommitAnswered a) {
      onFinishAck(TxnState.FINALIZING, a.agentId(), a.ack(), out);
    } else if (event instanceof TxnEvent.AbortAnswered a) {
      onFinishAck(TxnState.ABORTING, a.agentId(), a.ack(), out);
    } else if (event instanceof TxnEvent.DeadlinePassed d) {
      onDeadline(d.state(), out);
    } else if (event instanceof TxnEvent.LeadershipLost l) {
      onLeadershipLost(l.why(), out);
    }
    return out;
  }

  private void onPersisted(TxnState what, List<TxnAction> out) {
    if (what == TxnState.BEGINNING && state == TxnState.BEGINNING) {
      move(TxnState.PREPARING, "asking " + members.size() + " member(s) to prepare", out);
      prepareStartNanos = nanos.getAsLong();
      sendAll(Call.PREPARE, out);
      out.add(new ArmDeadline(TxnState.PREPARING, spec.prepareTimeout()));
    } else if (what == TxnState.COMMITTING && state == TxnState.COMMITTING) {
      move(TxnState.FINALIZING, "commit recorded; members keep their captures", out);
      finished.clear();
      sendAll(Call.COMMIT, out);
      out.add(new ArmDeadline(TxnState.FINALIZING, spec.finishTimeout()));
    } else if (what == TxnState.ABORTED && closing) {
      closeAbort(out);
    }
  }

  private void onPersistFailed(TxnEvent.PersistFailed f, List<TxnAction> out) {
    switch (f.state()) {
      case BEGINNING -> abort(AbortReason.recordNotWritten(TxnState.BEGINNING, f.error()), out);
      case COMMITTING -> {
        if (f.definite()) {
          abort(AbortReason.recordNotWritten(TxnState.COMMITTING, f.error()), out);
        } else {
          // The commit may have been written: aborting could delete a committed group snapshot. Stop here; the
          // record tells the next leader (and each agent reconciling its pending capture) what happened.
          move(TxnState.IN_DOUBT, "commit outcome unknown: " + f.error(), out);
          out.add(new Finish(record.clone().setState(GroupSnapshotState.COMMITTING)
              .setAbortReason("commit outcome unknown (" + f.error() + "); the record in ZooKeeper decides")
              .build()));
        }
      }
      case ABORTED -> {
        if (closing) {
          closeAbort(out);
        }
      }
      default -> { } // ABORTING is informative only: a successor aborts an undecided record anyway
    }
  }

  private void onPrepare(TxnEvent.PrepareAnswered a, List<TxnAction> out) {
    if (state != TxnState.PREPARING || !members.containsKey(a.agentId()) || prepared.containsKey(a.agentId())) {
      return;
    }
    PrepareReply r = a.reply();
    prepared.put(a.agentId(), r);
    if (!r.ok()) {
      setMember(a.agentId(), MemberState.MEMBER_FAILED, r.reason(), true, out);
      abort(r.failure() == Failure.NONE ? AbortReason.votedNo(a.agentId(), r.retryable(), r.reason())
          : AbortReason.noAnswer(TxnState.PREPARING, a.agentId(), r.failure(), r.reason()), out);
      return;
    }
    setMember(a.agentId(), MemberState.MEMBER_PREPARED, "", false, out);
    if (prepared.size() == members.size()) {
      record.setPrepareMillis((nanos.getAsLong() - prepareStartNanos) / 1_000_000);
      move(TxnState.FREEZING, "freezing " + members.size() + " member(s)", out);
      freezeSentNanos = nanos.getAsLong();
      sendAll(Call.FREEZE, out);
      out.add(new ArmDeadline(TxnState.FREEZING, spec.freezeTimeout()));
    }
  }

  private void onFreeze(TxnEvent.FreezeAnswered a, List<TxnAction> out) {
    if (state != TxnState.FREEZING || !members.containsKey(a.agentId()) || frozen.containsKey(a.agentId())) {
      return;
    }
    FreezeReply r = a.reply();
    if (r.frozen()) {
      List<Captured> got = r.captured();
      List<String> missing = members.get(a.agentId()).volumes().stream()
          .filter(v -> got.stream().noneMatch(c -> c.volume().equals(v) && !c.path().isEmpty())).toList();
      if (!missing.isEmpty()) {
        r = new FreezeReply(false, "answered FROZEN without a capture of " + missing, List.of(),
            r.freezeStartedAtMillis(), r.timeToFrozenMillis());
      }
    }
    frozen.put(a.agentId(), r);
    if (!r.frozen()) {
      setMember(a.agentId(), MemberState.MEMBER_FAILED, r.reason(), true, out);
      abort(r.failure() == Failure.NONE ? AbortReason.notFrozen(a.agentId(), r.reason())
          : AbortReason.noAnswer(TxnState.FREEZING, a.agentId(), r.failure(), r.reason()), out);
      return;
    }
    MemberRecords.frozen(record, a.agentId(), r);
    setMember(a.agentId(), MemberState.MEMBER_FROZEN, "frozen in " + r.timeToFrozenMillis() + "ms", false, out);
    if (frozen.size() == members.size()) {
      // The cut: every member holds now. Release them before anything else happens.
      move(TxnState.THAWING, "all frozen; thawing", out);
      sendAll(Call.THAW, out);
      out.add(new ArmDeadline(TxnState.THAWING, spec.thawTimeout()));
    }
  }

  private void onThaw(TxnEvent.ThawAnswered a, List<TxnAction> out) {
    if (state != TxnState.THAWING || !members.containsKey(a.agentId()) || thawed.containsKey(a.agentId())) {
      return;
    }
    ThawReply r = a.reply();
    thawed.put(a.agentId(), r);
    MemberRecords.thawed(record, a.agentId(), r);
    if (r.unbroken()) {
      setMember(a.agentId(), MemberState.MEMBER_THAWED, "held " + r.heldMillis() + "ms", false, out);
    } else {
      setMember(a.agentId(), MemberState.MEMBER_FAILED, (r.failure() == Failure.NONE ? "hold broken: "
          : "no THAW answer: ") + r.reason(), true, out);
    }
    if (thawed.size() < members.size()) {
      return;
    }
    recordWindows();
    DecisionRule.Verdict v = rule.decide(spec.members(), frozen, thawed);
    if (!v.commit()) {
      abort(v.abort(), out);
      return;
    }
    move(TxnState.COMMITTING, "recording the commit", out);
    record.setState(GroupSnapshotState.COMMITTED).setFinishedAtMillis(clock.millis());
    for (int i = 0; i < record.getMembersCount(); i++) {
      record.getMembersBuilder(i).setState(MemberState.MEMBER_COMMITTED);
    }
    out.add(new Persist(TxnState.COMMITTING, record.build()));
  }

  private void recordWindows() {
    long firstStart = Long.MAX_VALUE;
    long lastThaw = 0;
    for (Member m : spec.members()) {
      FreezeReply f = frozen.get(m.agentId());
      ThawReply t = thawed.get(m.agentId());
      if (f != null && f.freezeStartedAtMillis() > 0) {
        firstStart = Math.min(firstStart, f.freezeStartedAtMillis());
      }
      if (t != null) {
        lastThaw = Math.max(lastThaw, t.thawedAtMillis());
      }
    }
    if (firstStart != Long.MAX_VALUE && lastThaw >= firstStart) {
      record.setFreezeWindowMillis(lastThaw - firstStart);
    }
    record.setCoordinatorWindowMillis((nanos.getAsLong() - freezeSentNanos) / 1_000_000);
  }

  private void onFinishAck(TxnState phase, String agentId, Replies.Ack ack, List<TxnAction> out) {
    if (state != phase || closing || !members.containsKey(agentId) || !finished.add(agentId)) {
      return;
    }
    if (!ack.ok()) {
      notConfirmed(agentId, ack.error(), out);
    } else if (state == TxnState.ABORTING) {
      MemberRecords.merge(record, agentId, ack.held());
      setMember(agentId, MemberState.MEMBER_ABORTED, "", false, out);
    }
    if (finished.size() == members.size()) {
      complete(out);
    }
  }

  private void onDeadline(TxnState phase, List<TxnAction> out) {
    if (phase != state || closing) {
      return;
    }
    switch (state) {
      case PREPARING -> abort(AbortReason.timedOut(state, spec.prepareTimeout(), missing(prepared.keySet())), out);
      case FREEZING -> abort(AbortReason.timedOut(state, spec.freezeTimeout(), missing(frozen.keySet())), out);
      case THAWING -> {
        List<String> late = missing(thawed.keySet());
        for (String id : late) {
          thawed.put(id, ThawReply.failed(Failure.TIMED_OUT, "no THAW answer within "
              + spec.thawTimeout().toMillis() + "ms"));
        }
        recordWindows();
        DecisionRule.Verdict v = rule.decide(spec.members(), frozen, thawed);
        abort(v.commit() ? AbortReason.timedOut(state, spec.thawTimeout(), late) : v.abort(), out);
      }
      case FINALIZING, ABORTING -> {
        for (String id : missing(finished)) {
          notConfirmed(id, "no answer within " + spec.finishTimeout().toMillis() + "ms; the agent reconciles later",
              out);
        }
        complete(out);
      }
      default -> { }
    }
  }

  private void onLeadershipLost(String why, List<TxnAction> out) {
    if (state.isDecidedCommit()) {
      move(TxnState.COMMITTED, "committed; leadership lost (" + why + ") before every member confirmed", out);
      out.add(new Finish(record.build()));
      return;
    }
    // Stop issuing commands at once. The outcome is the record's: a successor aborts an undecided transaction.
    TxnState was = state;
    move(TxnState.IN_DOUBT, "leadership lost (" + why + ")", out);
    GroupSnapshot.Builder report = record.clone();
    if (was == TxnState.COMMITTING) {
      // the commit write may still land (it is fenced by the term, so only if it was already applied)
      report.setState(GroupSnapshotState.COMMITTING)
          .setAbortReason("leadership lost (" + why + ") while the commit was being written; the record decides");
    } else {
      report.setState(was == TxnState.ABORTING ? GroupSnapshotState.ABORTING : GroupSnapshotState.PREPARING)
          .setAbortCause(AbortCause.ABORT_LEADER_LOST)
          .setAbortReason("leadership lost (" + why + ") before the decision; the next leader aborts this "
              + "transaction");
    }
    out.add(new Finish(report.build()));
  }

  private void complete(List<TxnAction> out) {
    if (state == TxnState.FINALIZING) {
      move(TxnState.COMMITTED, "committed", out);
      if (unconfirmed.isEmpty()) {
        out.add(new Persist(TxnState.COMMITTED, record.setFinalized(true).build()));
      }
      out.add(new Finish(record.build()));
    } else if (state == TxnState.ABORTING) {
      closing = true;
      record.setState(GroupSnapshotState.ABORTED).setFinishedAtMillis(clock.millis());
      out.add(new Persist(TxnState.ABORTED, record.build()));
    }
  }

  private void closeAbort(List<TxnAction> out) {
    move(TxnState.ABORTED, record.getAbortReason(), out);
    out.add(new Finish(record.build()));
  }

  /** Aborts unless already aborting or decided: every member is told to thaw and delete, at once. */
  private void abort(AbortReason why, List<TxnAction> out) {
    if (state == TxnState.ABORTING || state.isFinal() || state.isDecidedCommit()) {
      return;
    }
    String reason = why.sentence();
    record.setAbortReason(reason).setAbortMember(why.member()).setAbortCause(why.cause());
    if (!sentAnything) {
      move(TxnState.ABORTED, reason, out);
      record.setState(GroupSnapshotState.ABORTED).setFinishedAtMillis(clock.millis());
      out.add(new Finish(record.build()));
      return;
    }
    move(TxnState.ABORTING, reason, out);
    record.setState(GroupSnapshotState.ABORTING);
    finished.clear();
    sendAll(Call.ABORT, out);
    out.add(new Persist(TxnState.ABORTING, record.build()));
    out.add(new ArmDeadline(TxnState.ABORTING, spec.finishTimeout()));
  }

  private void move(TxnState next, String detail, List<TxnAction> out) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException("transaction " + spec.txnId() + ": " + state + " -> " + next
          + " is not allowed");
    }
    state = next;
    out.add(new PhaseChanged(next, detail));
  }

  private void sendAll(Call call, List<TxnAction> out) {
    sentAnything = true;
    for (Member m : spec.members()) {
      out.add(new Send(call, m));
    }
  }

  /**
   * A member did not confirm the COMMIT (it stays COMMITTED: the decision stands, and the record is not marked
   * finalized, so a leader sends COMMIT again) or the ABORT (FAILED: its reaper reconciles from the record).
   */
  private void notConfirmed(String agentId, String why, List<TxnAction> out) {
    boolean commit = state == TxnState.FINALIZING;
    if (commit) {
      unconfirmed.add(agentId);
    }
    setMember(agentId, commit ? MemberState.MEMBER_COMMITTED : MemberState.MEMBER_FAILED,
        (commit ? "commit" : "abort") + " not confirmed: " + why, true, out);
  }

  /** Sets a member's state; with {@code isError}, {@code detail} is kept as its error in the record. */
  private void setMember(String agentId, MemberState s, String detail, boolean isError, List<TxnAction> out) {
    MemberRecords.set(record, agentId, s, isError ? detail : "");
    out.add(new MemberChanged(agentId, s, detail));
  }

  private List<String> missing(Set<String> answered) {
    return members.keySet().stream().filter(id -> !answered.contains(id)).toList();
  }
}
