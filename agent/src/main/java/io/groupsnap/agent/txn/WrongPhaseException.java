package io.groupsnap.agent.txn;

/** A request that does not fit the transaction's state, such as FREEZE before PREPARE or ABORT after COMMIT. */
public final class WrongPhaseException extends Exception {
  public WrongPhaseException(String message) {
    super(message);
  }
}
