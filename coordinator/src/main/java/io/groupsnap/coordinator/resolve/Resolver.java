package io.groupsnap.coordinator.resolve;

import io.groupsnap.coordinator.exec.Deadlines;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.resolve.ResolutionListener.Pass;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.txn.AbortReason;
import io.groupsnap.coordinator.txn.AgentClient;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.MemberRecords;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.TxnAction;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Resolves what a leader finds unfinished (DESIGN.md §4, recovery): an undecided record is aborted on every member and
 * written ABORTED, keeping what was written and what the members report ({@link MemberRecords#abortedBySuccessor}); a
 * committed record whose members were not all confirmed gets COMMIT again, and is written finalized once every member
 * confirmed; a deletion left half-way is finished ({@link Deleter}).
 *
 * <p>A new leader {@link #recover}s before it takes requests: attempts until one passes, backing off between them
 * (doubling from the first backoff), and after {@link #RECOVERY_ATTEMPTS} failed ones it gives up, so that the
 * leadership goes to a coordinator that can act. While it leads it {@link #resolve}s periodically what it left
 * unfinished itself, leaving out transactions still running here. Each record is resolved on its own: one that
 * cannot be resolved now is reported and retried by the next pass, and never keeps the others waiting; a fenced
 * write ends the pass (this process no longer leads). Every step first checks that the term the records are bound to
 * is still current, and a pass whose term ended stops there.
 *
 * <p>Threading: everything runs on {@code lane} and never waits for an agent: agent calls and store writes return
 * futures whose continuations come back to the lane (in the daemon a store call itself is a synchronous ZooKeeper
 * operation on the lane, bounded by Curator's retry policy). The methods return at once. What it does is reported to the
 * {@link ResolutionListener}.
 */
public final class Resolver {
  /** Recovery attempts before a new leader gives leadership back. */
  public static final int RECOVERY_ATTEMPTS = 5;

  /** How a recovery ended. */
  public enum Recovery {
    /** Every record could be worked on: the leader may take requests. */
    RECOVERED,
    /** Every attempt failed: the leader should give leadership back. */
    GAVE_UP,
    /** The term ended first. */
    SUPERSEDED
  }

  /** The term a pass runs for ended: the pass stops. */
  private static final class Superseded extends RuntimeException {
    Superseded() {
      super("the term ended", null, false, false);
    }
  }

  /** The synchronous start of one step; its future completes when the step is done. */
  @FunctionalInterface
  private interface Step<T> {
    CompletableFuture<T> start() throws Exception;
  }

  /** One record's work. */
  @FunctionalInterface
  private interface Work {
    CompletableFuture<?> start() throws Exception;
  }

  /** A listing of records, read when its turn comes. */
  @FunctionalInterface
  private interface Listing {
    List<GroupSnapshot> read() throws Exception;
  }

  private final AgentClient agents;
  private final Deleter deleter;
  private final CallSpecs specs;
  private final Scheduler lane;
  private final Clock clock;
  private final Duration firstBackoff;
  private final ResolutionListener listener;

  /**
   * @param clock the wall clock an aborted record's finishing time is read from
   * @param firstBackoff the pause after the first failed recovery attempt; each later one doubles it
   */
  public Resolver(AgentClient agents, Deleter deleter, CallSpecs specs, Scheduler lane, Clock clock,
      Duration firstBackoff, ResolutionListener listener) {
    this.agents = agents;
    this.deleter = deleter;
    this.specs = specs;
    this.lane = lane;
    this.clock = clock;
    this.firstBackoff = firstBackoff;
    this.listener = listener;
  }

  /**
   * A new leader's recovery of everything its predecessors (or it, in an earlier term) left unfinished, in the term
   * {@code records} are bound to. Returns at once; the future tells how it ended.
   */
  public CompletableFuture<Recovery> recover(LeaderRecords records) {
    CompletableFuture<Recovery> outcome = new CompletableFuture<>();
    lane.execute(() -> attempt(records, 1, firstBackoff, outcome));
    return outcome;
  }

  private void attempt(LeaderRecords records, int n, Duration backoff, CompletableFuture<Recovery> outcome) {
    Pass pass = new Pass(records.epoch(), Pass.Kind.RECOVERY);
    if (!records.current()) {
      outcome.complete(Recovery.SUPERSEDED);
      return;
    }
    start(records::rememberAgents)
        .thenComposeAsync(v -> pass(records, pass, id -> false), lane)
        .thenComposeAsync(v -> start(() -> {
          requireCurrent(records);
          return records.prune();
        }), lane)
        .whenCompleteAsync((v, e) -> {
          Throwable cause = unwrap(e);
          if (cause instanceof Superseded || !records.current()) {
            outcome.complete(Recovery.SUPERSEDED);
          } else if (e == null) {
            outcome.complete(Recovery.RECOVERED);
          } else {
            listener.attemptFailed(pass, n, RECOVERY_ATTEMPTS, cause);
            if (n == RECOVERY_ATTEMPTS) {
              listener.gaveUp(pass);
              outcome.complete(Recovery.GAVE_UP);
            } else {
              lane.schedule(backoff, () -> attempt(records, n + 1, backoff.multipliedBy(2), outcome));
            }
          }
        }, lane);
  }

  /**
   * The leader's periodic pass over what is left unfinished, leaving out records whose transaction is {@code running}
   * here (a transaction running when the listing was read may have committed since: it must not be sent ABORT).
   * Returns at once; the future completes, never exceptionally, when the pass ended.
   */
  public CompletableFuture<Void> resolve(LeaderRecords records, Predicate<String> running) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lane.execute(() -> {
      Pass pass = new Pass(records.epoch(), Pass.Kind.PERIODIC);
      if (!records.current()) {
        done.complete(null);
        return;
      }
      start(records::rememberAgents)
          .thenComposeAsync(v -> pass(records, pass, running), lane)
          .whenCompleteAsync((v, e) -> {
            Throwable cause = unwrap(e);
            if (e != null && !(cause instanceof Superseded) && records.current()) {
              listener.passFailed(pass, cause);
            }
            done.complete(null);
          }, lane);
    });
    return done;
  }

  /** One pass over the unfinished records, the undecided first, then the unfinalized, then the deletions. */
  private CompletableFuture<Void> pass(LeaderRecords records, Pass pass, Predicate<String> running) {
    Map<String, String> endpoints;
    try {
      endpoints = records.registeredEndpoints();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    int[] unresolved = {0};
    return each(records::unfinished, unresolved, listed -> separately(records, pass, listed, "abort", () -> {
      Optional<GroupSnapshot> g = still(records, listed, running, r -> ClusterStore.undecided(r.getState()));
      if (g.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      listener.aborting(pass, g.get());
      return settle(records, pass, g.get(), endpoints, true);
    })).thenComposeAsync(v -> each(records::unfinalized, unresolved,
        listed -> separately(records, pass, listed, "finish the commit of", () -> {
          Optional<GroupSnapshot> g = still(records, listed, running,
              r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized());
          if (g.isEmpty()) {
            return CompletableFuture.completedFuture(null);
          }
          listener.finishingCommit(pass, g.get());
          return settle(records, pass, g.get(), endpoints, false);
        })), lane).thenComposeAsync(v -> each(records::deleting, unresolved,
        listed -> separately(records, pass, listed, "finish the deletion of", () -> {
          Optional<GroupSnapshot> g = still(records, listed, id -> false,
              r -> r.getState() == GroupSnapshotState.DELETING);
          if (g.isEmpty()) {
            return CompletableFuture.completedFuture(null);
          }
          listener.finishingDeletion(pass, g.get());
          return deleter.finish(records, g.get())
              .thenAcceptAsync(o -> listener.deletionFinished(pass, o.snapshot().getId()), lane);
        })), lane).thenRunAsync(() -> {
          if (unresolved[0] > 0) {
            listener.unresolved(pass, unresolved[0]);
          }
        }, lane);
  }

  /** Works on each record of a listing read now, one after another, adding up those left unresolved. */
  private CompletableFuture<Void> each(Listing listing, int[] unresolved,
      Function<GroupSnapshot, CompletableFuture<Integer>> work) {
    List<GroupSnapshot> todo;
    try {
      todo = listing.read();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (GroupSnapshot listed : todo) {
      chain = chain.thenComposeAsync(v -> work.apply(listed), lane).thenAccept(n -> unresolved[0] += n);
    }
    return chain;
  }

  /**
   * Runs one record's work, which may fail without stopping the others: completes with 1 when it failed (reported),
   * 0 when it ran; fails, ending the pass, when a write was fenced or the term ended.
   */
  private CompletableFuture<Integer> separately(LeaderRecords records, Pass pass, GroupSnapshot listed, String what,
      Work work) {
    CompletableFuture<?> f;
    try {
      requireCurrent(records);
      f = work.start();
    } catch (Exception e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handleAsync((v, e) -> {
      if (e == null) {
        return 0;
      }
      Throwable cause = unwrap(e);
      if (cause instanceof FencedWriteException || cause instanceof Superseded) {
        throw new CompletionException(cause);
      }
      if (!records.current()) {
        throw new Superseded();
      }
      listener.couldNotResolve(pass, what, listed.getId(), cause);
      return 1;
    }, lane);
  }

  /**
   * A listed record as it is now, unless its transaction is running here or it is no longer {@code wanted}: the
   * listing may be old by the time a record's turn comes (each takes calls to agents).
   */
  private static Optional<GroupSnapshot> still(LeaderRecords records, GroupSnapshot listed,
      Predicate<String> running, Predicate<GroupSnapshot> wanted) throws Exception {
    if (running.test(listed.getId())) {
      return Optional.empty();
    }
    return records.get(listed.getId()).filter(wanted);
  }

  /**
   * ABORT ({@code abort}) or COMMIT to each registered member in turn, then the record written over as it is then,
   * only if it is still what was resolved (a deletion may have begun): ABORTED, or finalized when every member
   * confirmed. A member that is not registered is not called: it is not confirmed, and its agent's reaper reconciles
   * from the record when it is back.
   */
  private CompletableFuture<?> settle(LeaderRecords records, Pass pass, GroupSnapshot g,
      Map<String, String> endpoints, boolean abort) {
    List<Member> members = CallSpecs.members(g, endpoints);
    TxnSpec spec = specs.spec(g.getId(), records.epoch(), members);
    AbortReason lost = AbortReason.leftUndecided(g.getEpoch(), records.epoch());
    String reason = g.getAbortReason().isEmpty() ? lost.sentence() : g.getAbortReason();
    TxnAction.Call call = abort ? TxnAction.Call.ABORT : TxnAction.Call.COMMIT;
    Duration limit = spec.callDeadline(call).plus(specs.finishTimeout());
    Map<String, Ack> answers = new LinkedHashMap<>();
    CompletableFuture<Boolean> confirmed = CompletableFuture.completedFuture(true);
    for (Member m : members) {
      if (m.endpoint().isEmpty()) {
        confirmed = confirmed.thenApply(all -> false);
        continue;
      }
      confirmed = confirmed.thenComposeAsync(all -> {
        requireCurrent(records);
        CompletableFuture<Ack> ack = abort ? agents.abort(spec, m, reason) : agents.commit(spec, m);
        return Deadlines.within(ack, limit, lane, "agent " + m.agentId() + " did not answer").thenApplyAsync(a -> {
          answers.put(m.agentId(), a);
          return all && a.ok();
        }, lane);
      }, lane);
    }
    return confirmed.thenComposeAsync(all -> {
      requireCurrent(records);
      if (abort) {
        return records.replaceTxn(g.getId(), r -> ClusterStore.undecided(r.getState()),
            r -> MemberRecords.abortedBySuccessor(r, answers, lost, clock.millis()));
      }
      if (!all) {
        return CompletableFuture.completedFuture(Optional.<GroupSnapshot>empty());
      }
      return records.replaceTxn(g.getId(), r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized(),
          r -> r.toBuilder().setFinalized(true).build()).thenApplyAsync(written -> {
            written.ifPresent(r -> listener.finalized(pass, r.getId()));
            return written;
          }, lane);
    }, lane);
  }


  private static void requireCurrent(LeaderRecords records) {
    if (!records.current()) {
      throw new Superseded();
    }
  }

  private static <T> CompletableFuture<T> start(Step<T> step) {
    try {
      return step.start();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
