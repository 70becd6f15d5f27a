package io.groupsnap.cli.support;

import io.groupsnap.common.tls.TlsFailures;
import io.grpc.Status;
import java.util.Optional;

/** The one line an operator needs when a command's TLS handshake with a daemon failed (wrong CA, expired, ...). */
public final class Handshakes {
  private Handshakes() {}

  /** What went wrong in the handshake behind {@code status}; empty when it was not a TLS failure. */
  public static Optional<String> describe(Status status) {
    return Optional.ofNullable(status.getCause() == null ? null : TlsFailures.describe(status.getCause()));
  }
}
