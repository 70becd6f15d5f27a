package io.groupsnap.common.tls;

import java.time.Duration;

/**
 * What a daemon or a command was told about its transport, after checking it: mutual TLS with these files, or —
 * only when the operator said so — plaintext. There is no third way, so a process without either fails to start.
 *
 * @param tls the PEM material; null exactly when {@code insecure}
 * @param insecure plaintext gRPC, every caller trusted ({@code insecure: true}, {@code --insecure})
 */
public record TransportSettings(TlsFiles tls, boolean insecure) {
  /** How often a daemon rereads its certificate and key, so that rotated files take effect without a restart. */
  public static final Duration RELOAD_EVERY = Duration.ofSeconds(30);

  public TransportSettings {
    if (insecure == (tls != null)) {
      throw new IllegalArgumentException(insecure ? "insecure with TLS files: choose one"
          : "neither TLS files nor insecure");
    }
  }

  /** Mutual TLS with {@code files}. */
  public static TransportSettings tls(TlsFiles files) {
    return new TransportSettings(files, false);
  }

  /** Plaintext, every caller trusted. */
  public static TransportSettings plaintext() {
    return new TransportSettings(null, true);
  }

  /** Opens the transport, reading (and rereading every {@link #RELOAD_EVERY}) the TLS material. */
  public Transport open() throws TlsException {
    return open(RELOAD_EVERY);
  }

  /**
   * Opens the transport, rereading the TLS material every {@code reloadEvery} (never when zero); the caller closes it.
   *
   * @throws TlsException one line naming the file and what is wrong with it
   */
  public Transport open(Duration reloadEvery) throws TlsException {
    return insecure ? Transport.insecure() : Transport.tls(tls, reloadEvery);
  }
}
