package io.groupsnap.coordinator.sim;

import io.groupsnap.common.FaultPoints;
import io.groupsnap.coordinator.resolve.CallSpecs;
import io.groupsnap.coordinator.resolve.Deleter;
import io.groupsnap.coordinator.resolve.Resolver;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * One incarnation of a coordinator process. It joins the election; when its latch node leads it raises the epoch,
 * resolves what predecessors left unfinished with the production {@link Resolver} and then runs the operator's
 * transactions, one at a time, through the real {@link TransactionDriver} (one per incarnation, on a "txn" lane of
 * virtual time, writing through its {@link StoreClient}), and the operator's deletions with the production {@link
 * Deleter}; while it leads the {@code Resolver} repeats its pass periodically for what it left unfinished itself.
 * Resolution and deletion run on this process's "resolver" {@link SimLane}, call agents through a {@link
 * SimAgentClient} and reach the store through {@link SimRecords}. A crash ends the incarnation: nothing it scheduled
 * runs any more. An expired
 * session makes it a zombie until it learns: it still believes it leads and keeps sending with its old epoch, and its
 * writes fail on the fence. A suspended connection makes it stop leading at once (as Curator's LeaderLatch does on
 * SUSPENDED) while its latch node stays; when it reconnects and the node still leads, it is elected again and raises
 * the epoch again — a new term of the same latch node, which only the epoch part of the fence tells apart.
 */
final class SimCoordinator implements Network.Caller {
  /** The pause after a failed recovery attempt, doubling after each (500 ms in the daemon, scaled down here). */
  static final Duration FIRST_RECOVERY_BACKOFF = Duration.ofMillis(20);

  /**
   * A leadership of this process.
   *
   * @param epoch the epoch it raised
   * @param latch its latch node, checked by every write
   */
  record Term(long epoch, long latch) {
    /** What every write of this term is checked against. */
    SimStore.Fence fence() {
      return new SimStore.Fence(latch, epoch);
    }
  }

  private final World w;
  private final int slot;
  private final int incarnation;
  private final String name;
  private final VirtualClock clock;
  private final StoreClient store;
  private final SimLane resolverLane;
  private final Deleter deleter;
  private final Resolver resolver;
  private boolean alive = true;
  private long latch;
  private Term term;
  private boolean ready;
  private boolean recovering;
  private boolean resolving;
  private int deleting;
  private final TransactionDriver driver;
  /** The transaction the driver runs, from its submission until its future completes; or null. */
  private String active;

  SimCoordinator(World w, int slot, int incarnation) {
    this.w = w;
    this.slot = slot;
    this.incarnation = incarnation;
    this.name = "c" + (slot + 1) + "#" + incarnation;
    this.clock = new VirtualClock(w.loop, w.between(-5_000 * FaultPlan.MS, 5_000 * FaultPlan.MS));
    this.store = new StoreClient(w, this);
    FaultPlan p = w.plan;
    CallSpecs specs = new CallSpecs(w.clusterId, name, p.prepareTimeout(), p.freezeTimeout(), p.thawTimeout(),
        p.finishTimeout());
    SimAgentClient agents = new SimAgentClient(w, this);
    // The store-writer executor is direct: StoreClient already writes each transaction's records one after another
    // on a "zk-writer" lane of that transaction, reading the term when each write starts, as the daemon's writers do.
    this.driver = new TransactionDriver(agents, store::persist, new SimLane(w, this, "txn"),
        Runnable::run, w.rule, clock, w.loop::now, FaultPoints.NONE);
    this.resolverLane = new SimLane(w, this, "resolver");
    this.deleter = new Deleter(agents, specs, resolverLane);
    this.resolver = new Resolver(agents, deleter, specs, resolverLane, clock, FIRST_RECOVERY_BACKOFF,
        new SimResolutions(w, name));
  }

  void start() {
    w.note(name + " starts");
    latch = w.election.join(this);
  }

  /** The process dies; its latch node stays until its session times out (the caller arranges that). */
  void crash() {
    alive = false;
    w.note(name + " crashes");
  }

  /** The election says our latch node leads: raise the epoch, then recover. */
  void onLeaderNotified(long notified) {
    if (!alive || notified != latch || term != null) {
      return;
    }
    store.bumpEpoch(notified, epoch -> {
      if (!alive || notified != latch || term != null) {
        return;
      }
      if (epoch.isEmpty()) {
        w.note(name + " could not raise the epoch; gives leadership back");
        giveBack();
        return;
      }
      term = new Term(epoch.getAsLong(), notified);
      w.stats.count(SimStats.Outcome.LEADERS_ELECTED);
      w.note(name + " leads with epoch " + term.epoch());
      Term mine = term;
      recovering = true;
      resolver.recover(new SimRecords(w, this, mine)).thenAccept(outcome -> {
        if (term != mine) {
          return; // deposed meanwhile: the flag was reset then
        }
        recovering = false;
        switch (outcome) {
          case RECOVERED -> {
            ready = true;
            w.note(name + " is ready");
            resolvePeriodically(mine);
          }
          case GAVE_UP -> giveBack();
          case SUPERSEDED -> { }
        }
      });
    });
  }

  /**
   * While it leads {@code mine}, every resolve interval after the last pass ended, the {@link Resolver}'s periodic
   * pass, leaving out its own running transaction (as {@code Coordinator} schedules it). Stops when the term ends or
   * the run does.
   */
  private void resolvePeriodically(Term mine) {
    resolverLane.schedule(Duration.ofNanos(w.plan.resolveIntervalNanos()), () -> {
      if (term != mine || w.ended()) {
        return;
      }
      resolving = true;
      resolver.resolve(new SimRecords(w, this, mine), driver::isRunning)
          .thenRun(() -> {
            if (term == mine) {
              resolving = false;
              resolvePeriodically(mine);
            }
          });
    });
  }

  /**
   * The zombie learns that its session expired: it stops leading and rejoins the election with a new session. Its
   * latch node went with the old session (also one it made after the expiry, before it learned).
   */
  void onSessionLost() {
    if (!alive) {
      return;
    }
    deposed("session expired");
    w.election.leave(latch);
    latch = 0;
    w.loop.at(w.between(100_000, 20 * FaultPlan.MS), name + " rejoins the election", () -> {
      if (alive && latch == 0) {
        latch = w.election.join(this);
      }
    });
  }

  /**
   * The connection to the store is suspended for {@code nanos}: leadership stops at once; the latch node stays. On
   * reconnecting, a latch node that still leads is elected again (a new term).
   */
  void onSuspended(long nanos) {
    if (!alive || term == null) {
      return;
    }
    deposed("connection suspended");
    long mine = latch;
    w.loop.at(nanos, name + " reconnects", () -> {
      if (alive && latch == mine && w.store.leaderLatch().orElse(-1) == mine) {
        onLeaderNotified(mine);
      }
    });
  }

  /** As {@code Leadership#giveBack}: stops leading, deletes its latch node and joins again at the back. */
  private void giveBack() {
    deposed("gave leadership back");
    long old = latch;
    latch = 0;
    w.election.leave(old);
    latch = w.election.join(this);
  }

  private void deposed(String why) {
    if (term != null) {
      w.note(name + " stops leading epoch " + term.epoch() + ": " + why);
    }
    term = null;
    ready = false;
    recovering = false; // a recovery (or periodic pass) of the ended term stops at its next step
    resolving = false;
    driver.leadershipLost(why);
  }

  /** Whether the operator can start a transaction here: it believes it leads, has recovered and is idle. */
  boolean canStart() {
    return canServe() && active == null;
  }

  /** Whether it takes mutating calls: it believes it leads and has recovered. */
  boolean canServe() {
    return alive && term != null && ready;
  }

  /** Starts a group snapshot of {@code members}. */
  void submit(String txnId, List<Member> members) {
    FaultPlan p = w.plan;
    TxnSpec spec = new TxnSpec(txnId, w.clusterId, term.epoch(), name, members, p.prepareTimeout(),
        p.freezeTimeout(), p.lease(), p.thawTimeout(), p.finishTimeout());
    w.stats.count(SimStats.Outcome.TXNS_STARTED);
    w.note(name + " starts " + txnId + " at epoch " + term.epoch() + " with " + members.size() + " member(s)");
    active = txnId;
    SimTxnProgress progress = new SimTxnProgress(w, name);
    driver.submit(spec, progress).whenComplete((record, err) -> {
      finished(txnId);
      if (err != null) {
        w.note(name + ": " + txnId + " did not start: " + err.getMessage());
      } else {
        progress.finished(txnId, record);
      }
    });
  }

  /**
   * The operator deletes a committed group snapshot through the production {@link Deleter}: DELETING (the manifest
   * leaves the catalog) before any capture is touched, then every member deletes, then DELETED. A failed step leaves
   * the record DELETING for the leader's resolution to finish.
   */
  void delete(String id) {
    Term t = term;
    GroupSnapshot g = w.store.txn(id).map(SimStore.Versioned::record).orElse(null);
    if (g == null || (g.getState() != GroupSnapshotState.COMMITTED && g.getState() != GroupSnapshotState.DELETING)) {
      return;
    }
    deleting++;
    w.stats.count(SimStats.Outcome.DELETIONS_ASKED);
    w.note(name + " deletes " + id);
    deleter.delete(new SimRecords(w, this, t), g).whenComplete((done, e) -> deletionEnded(e == null
        ? id + " deleted (" + done.deletedCaptures() + " capture(s))"
        : "deletion of " + id + " failed: " + (e instanceof CompletionException c ? c.getCause() : e).getMessage()));
  }

  private void deletionEnded(String outcome) {
    deleting--;
    w.note(name + ": " + outcome);
  }

  private void finished(String txnId) {
    if (txnId.equals(active)) {
      active = null;
    }
  }

  /** Something of its own is under way: a transaction, a recovery, a periodic resolution or a deletion. */
  boolean busy() {
    return alive && (active != null || recovering || resolving || deleting > 0);
  }

  /** Runs {@code action} after {@code after} unless this process has died by then. */
  void after(Duration after, String label, Runnable action) {
    w.loop.at(after.toNanos(), name + ": " + label, () -> {
      if (alive) {
        action.run();
      }
    });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean alive() {
    return alive;
  }

  int slot() {
    return slot;
  }

  int incarnation() {
    return incarnation;
  }

  long latch() {
    return latch;
  }

  /** The term it believes it holds, or null. */
  Term term() {
    return term;
  }

  boolean ready() {
    return ready;
  }

  StoreClient store() {
    return store;
  }

  VirtualClock clock() {
    return clock;
  }
}
