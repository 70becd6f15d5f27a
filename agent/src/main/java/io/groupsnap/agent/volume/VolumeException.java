package io.groupsnap.agent.volume;

/** A volume could not be checked, frozen or captured; {@link #retryable()} says whether trying again may help. */
public final class VolumeException extends Exception {
  private final boolean retryable;

  public VolumeException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public VolumeException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
