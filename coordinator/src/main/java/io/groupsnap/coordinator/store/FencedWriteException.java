package io.groupsnap.coordinator.store;

/**
 * A leader's write was refused: its latch node is gone (deposed), a newer term began, or the record changed under it.
 * Nothing was written.
 */
public final class FencedWriteException extends Exception {
  public FencedWriteException(String message, Throwable cause) {
    super(message, cause);
  }

  public FencedWriteException(String message) {
    super(message);
  }
}
