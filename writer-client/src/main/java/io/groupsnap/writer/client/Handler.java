package io.groupsnap.writer.client;

import java.time.Instant;

/**
 * What an application does at each phase of a group snapshot. Implemented by the application, called by
 * {@link WriterClient}.
 *
 * <p>Threading: every callback of one client runs on that client's own thread, one at a time, in the order the agent
 * sent the requests; a callback never overlaps another (a THAW arriving during a slow {@link #freeze} waits for it).
 * Callbacks should return promptly: while one runs, no other request of this client — not even the release at the
 * lease deadline — can be handled. A callback that throws is answered NON_RETRYABLE with the exception's message.
 *
 * <p>Guarantee: {@link #thaw} is called exactly once for every {@link #freeze} that returned OK, whatever ends the
 * hold — the agent's THAW, an ABORT, the subscription dropping, the lease deadline passing, or the client being
 * closed. It is also called, to be safe, after a {@code freeze} that threw.
 */
public interface Handler {
  /**
   * A group snapshot is being prepared: check a hold is possible and do slow work now (a checkpoint, a flush); nothing
   * is held yet. OK by default.
   */
  default Outcome prepare(Txn txn) {
    return Outcome.OK;
  }

  /**
   * Complete the updates in progress, hold every new write, then return OK. The hold must not outlast
   * {@code leaseDeadline}: the client calls {@link #thaw} by itself then if the agent has not.
   */
  Outcome freeze(Txn txn, Instant leaseDeadline);

  /**
   * Release the hold. Return OK when the application held without interruption since {@link #freeze} returned; the
   * client itself answers the agent "not held" when the hold ended early (lease deadline, dropped subscription), so
   * implementations usually just resume and return OK.
   */
  Outcome thaw(Txn txn);

  /**
   * The group snapshot was aborted: undo whatever {@link #prepare} set up. The hold, if any, has already been
   * released through {@link #thaw}. The agent does not wait for this answer. OK by default.
   */
  default Outcome abort(Txn txn) {
    return Outcome.OK;
  }

  /**
   * The group snapshot was committed: what was captured while this application held is kept (e.g. note the
   * consistent point in the application's own log). The agent does not wait for this answer. OK by default.
   */
  default Outcome committed(Txn txn) {
    return Outcome.OK;
  }

  /**
   * An in-place restore is about to replace the data of {@code restore}'s volumes: stop writing to them (close the
   * files, stop serving; or exit, then {@link #postRestore} is not called in this process) and return OK, or refuse —
   * then no member's data is replaced. Nothing has changed yet. Refused by default: an application that does not
   * say how it gets out of the way must not have its data replaced under it.
   */
  default Outcome preRestore(Restore restore) {
    return Outcome.nonRetryable("this application does not take part in in-place restores (its Handler does not "
        + "implement preRestore)");
  }

  /**
   * The restore ended: {@code restore.restored()} true when the volumes now hold the restored data, false when the old
   * data was put back. Reopen and resume on what is there. Called once after every {@link #preRestore}, whatever it
   * returned. OK by default.
   */
  default Outcome postRestore(Restore restore) {
    return Outcome.OK;
  }
}
