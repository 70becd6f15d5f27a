package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.txn.AbortReason;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.MemberRecords;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * What a new leader does before anything else, as {@code Coordinator#recover} and {@code #resolveOnce}: with the
 * agents registered now, (1) every undecided record: ABORT with the new epoch to each registered member, one after
 * another, then write it ABORTED over the record as it is then, if still undecided ({@code ClusterStore#replaceTxn}),
 * keeping what was written and the agents' reports, by the production {@link MemberRecords#abortedBySuccessor};
 * (2) every committed record not finalized: COMMIT to each registered member, and once every member confirmed (each
 * kept all its captures), write it finalized, if still committed and not finalized; (3) every DELETING record: DELETE
 * on every member, and when all succeeded, write it DELETED (else it stays DELETING). A failed write fails the
 * attempt; attempts are retried with a doubling backoff (500 ms in the real code, scaled down here), and after the
 * last the leader gives leadership back. The leader repeats the same pass periodically while it leads
 * ({@code Coordinator#resolveQuietly}), leaving out the records of its own running transaction; a failed periodic
 * pass just ends. Simplification: a pass whose term ends stops at its next step (the real one runs on until its
 * fenced write fails).
 */
final class Recovery {
  static final int ATTEMPTS = 5;
  static final long FIRST_BACKOFF_NANOS = 20 * FaultPlan.MS;

  private final World w;
  private final SimCoordinator owner;
  private final SimCoordinator.Term term;
  private final Predicate<String> running;
  private final boolean periodic;
  private Runnable ready;
  private Runnable givingUp;

  private Recovery(World w, SimCoordinator owner, SimCoordinator.Term term, Predicate<String> running,
      boolean periodic) {
    this.w = w;
    this.owner = owner;
    this.term = term;
    this.running = running;
    this.periodic = periodic;
  }

  /** A new leader's recovery. */
  static Recovery afterElection(World w, SimCoordinator owner, SimCoordinator.Term term) {
    return new Recovery(w, owner, term, id -> false, false);
  }

  /** The leader's periodic pass, leaving out records whose transaction is {@code running} here. */
  static Recovery periodic(World w, SimCoordinator owner, SimCoordinator.Term term, Predicate<String> running) {
    return new Recovery(w, owner, term, running, true);
  }

  /** Runs attempts until one succeeds ({@code whenReady}) or the last fails ({@code whenGivingUp}). */
  void start(Runnable whenReady, Runnable whenGivingUp) {
    this.ready = whenReady;
    this.givingUp = whenGivingUp;
    attempt(1);
  }

  /** One periodic pass; {@code done} runs when it ended, successfully or not (unless the term ended). */
  void once(Runnable done) {
    this.ready = done;
    this.givingUp = done;
    attempt(ATTEMPTS);
  }

  /** The spec recovery's requests carry, as {@code Coordinator#resolve} builds it. */
  static TxnSpec spec(World w, SimCoordinator owner, SimCoordinator.Term term, String id, List<Member> members) {
    FaultPlan p = w.plan;
    return new TxnSpec(id, w.clusterId, term.epoch(), owner.name(), members, p.prepareTimeout(), p.freezeTimeout(),
        p.freezeTimeout().plusSeconds(1), p.thawTimeout(), p.finishTimeout());
  }

  private boolean current() {
    return owner.alive() && owner.term() == term;
  }

  private void attempt(int n) {
    if (!current()) {
      return;
    }
    Set<String> registered = new TreeSet<>();
    w.agents.stream().filter(SimAgent::up).forEach(a -> registered.add(a.id()));
    Consumer<Exception> failed = e -> failed(n, e);
    resolveAll(new ArrayDeque<>(w.store.unfinished()), true, registered, failed,
        () -> resolveAll(new ArrayDeque<>(w.store.unfinalized()), false, registered, failed,
            () -> finishDeletions(new ArrayDeque<>(w.store.deleting()), failed, ready)));
  }

  private void failed(int n, Exception e) {
    if (!current()) {
      return;
    }
    w.note(owner.name() + ": " + (periodic ? "periodic resolution" : "recovery attempt " + n) + " failed ("
        + e.getMessage() + ")");
    if (n == ATTEMPTS) {
      givingUp.run();
      return;
    }
    w.stats.count(SimStats.Outcome.RECOVERY_RETRIES);
    w.loop.at(FIRST_BACKOFF_NANOS << (n - 1), owner.name() + ": recovery attempt " + (n + 1), () -> attempt(n + 1));
  }

  /** Aborts ({@code abort}) or finishes the commit of each record in turn, then {@code next}. */
  private void resolveAll(ArrayDeque<GroupSnapshot> todo, boolean abort, Set<String> registered,
      Consumer<Exception> failed, Runnable next) {
    if (!current()) {
      return;
    }
    GroupSnapshot listed = todo.poll();
    if (listed == null) {
      next.run();
      return;
    }
    GroupSnapshot g = still(listed, running, abort ? r -> ClusterStore.undecided(r.getState())
        : r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized());
    if (g == null) {
      resolveAll(todo, abort, registered, failed, next);
      return;
    }
    if (periodic) {
      w.stats.count(SimStats.Outcome.RESOLVED_BY_THE_LEADER_PERIODICALLY);
    }
    List<Member> members = Deletion.members(g);
    TxnSpec spec = spec(w, owner, term, g.getId(), members);
    AbortReason lost = AbortReason.leftUndecided(g.getEpoch(), term.epoch());
    String reason = g.getAbortReason().isEmpty() ? lost.sentence() : g.getAbortReason();
    w.stats.count(abort ? SimStats.Outcome.RECOVERY_ABORTS : SimStats.Outcome.RECOVERY_COMMITS_RESENT);
    w.note(owner.name() + (abort ? " aborts " : " finishes the commit of ") + g.getId() + " left " + g.getState()
        + " by epoch " + g.getEpoch());
    Map<String, Ack> answers = new LinkedHashMap<>();
    callMembers(spec, abort ? Call.ABORT : Call.COMMIT, reason, registered, 0, answers, () -> {
      Runnable more = () -> resolveAll(todo, abort, registered, failed, next);
      boolean allConfirmed = answers.size() == spec.members().size()
          && answers.values().stream().allMatch(Ack::ok);
      if (abort) {
        write(g.getId(), r -> ClusterStore.undecided(r.getState()),
            r -> MemberRecords.abortedBySuccessor(r, answers, lost, owner.clock().millis()), failed, more);
      } else if (allConfirmed) {
        w.stats.count(SimStats.Outcome.RECOVERY_FINALIZED);
        write(g.getId(), r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized(),
            r -> r.toBuilder().setFinalized(true).build(), failed, more);
      } else {
        more.run();
      }
    });
  }

  /** Calls each member in turn, collecting its answer (an unregistered one is skipped: no answer, unconfirmed). */
  private void callMembers(TxnSpec spec, Call call, String reason, Set<String> registered, int i,
      Map<String, Ack> answers, Runnable done) {
    if (!current()) {
      return;
    }
    if (i == spec.members().size()) {
      done.run();
      return;
    }
    Member m = spec.members().get(i);
    if (!registered.contains(m.agentId())) {
      callMembers(spec, call, reason, registered, i + 1, answers, done);
      return;
    }
    Request req = new Request(call, spec, m, call == Call.ABORT ? reason : "");
    w.network.call(owner, req, req.deadline(), reply -> {
      answers.put(m.agentId(), (Ack) reply);
      callMembers(spec, call, reason, registered, i + 1, answers, done);
    });
  }

  private void finishDeletions(ArrayDeque<GroupSnapshot> todo, Consumer<Exception> failed, Runnable next) {
    if (!current()) {
      return;
    }
    GroupSnapshot listed = todo.poll();
    if (listed == null) {
      next.run();
      return;
    }
    GroupSnapshot g = still(listed, id -> false, r -> r.getState() == GroupSnapshotState.DELETING);
    if (g == null) {
      finishDeletions(todo, failed, next);
      return;
    }
    w.note(owner.name() + " finishes the deletion of " + g.getId());
    if (periodic) {
      w.stats.count(SimStats.Outcome.RESOLVED_BY_THE_LEADER_PERIODICALLY);
    }
    Runnable more = () -> finishDeletions(todo, failed, next);
    Deletion.deleteCaptures(w, owner, term, g, problems -> {
      if (!current()) {
        return;
      }
      if (!problems.isEmpty()) {
        w.note(owner.name() + ": deletion of " + g.getId() + " still unfinished: " + problems);
        more.run();
        return;
      }
      w.stats.count(SimStats.Outcome.RECOVERY_DELETIONS_FINISHED);
      owner.store().markDeleted(g.getId(), term, e -> {
        if (e instanceof IllegalStateException) {
          w.note(owner.name() + ": deletion of " + g.getId() + " still unfinished: " + e.getMessage());
          more.run();
        } else if (e != null) {
          failed.accept(e);
        } else {
          more.run();
        }
      });
    });
  }

  /**
   * A listed record as it is now ({@code Coordinator#still}), or null when its transaction is running here or it is no
   * longer {@code wanted}: the listing may be old by the time its turn comes.
   */
  private GroupSnapshot still(GroupSnapshot listed, Predicate<String> running, Predicate<GroupSnapshot> wanted) {
    if (running.test(listed.getId())) {
      return null;
    }
    return w.store.txn(listed.getId()).map(SimStore.Versioned::record).filter(wanted).orElse(null);
  }

  private void write(String id, Predicate<GroupSnapshot> expected, UnaryOperator<GroupSnapshot> change,
      Consumer<Exception> failed, Runnable then) {
    owner.store().replace(id, expected, change, term, periodic, e -> {
      if (e == null) {
        then.run();
      } else {
        failed.accept(e);
      }
    });
  }
}
