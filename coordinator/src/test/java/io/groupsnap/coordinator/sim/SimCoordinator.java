package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Transaction;
import io.groupsnap.coordinator.txn.TxnEvent;
import io.groupsnap.coordinator.txn.TxnSpec;
import java.time.Duration;
import java.util.List;

/**
 * One incarnation of a coordinator process. It joins the election; when its latch node leads it raises the epoch,
 * aborts what predecessors left undecided ({@link Recovery}) and then runs the operator's transactions, one at a time,
 * through the real {@link Transaction} state machine ({@link TxnRun}). A crash ends the incarnation: nothing it
 * scheduled runs any more. An expired session makes it a zombie until it learns: it still believes it leads and keeps
 * sending with its old epoch, and its writes fail on the fence.
 */
final class SimCoordinator implements Network.Caller {
  /**
   * A leadership of this process.
   *
   * @param epoch the epoch it raised
   * @param latch its latch node, checked by every write
   */
  record Term(long epoch, long latch) {}

  private final World w;
  private final int slot;
  private final int incarnation;
  private final String name;
  private final VirtualClock clock;
  private final StoreClient store;
  private boolean alive = true;
  private long latch;
  private Term term;
  private boolean ready;
  private TxnRun active;

  SimCoordinator(World w, int slot, int incarnation) {
    this.w = w;
    this.slot = slot;
    this.incarnation = incarnation;
    this.name = "c" + (slot + 1) + "#" + incarnation;
    this.clock = new VirtualClock(w.loop, w.between(-5_000 * FaultPlan.MS, 5_000 * FaultPlan.MS));
    this.store = new StoreClient(w, this);
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
      if (!alive || notified != latch) {
        return;
      }
      if (epoch.isEmpty()) {
        w.note(name + " could not raise the epoch");
        return;
      }
      term = new Term(epoch.getAsLong(), notified);
      w.stats.count(SimStats.Outcome.LEADERS_ELECTED);
      w.note(name + " leads with epoch " + term.epoch());
      Term mine = term;
      new Recovery(w, this, mine).start(() -> {
        if (term == mine) {
          ready = true;
          w.note(name + " is ready");
        }
      });
    });
  }

  /** The zombie learns that its session expired: it stops leading and rejoins the election. */
  void onSessionLost() {
    if (!alive) {
      return;
    }
    w.note(name + " learns its session expired" + (term != null ? "; stops leading epoch " + term.epoch() : ""));
    term = null;
    ready = false;
    latch = 0;
    if (active != null) {
      active.feed(new TxnEvent.LeadershipLost("session expired"));
    }
    w.loop.at(w.between(100_000, 20 * FaultPlan.MS), name + " rejoins the election", () -> {
      if (alive) {
        latch = w.election.join(this);
      }
    });
  }

  /** Whether the operator can start a transaction here: it believes it leads, has recovered and is idle. */
  boolean canStart() {
    return alive && term != null && ready && active == null;
  }

  /** Starts a group snapshot of {@code members}. */
  void submit(String txnId, List<Member> members) {
    FaultPlan p = w.plan;
    TxnSpec spec = new TxnSpec(txnId, w.clusterId, term.epoch(), name, members, p.prepareTimeout(),
        p.freezeTimeout(), p.lease(), p.thawTimeout(), p.finishTimeout());
    w.stats.count(SimStats.Outcome.TXNS_STARTED);
    w.note(name + " starts " + txnId + " at epoch " + term.epoch() + " with " + members.size() + " member(s)");
    active = new TxnRun(w, this, new Transaction(spec, w.rule, clock, w.loop::now));
    active.start();
  }

  void finished(TxnRun run) {
    if (active == run) {
      active = null;
    }
  }

  boolean busy() {
    return alive && active != null;
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

  StoreClient store() {
    return store;
  }

  VirtualClock clock() {
    return clock;
  }
}
