package io.groupsnap.agent.txn;

import io.groupsnap.agent.txn.Results.AbortResult;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.HoldReport;
import io.groupsnap.common.logging.LogContext;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborting a transaction on this agent, whatever the cause: the coordinator's ABORT (or the reaper acting on the
 * record), a failed FREEZE, and a prepared transaction dropped at its FREEZE deadline or for a newer one. Aborting
 * releases the hold, tells the writers (once), removes the journal entry, deletes the pending captures and leaves a
 * tombstone with the cause. The ABORT's answer reports what this agent knew of the transaction's hold
 * ({@link HoldReport}), so that a leader aborting a transaction its predecessor left undecided can record it.
 *
 * <p>Threading: {@link #abortLocally} runs under the transaction's monitor; {@link #dropClaimed} and
 * {@link #abort} take it. The deadline's timer runs on the scheduler's thread. No lock of its own.
 */
final class LocalAbort {
  private static final Logger log = LoggerFactory.getLogger(LocalAbort.class);

  private final TxnTable table;
  private final CaptureStore captures;
  private final RestartRecovery journal;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanos;

  LocalAbort(TxnTable table, CaptureStore captures, RestartRecovery journal, ScheduledExecutorService scheduler,
      LongSupplier nanos) {
    this.table = table;
    this.captures = captures;
    this.journal = journal;
    this.scheduler = scheduler;
    this.nanos = nanos;
  }

  /**
   * ABORT: thaws if frozen, tells writers, deletes every capture of the transaction; the same answer when repeated.
   * The answer reports how far the transaction got here and how long it held ({@link HoldReport#NONE} when this agent
   * knows nothing of it).
   */
  AbortResult abort(String txnId, AbortCause cause) throws WrongPhaseException, IOException {
    LocalTxn txn = table.getOrBury(txnId, cause);
    if (txn == null) {
      return new AbortResult(captures.delete(txnId, true), false);
    }
    if (txn.requestAbortIfFreezing()) {
      // A FREEZE is still running (a slow writer or capture): release what it holds now rather than after it
      // returns; the freeze thread sees the request and deletes its captures itself.
      FreezeHold hold = txn.hold;
      if (hold != null) {
        hold.release(FreezeHold.Release.ABORTED);
      }
      return new AbortResult(0, true, holdReport(txn, AgentTxnState.FREEZING));
    }
    synchronized (txn) {
      if (txn.state() == AgentTxnState.COMMITTED) {
        throw new WrongPhaseException("transaction " + txnId + " is committed on this agent");
      }
      if (txn.abortAnswer == null) {
        boolean wasFrozen = txn.isHolding();
        AgentTxnState reached = txn.state();
        int deleted = abortLocally(txn, cause);
        txn.abortAnswer = new AbortResult(deleted, wasFrozen, holdReport(txn, reached));
      }
      return txn.abortAnswer;
    }
  }

  /**
   * What this agent knows of the transaction's hold, once the ABORT released it (if it was still held): from accepting
   * FREEZE until the hold ended, and whether its lease ended it.
   *
   * @param reached its state when the ABORT came
   */
  private HoldReport holdReport(LocalTxn txn, AgentTxnState reached) {
    FreezeHold hold = txn.hold;
    if (hold == null) {
      return new HoldReport(reached, 0, 0, 0, false);
    }
    long end = hold.released() ? hold.releasedAtNanos() : nanos.getAsLong();
    FreezeResult f = txn.freezeAnswer;
    return new HoldReport(reached, f == null ? txn.freezeStartedAtMillis : f.freezeStartedAtMillis(),
        f == null ? 0 : f.timeToFrozenMillis(), Math.max(0, end - txn.freezeStartNanos) / 1_000_000,
        hold.releasedBy() == FreezeHold.Release.LEASE_EXPIRED);
  }

  /** Aborts the transaction here; the caller holds its monitor. Returns how many captures were deleted. */
  int abortLocally(LocalTxn txn, AbortCause cause) {
    txn.ending(cause);
    table.bury(txn.ref.txnId(), txn.endCause());
    FreezeHold hold = txn.hold;
    if (hold != null) {
      hold.release(FreezeHold.Release.ABORTED);
    }
    if (txn.state() != AgentTxnState.ABORTED) {
      txn.writers.forEach(w -> w.abort(txn.context()));
      txn.transition(AgentTxnState.ABORTED);
    }
    journal.forget(txn);
    return captures.deletePending(txn.ref.txnId());
  }

  /** Ends the transaction at its FREEZE deadline if it is still only prepared then. */
  void armFreezeDeadline(LocalTxn txn) {
    long left = Math.max(0, txn.freezeByNanos - nanos.getAsLong());
    try {
      txn.armFreezeTimer(scheduler.schedule(() -> {
        try (LogContext ignored = LogContext.txn(txn.ref.txnId())) {
          if (txn.claim(AbortCause.noFreezeWithin(txn.freezeWithin))) {
            dropClaimed(txn);
          }
        }
      }, left, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      // shutting down; a later PREPARE or FREEZE still finds the deadline passed
      log.debug("txn {}: no timer for its FREEZE deadline: {}", txn.ref.txnId(), e.toString());
    }
  }

  /** Drops a claimed transaction that is still only prepared; waits for whoever is dropping it already. */
  void dropClaimed(LocalTxn txn) {
    synchronized (txn) {
      AbortCause cause = txn.endCause();
      if (txn.state() == AgentTxnState.PREPARED && cause != null) {
        log.warn("dropping transaction {} (prepared at {}): {}", txn.ref.txnId(), txn.preparedAt, cause.describe());
        abortLocally(txn, cause);
      }
    }
  }
}
