package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A host's application as the agent's {@link Writer}: freezing it stops its ledger from changing until thaw. Like a
 * well-behaved application it releases by itself at the lease deadline it was given, on its own timer, so that a
 * crashed agent cannot keep it frozen (G2); a misbehaving one may refuse to prepare, fail to quiesce, or give up its
 * hold early — then thaw reports the hold as broken. The application outlives agent restarts; a restarted agent must
 * thaw it at once from its journal.
 *
 * <p>Holds are kept per transaction: the application is frozen while any is held.
 */
final class SimWriter implements Writer {
  /** One transaction's hold. */
  private static final class Hold {
    final String txnId;
    final long start;
    final int incarnation;
    EventLoop.Task selfRelease;
    EventLoop.Task giveUp;
    boolean active = true;
    String endedAlone;

    Hold(String txnId, long start, int incarnation) {
      this.txnId = txnId;
      this.start = start;
      this.incarnation = incarnation;
    }
  }

  private final World w;
  private final String host;
  private final VirtualClock clock;
  private final Map<String, Hold> holds = new TreeMap<>();
  private int active;
  private int agentIncarnation;
  private boolean agentUp;

  SimWriter(World w, String host, VirtualClock clock) {
    this.w = w;
    this.host = host;
    this.clock = clock;
  }

  void agentStarted(int incarnation) {
    agentIncarnation = incarnation;
    agentUp = true;
  }

  void agentDied() {
    agentUp = false;
  }

  /** Whether the application is frozen now. */
  boolean frozen() {
    return active > 0;
  }

  /** Whether the application holds for this transaction now. */
  boolean holding(String txnId) {
    Hold h = holds.get(txnId);
    return h != null && h.active;
  }

  int activeHolds() {
    return active;
  }

  /**
   * G2 across a restart: once the agent started as {@code incarnation} (and thawed what its journal named), the
   * application holds for no earlier incarnation of the agent.
   */
  void requireNoHoldsBefore(int incarnation) {
    for (Hold h : holds.values()) {
      if (h.active && h.incarnation < incarnation) {
        throw new InvariantViolation("G2", "agent " + host + " restarted (start #" + incarnation + ") but the "
            + "application still holds for " + h.txnId + ", frozen by start #" + h.incarnation);
      }
    }
  }

  /** G2 for the application: no hold outlives its lease (plus a millisecond). */
  void checkHolds(long now, long leaseNanos) {
    for (Hold h : holds.values()) {
      if (h.active && now > h.start + leaseNanos + FaultPlan.MS) {
        throw new InvariantViolation("G2", "application on " + host + " frozen for " + h.txnId + " since "
            + Trace.time(h.start) + ", longer than the lease of " + leaseNanos / FaultPlan.MS + "ms");
      }
    }
  }

  @Override
  public String name() {
    return "app";
  }

  @Override
  public String kind() {
    return "sim";
  }

  @Override
  public int tier() {
    return 0;
  }

  @Override
  public Set<String> volumes() {
    return Set.of();
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    if (w.chance(w.plan.writerRefuses())) {
      w.stats.fault(SimStats.Fault.APP_REFUSED_PREPARE);
      return WriterResult.retryable("application busy (simulated)");
    }
    return WriterResult.OK;
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    if (w.chance(w.plan.writerFreezeFails())) {
      w.stats.fault(SimStats.Fault.APP_COULD_NOT_FREEZE);
      return WriterResult.retryable("application could not quiesce (simulated)");
    }
    if (holding(txn.txnId())) {
      return WriterResult.OK;
    }
    long lease = Duration.between(clock.instant(), leaseDeadline).toNanos();
    if (lease > w.plan.lease().toNanos()) {
      throw new InvariantViolation("G2", "agent " + host + " asked its application to hold " + txn.txnId() + " for "
          + lease / FaultPlan.MS + "ms, beyond the lease of " + w.plan.lease().toMillis() + "ms");
    }
    Hold h = new Hold(txn.txnId(), w.loop.now(), agentIncarnation);
    h.selfRelease = w.loop.at(lease, "app " + host + ": lease deadline of " + txn.txnId(), () -> selfRelease(h));
    if (w.chance(w.plan.writerGivesUp())) {
      long after = w.rnd.nextBoolean() ? w.between(1, lease) : w.between(1, Math.min(lease, 20 * FaultPlan.MS));
      h.giveUp = w.loop.at(after, "app " + host + ": gives up holding " + txn.txnId(), () -> giveUp(h));
    }
    holds.put(txn.txnId(), h);
    active++;
    return WriterResult.OK;
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    Hold h = holds.remove(txn.txnId());
    if (h == null) {
      return WriterResult.retryable("application was not holding " + txn.txnId());
    }
    if (!h.active) {
      return WriterResult.retryable("application had released by itself: " + h.endedAlone);
    }
    end(h);
    return WriterResult.OK;
  }

  @Override
  public void abort(TxnContext txn) {
    Hold h = holds.remove(txn.txnId());
    if (h != null && h.active) {
      end(h);
    }
  }

  private void end(Hold h) {
    h.active = false;
    active--;
    h.selfRelease.cancel();
    if (h.giveUp != null) {
      h.giveUp.cancel();
    }
  }

  private void selfRelease(Hold h) {
    if (!h.active) {
      return;
    }
    if (agentUp && agentIncarnation == h.incarnation) {
      throw new InvariantViolation("G2", "agent " + host + " (still running since it froze " + h.txnId
          + ") did not release its hold by the end of the lease; the application had to release by itself");
    }
    w.stats.count(SimStats.Outcome.HOLDS_ENDED_BY_APP_AFTER_AGENT_DEATH);
    end(h);
    h.endedAlone = "lease deadline passed";
  }

  private void giveUp(Hold h) {
    if (!h.active) {
      return;
    }
    w.stats.fault(SimStats.Fault.APP_GAVE_UP_HOLD);
    end(h);
    h.endedAlone = "gave up holding (simulated)";
  }
}
