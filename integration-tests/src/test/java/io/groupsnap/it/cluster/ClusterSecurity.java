package io.groupsnap.it.cluster;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.devkit.cluster.DevCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credentials of one multi-host cluster, made once in its work directory before any process starts, as an
 * operator would make them:
 *
 * <ul>
 *   <li>{@code tls/}: a CA and certificates made by the real {@code groupsnap certs init} (run in this JVM): one per
 *       coordinator ({@code coordinator-N}, role coordinator) and per agent ({@code agent-N}, role agent, named by its
 *       agent id), each valid for its namespace address besides localhost, 127.0.0.1 and ::1, and the harness's own
 *       client certificate {@value #ADMIN} (role admin), which every gRPC call of the test to a coordinator uses. Keys
 *       are 0600; the daemons run as root, so they can read them.
 *   <li>ZooKeeper digest credentials, random per cluster, mode 0600 ({@link DevCredentials}): coordinators get the
 *       file with {@code coordinator} and {@code agents}, agents the one with {@code agents} only. The test's own
 *       ZooKeeper client reads as {@code agents}, which may read every node and change none.
 * </ul>
 *
 * No certificate with the coordinator role is issued to the harness: it never calls an agent directly. A cluster
 * built {@link MultiHostCluster.Builder#insecure()} has none of this: plaintext gRPC and open znodes. Immutable.
 */
public final class ClusterSecurity {
  /** The name of the harness's admin client certificate. */
  public static final String ADMIN = "harness-admin";

  private final Path tlsDir;
  private final DevCredentials zookeeper;

  private ClusterSecurity(Path tlsDir, DevCredentials zookeeper) {
    this.tlsDir = tlsDir;
    this.zookeeper = zookeeper;
  }

  /** No credentials: daemons started with {@code --insecure} / {@code insecure: true}, ZooKeeper open to anyone. */
  static ClusterSecurity none() {
    return new ClusterSecurity(null, null);
  }

  /**
   * Issues every certificate and credential file in {@code dir}.
   *
   * @param coordinators each coordinator's name and host
   * @param agents each agent's id and host
   */
  static ClusterSecurity issue(Path dir, Map<String, Netns> coordinators, Map<String, Netns> agents)
      throws IOException {
    Path tls = dir.resolve("tls");
    List<String> args = new ArrayList<>(List.of("certs", "init", "--dir", tls.toString(), "--days", "2"));
    coordinators.forEach((name, ns) -> args.addAll(List.of("--coordinator", name + "=" + ns.address())));
    agents.forEach((id, ns) -> args.addAll(List.of("--agent", id + "=" + ns.address())));
    args.addAll(List.of("--client", ADMIN + "=admin"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Groupsnap.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    if (exit != 0) {
      throw new IllegalStateException("groupsnap " + String.join(" ", args) + " exited " + exit + ": "
          + err.toString().strip());
    }
    List<String> names = new ArrayList<>(coordinators.keySet());
    names.addAll(agents.keySet());
    names.add(ADMIN);
    for (String name : names) {
      requireOwnerOnly(tls.resolve(name + ".key"));
    }
    try {
      return new ClusterSecurity(tls, DevCredentials.ensure(dir));
    } catch (CredentialsFileException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static void requireOwnerOnly(Path key) throws IOException {
    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(key, LinkOption.NOFOLLOW_LINKS));
    if (!mode.equals("rw-------")) {
      throw new IllegalStateException(key + " has mode " + mode + ", not rw------- (certs init must make keys 0600)");
    }
  }

  /** Whether this cluster runs without TLS and without ZooKeeper credentials. */
  public boolean insecure() {
    return tlsDir == null;
  }

  /** The CA and the certificate and key named {@code name}. */
  public TlsFiles files(String name) {
    requireSecure();
    return new TlsFiles(tlsDir.resolve("ca.pem"), tlsDir.resolve(name + ".pem"), tlsDir.resolve(name + ".key"));
  }

  /** The transport flags and ZooKeeper credentials of {@code groupsnap coordinator} for coordinator {@code name}. */
  List<String> coordinatorFlags(String name) {
    if (insecure()) {
      return List.of("--insecure");
    }
    List<String> flags = new ArrayList<>(tlsFlags(files(name)));
    flags.addAll(List.of("--zookeeper-auth", zookeeper.coordinatorFile().toString()));
    return flags;
  }

  /** The entries of agent {@code id}'s YAML configuration: {@code tls} and {@code zookeeperAuth}, or insecure. */
  Map<String, Object> agentConfig(String id) {
    Map<String, Object> cfg = new LinkedHashMap<>();
    if (insecure()) {
      cfg.put("insecure", true);
      return cfg;
    }
    TlsFiles f = files(id);
    Map<String, Object> tls = new LinkedHashMap<>();
    tls.put("ca", f.ca().toString());
    tls.put("cert", f.cert().toString());
    tls.put("key", f.key().toString());
    cfg.put("tls", tls);
    cfg.put("zookeeperAuth", zookeeper.agentsFile().toString());
    return cfg;
  }

  /** How the test's gRPC clients connect: as {@value #ADMIN}, or in plaintext. */
  public TransportSettings admin() {
    return insecure() ? TransportSettings.plaintext() : TransportSettings.tls(files(ADMIN));
  }

  /**
   * The flags that make a {@code groupsnap} command (snapshot create, list, ...) act as {@value #ADMIN} and read
   * ZooKeeper as {@code agents}; {@code --insecure} on an insecure cluster.
   */
  public List<String> cliFlags() {
    if (insecure()) {
      return List.of("--insecure");
    }
    List<String> flags = new ArrayList<>(tlsFlags(files(ADMIN)));
    flags.addAll(List.of("--zookeeper-auth", zookeeper.agentsFile().toString()));
    return flags;
  }

  /** How the test's own ZooKeeper client authenticates (as {@code agents}: read only), or null for anonymous. */
  ZkAuth zookeeperReader() throws CredentialsFileException {
    if (insecure()) {
      return null;
    }
    return new ZkAuth(ZkCredentials.load(zookeeper.agentsFile()).require(ZkCredentials.AGENTS, "the harness"),
        null);
  }

  private static List<String> tlsFlags(TlsFiles f) {
    return List.of("--tls-ca", f.ca().toString(), "--tls-cert", f.cert().toString(), "--tls-key",
        f.key().toString());
  }

  private void requireSecure() {
    if (insecure()) {
      throw new IllegalStateException("this cluster runs without TLS (built insecure())");
    }
  }
}
