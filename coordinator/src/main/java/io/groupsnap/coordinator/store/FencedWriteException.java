package io.groupsnap.coordinator.store;

/** A leader's write was refused: its latch node is gone (deposed) or the record changed under it. Nothing was written. */
public final class FencedWriteException extends Exception {
  public FencedWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
