package io.groupsnap.cli.support;

import io.grpc.Status;
import java.util.Optional;
import javax.net.ssl.SSLException;

/** The one line an operator needs when a command's TLS handshake with a daemon failed (wrong CA, expired, ...). */
public final class Handshakes {
  private Handshakes() {}

  /** What went wrong in the handshake behind {@code status}; empty when it was not a TLS failure. */
  public static Optional<String> describe(Status status) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return Optional.of("TLS handshake failed: " + t.getMessage());
      }
    }
    return Optional.empty();
  }
}
