package io.groupsnap.agent.volume.linux;

import java.io.IOException;

/** A system call failed; {@link #errno()} is its error number, the message names the call and the reason. */
public final class ErrnoException extends IOException {
  private final int errno;

  public ErrnoException(String call, int errno, String reason) {
    super(call + ": " + reason);
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
