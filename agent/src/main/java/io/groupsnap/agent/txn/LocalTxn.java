package io.groupsnap.agent.txn;

import io.groupsnap.agent.txn.Results.AbortResult;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.writer.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One transaction as this agent knows it: what it covers, its {@link AgentTxnState}, its hold and the answers it gave.
 *
 * <p>The state changes only through {@link #transition}, which enforces {@link AgentTxnState#NEXT}; the steps that
 * race (FREEZE against ABORT, FREEZE against its deadline or a newer epoch) are single methods here, each decided
 * under {@code phaseLock}.
 *
 * <p>Locks:
 * <ul>
 *   <li>Its monitor ({@code synchronized (txn)}) serializes the phase calls of this transaction — PREPARE's checks,
 *       FREEZE, THAW, COMMIT, ABORT and dropping it — and guards the answers and {@code freezeStartNanos}. It is held
 *       while writers and volumes are called. An ABORT's report reads {@code freezeStartNanos} without it while a
 *       FREEZE runs: it is written before the volatile {@code hold}, so whoever sees the hold sees it too.
 *   <li>{@code phaseLock} guards every state change together with {@code endCause} and {@code abortRequested}. It is
 *       held only briefly, never around I/O, and the only lock taken under it is the hold's own monitor (to ask
 *       whether the hold was released); so an ABORT, the deadline timer or a newer PREPARE can decide against a FREEZE
 *       in progress without waiting for that FREEZE.
 * </ul>
 * The state, the end cause, the abort request and the hold are volatile: they are read without a lock.
 */
final class LocalTxn {
  final TxnRef ref;
  final List<Volume> volumes;
  /** The writers that hold its volumes, by tier. */
  final List<Writer> writers;
  final Duration lease;
  final Instant preparedAt;
  /** How long it waits prepared for FREEZE, and until when (on the participant's monotonic clock). */
  final Duration freezeWithin;
  final long freezeByNanos;
  private final Object phaseLock = new Object();
  private volatile AgentTxnState state = AgentTxnState.PREPARING;
  private volatile AbortCause endCause;
  private volatile boolean abortRequested;
  private volatile ScheduledFuture<?> freezeTimer;
  volatile FreezeHold hold;
  long freezeStartNanos;
  /** Wall clock when it accepted FREEZE, for the ABORT's report; 0 until then. */
  volatile long freezeStartedAtMillis;
  volatile PrepareResult prepareAnswer;
  FreezeResult freezeAnswer;
  ThawResult thawAnswer;
  AbortResult abortAnswer;

  LocalTxn(TxnRef ref, List<Volume> volumes, List<Writer> allWriters, Duration lease, Instant preparedAt,
      Duration freezeWithin, long freezeByNanos) {
    this.ref = ref;
    this.volumes = List.copyOf(volumes);
    this.lease = lease;
    this.preparedAt = preparedAt;
    this.freezeWithin = freezeWithin;
    this.freezeByNanos = freezeByNanos;
    Set<String> names = new LinkedHashSet<>(volumes.stream().map(Volume::name).toList());
    this.writers = allWriters.stream()
        .filter(w -> w.volumes().isEmpty() || w.volumes().stream().anyMatch(names::contains)).toList();
  }

  AgentTxnState state() {
    return state;
  }

  /** Why it was aborted here (or claimed to be ended), else null. */
  AbortCause endCause() {
    return endCause;
  }

  /** An ABORT came while its FREEZE was running. */
  boolean abortRequested() {
    return abortRequested;
  }

  /** The one place the state changes. */
  void transition(AgentTxnState to) {
    synchronized (phaseLock) {
      move(to);
    }
  }

  private void move(AgentTxnState to) {
    if (!state.canMoveTo(to)) {
      throw new IllegalStateException("transaction " + ref.txnId() + " cannot go from " + state + " to " + to);
    }
    state = to;
  }

  /**
   * Marks a transaction that is only prepared as ending, so that a FREEZE arriving now is refused; false when it is
   * no longer only prepared or was claimed already. Whoever claims it then drops it.
   */
  boolean claim(AbortCause cause) {
    synchronized (phaseLock) {
      if (state != AgentTxnState.PREPARED || endCause != null) {
        return false;
      }
      endCause = cause;
      return true;
    }
  }

  /** PREPARED → FREEZING, unless it was claimed meanwhile; its FREEZE deadline's timer is then no longer needed. */
  boolean startFreezing() {
    synchronized (phaseLock) {
      if (endCause != null) {
        return false;
      }
      move(AgentTxnState.FREEZING);
    }
    cancelFreezeTimer();
    return true;
  }

  /**
   * FREEZING → FROZEN, unless an ABORT came or the hold was released meanwhile. Decided together with an arriving
   * ABORT ({@link #requestAbortIfFreezing}): either it sees FREEZING and this sees its request, or this answers FROZEN
   * first and the ABORT takes the normal path.
   */
  boolean frozenUnlessReleased() {
    synchronized (phaseLock) {
      if (abortRequested || hold.released()) {
        return false;
      }
      move(AgentTxnState.FROZEN);
      return true;
    }
  }

  /** For an ABORT: true (and the FREEZE in progress will see it) when a FREEZE is running now. */
  boolean requestAbortIfFreezing() {
    synchronized (phaseLock) {
      if (state == AgentTxnState.FREEZING) {
        abortRequested = true;
        return true;
      }
      return false;
    }
  }

  /** Records why it is being aborted (the first cause stays) and stops waiting for FREEZE. */
  void ending(AbortCause cause) {
    synchronized (phaseLock) {
      if (endCause == null) {
        endCause = cause;
      }
    }
    cancelFreezeTimer();
  }

  void armFreezeTimer(ScheduledFuture<?> timer) {
    freezeTimer = timer;
  }

  private void cancelFreezeTimer() {
    ScheduledFuture<?> t = freezeTimer;
    if (t != null) {
      t.cancel(false);
    }
  }

  Writer.TxnContext context() {
    return new Writer.TxnContext(ref.txnId(), ref.epoch(),
        new LinkedHashSet<>(volumes.stream().map(Volume::name).toList()));
  }

  /** In progress: preparing, prepared, freezing, or frozen with its hold not yet released. */
  boolean isActive() {
    return switch (state) {
      case PREPARING, PREPARED, FREEZING -> true;
      case FROZEN -> hold != null && !hold.released();
      default -> false;
    };
  }

  /** Whether it holds anything frozen now. */
  boolean isHolding() {
    FreezeHold h = hold;
    return h != null && !h.released();
  }

  void expect(AgentTxnState wanted, String phase, String agentId) throws WrongPhaseException {
    AgentTxnState now = state;
    if (now != wanted) {
      throw new WrongPhaseException(phase + " for transaction " + ref.txnId() + " in state " + now
          + " on agent " + agentId);
    }
  }
}
