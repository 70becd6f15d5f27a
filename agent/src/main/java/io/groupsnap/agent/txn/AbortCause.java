package io.groupsnap.agent.txn;

import java.time.Duration;

/**
 * Why a transaction was aborted on this agent; later PREPAREs and FREEZEs for it answer ABORTED with
 * {@link #describe()}.
 *
 * @param kind what ended it
 * @param detail what the kind needs to be described (a duration, a transaction, a failure), else empty
 */
record AbortCause(Kind kind, String detail) {
  /** What ended a transaction here. */
  enum Kind {
    /** The coordinator's ABORT. */
    ABORT,
    /** The reaper read the coordinator's record: ABORTED, its ABORT never arrived. */
    RECORD_ABORTED,
    /** A new PREPARE asked the coordinator's record, which had ended it. */
    RECORD_ENDED,
    /** It was only prepared when the deadline its PREPARE carried passed. */
    NO_FREEZE_IN_TIME,
    /** A PREPARE of a newer epoch came while it was only prepared. */
    DISPLACED,
    /** Its own FREEZE failed. */
    FREEZE_FAILED
  }

  static final AbortCause ABORT = new AbortCause(Kind.ABORT, "");

  static AbortCause recordAborted() {
    return new AbortCause(Kind.RECORD_ABORTED, "");
  }

  static AbortCause recordEnded() {
    return new AbortCause(Kind.RECORD_ENDED, "");
  }

  static AbortCause noFreezeWithin(Duration wait) {
    return new AbortCause(Kind.NO_FREEZE_IN_TIME, Long.toString(wait.toMillis()));
  }

  static AbortCause displacedBy(TxnRef newer) {
    return new AbortCause(Kind.DISPLACED, "transaction " + newer.txnId() + " of the newer epoch " + newer.epoch());
  }

  static AbortCause freezeFailed(String failure) {
    return new AbortCause(Kind.FREEZE_FAILED, failure);
  }

  /** For the operator, e.g. "no FREEZE within 2000ms of its PREPARE". */
  String describe() {
    return switch (kind) {
      case ABORT -> "ABORT from the coordinator";
      case RECORD_ABORTED -> "its record says ABORTED";
      case RECORD_ENDED -> "its record says it ended";
      case NO_FREEZE_IN_TIME -> "no FREEZE within " + detail + "ms of its PREPARE";
      case DISPLACED -> "displaced by " + detail;
      case FREEZE_FAILED -> "its FREEZE failed: " + detail;
    };
  }
}
