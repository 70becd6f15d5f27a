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

  /** {@link #openAs(Role, String, Duration)}, rereading every {@link #RELOAD_EVERY}. */
  public Transport openAs(Role role, String name) throws TlsException {
    return openAs(role, name, RELOAD_EVERY);
  }

  /**
   * Opens the transport and checks that its certificate is this process's own: holding {@code role} and, when
   * {@code name} is not null, named {@code name}. A coordinator refuses to drive an agent whose certificate names
   * another, and an agent obeys only coordinators, so a daemon started with the wrong certificate would fail every
   * group snapshot; it is refused at start instead, with one line. Plaintext is not checked.
   *
   * @throws TlsException one line naming the certificate file and what is wrong with it
   */
  public Transport openAs(Role role, String name, Duration reloadEvery) throws TlsException {
    Transport t = open(reloadEvery);
    if (insecure) {
      return t;
    }
    Identity me = t.identity();
    String problem = null;
    if (name != null && !me.name().equals(name)) {
      problem = "is the certificate of '" + me.name() + "', not of '" + name + "'";
    } else if (!me.may(role)) {
      problem = "is " + me + ": it lacks the " + role.label() + " role";
    }
    if (problem == null) {
      return t;
    }
    t.close();
    throw new TlsException(tls.cert() + ": " + problem + " (issue one with groupsnap certs init --" + role.label() + " "
        + (name == null ? "NAME" : name) + ")");
  }
}
