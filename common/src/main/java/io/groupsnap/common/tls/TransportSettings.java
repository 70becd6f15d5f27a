package io.groupsnap.common.tls;

import java.time.Duration;

/**
 * What a daemon or a command was told about its transport, after checking it: mutual TLS with these files, or —
 * only when the operator said so — plaintext. There is no third way, so a process without either fails to start.
 *
 * @param tls the PEM material; null exactly when {@code insecure}
 * @param insecure plaintext gRPC, every caller trusted ({@code insecure: true}, {@code --insecure})
 * @param reloadEvery how often {@link #open()} rereads the TLS files, so that rotated files take effect without a
 *     restart (zero: never)
 */
public record TransportSettings(TlsFiles tls, boolean insecure, Duration reloadEvery) {
  /** How often a daemon rereads its certificate and key, so that rotated files take effect without a restart. */
  public static final Duration RELOAD_EVERY = Duration.ofSeconds(30);

  public TransportSettings {
    java.util.Objects.requireNonNull(reloadEvery, "reloadEvery");
    if (reloadEvery.isNegative()) {
      throw new IllegalArgumentException("a reload interval cannot be negative: " + reloadEvery);
    }
    if (insecure == (tls != null)) {
      throw new IllegalArgumentException(insecure ? "insecure with TLS files: choose one"
          : "neither TLS files nor insecure");
    }
  }

  /** Rereading the files every {@link #RELOAD_EVERY}. */
  public TransportSettings(TlsFiles tls, boolean insecure) {
    this(tls, insecure, RELOAD_EVERY);
  }

  /** The same, rereading the TLS files every {@code every} (zero: never). */
  public TransportSettings withReloadEvery(Duration every) {
    return new TransportSettings(tls, insecure, every);
  }

  /** Mutual TLS with {@code files}. */
  public static TransportSettings tls(TlsFiles files) {
    return new TransportSettings(files, false);
  }

  /** Plaintext, every caller trusted. */
  public static TransportSettings plaintext() {
    return new TransportSettings(null, true);
  }

  /** Opens the transport, reading (and rereading every {@link #reloadEvery}) the TLS material. */
  public Transport open() throws TlsException {
    return open(reloadEvery);
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
