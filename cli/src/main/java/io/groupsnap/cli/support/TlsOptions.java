package io.groupsnap.cli.support;

import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How a command reaches a daemon: mutual TLS with {@code --tls-ca/--tls-cert/--tls-key}, or plaintext with
 * {@code --insecure}. Any of these flags on the command line replaces the environment entirely; without them
 * {@code GROUPSNAP_TLS_CA/_CERT/_KEY} and {@code GROUPSNAP_INSECURE=1} are read (a dev cluster's {@code dev.env} sets
 * them). Without either there is no connection: exit 2 saying what to set.
 */
public final class TlsOptions {
  public static final String CA_VARIABLE = "GROUPSNAP_TLS_CA";
  public static final String CERT_VARIABLE = "GROUPSNAP_TLS_CERT";
  public static final String KEY_VARIABLE = "GROUPSNAP_TLS_KEY";
  public static final String INSECURE_VARIABLE = "GROUPSNAP_INSECURE";
  private static final String[] FLAGS = {"--insecure", "--tls-ca", "--tls-cert", "--tls-key"};
  private static final String NONE = "no TLS credentials: give --tls-ca, --tls-cert and --tls-key (or set "
      + CA_VARIABLE + ", " + CERT_VARIABLE + ", " + KEY_VARIABLE + ", e.g. from a dev cluster's dev.env), or "
      + "--insecure for a cluster started insecure";

  @Option(names = "--tls-ca", paramLabel = "FILE",
      description = "Certificate authority (PEM) the daemon's certificate must come from (default: $" + CA_VARIABLE
          + ").")
  Path ca;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "This client's certificate (PEM); its roles decide what it may do (default: $" + CERT_VARIABLE
          + ").")
  Path cert;

  @Option(names = "--tls-key", paramLabel = "FILE",
      description = "This client's private key (PEM, PKCS#8) (default: $" + KEY_VARIABLE + ").")
  Path key;

  @Option(names = "--insecure",
      description = "Plaintext gRPC without certificates, for a cluster started insecure (default: $"
          + INSECURE_VARIABLE + "=1).")
  boolean insecure;

  /** The transport these options and the process environment name; exit 2 when they name none or both. */
  public TransportSettings settings() throws CliException {
    return settings(System::getenv);
  }

  /** As {@link #settings()}, with {@code env} for the environment (tests). */
  TransportSettings settings(Function<String, String> env) throws CliException {
    if (insecure || ca != null || cert != null || key != null) {
      return choose(insecure, ca, cert, key, FLAGS, NONE);
    }
    String flag = blankToNull(env.apply(INSECURE_VARIABLE));
    if (flag != null && !flag.equals("1") && !flag.equals("0")) {
      throw new CliException(ExitCodes.USAGE, INSECURE_VARIABLE + ": '" + flag + "' is neither 1 nor 0");
    }
    return choose("1".equals(flag), path(env, CA_VARIABLE), path(env, CERT_VARIABLE), path(env, KEY_VARIABLE),
        new String[] {INSECURE_VARIABLE + "=1", CA_VARIABLE, CERT_VARIABLE, KEY_VARIABLE}, NONE);
  }

  /**
   * A daemon's transport from its flags alone (a daemon does not read the operator's environment): exit 2 when they
   * name none or both.
   *
   * @param none what to say when neither TLS files nor insecure were given
   */
  public static TransportSettings daemon(boolean insecure, Path ca, Path cert, Path key, String none)
      throws CliException {
    return choose(insecure, ca, cert, key, FLAGS, none);
  }

  /** Opens the transport; exit 2 with one line naming the file when the TLS material cannot be used. */
  public Transport open() throws CliException {
    try {
      return settings().open(java.time.Duration.ZERO);
    } catch (TlsException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
  }

  private static TransportSettings choose(boolean plain, Path ca, Path cert, Path key, String[] names, String none)
      throws CliException {
    boolean anyTls = ca != null || cert != null || key != null;
    if (plain && anyTls) {
      throw new CliException(ExitCodes.USAGE, names[0] + " and " + names[1] + "/" + names[2] + "/" + names[3]
          + " exclude each other: plaintext or TLS, not both");
    }
    if (plain) {
      return TransportSettings.plaintext();
    }
    if (!anyTls) {
      throw new CliException(ExitCodes.USAGE, none);
    }
    Path[] given = {ca, cert, key};
    for (int i = 0; i < 3; i++) {
      if (given[i] == null) {
        throw new CliException(ExitCodes.USAGE, names[i + 1] + " is missing: " + names[1] + ", " + names[2] + " and "
            + names[3] + " go together");
      }
    }
    return TransportSettings.tls(new TlsFiles(ca, cert, key));
  }

  private static Path path(Function<String, String> env, String variable) throws CliException {
    String v = blankToNull(env.apply(variable));
    try {
      return v == null ? null : Path.of(v);
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.USAGE, variable + ": '" + v + "' is not a path");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
