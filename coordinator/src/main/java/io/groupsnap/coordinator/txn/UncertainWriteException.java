package io.groupsnap.coordinator.txn;

/**
 * A record write whose outcome is unknown: it failed, and reading the record back to find out failed too. For the
 * commit write this forbids aborting (the commit may have happened); a later leader resolves it from the record.
 */
public final class UncertainWriteException extends Exception {
  public UncertainWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
