package io.groupsnap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupsnap.cli.support.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command and daemon refuses to run without TLS credentials or an explicit insecure, before connecting; the
 * daemons likewise without ZooKeeper credentials.
 */
class SecureByDefaultTest {
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void noCredentialsInTheEnvironment() {
    assumeTrue(Stream.of("GROUPSNAP_TLS_CA", "GROUPSNAP_TLS_CERT", "GROUPSNAP_TLS_KEY", "GROUPSNAP_INSECURE")
        .allMatch(v -> System.getenv(v) == null));
  }

  @Test
  void aCommandWithoutCredentials_exitsTwo_sayingWhatToSet() {
    for (String[] args : new String[][] {{"snapshot", "list", "--coordinator", "127.0.0.1:1"},
        {"snapshot", "delete", "gs-1", "--coordinator", "127.0.0.1:1"}, {"health", "--agent", "127.0.0.1:1"},
        {"cluster", "status", "--zookeeper", "127.0.0.1:1"}}) {
      Result r = run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as(String.join(" ", args)).isEqualTo("groupsnap: no TLS credentials: give --tls-ca, "
          + "--tls-cert and --tls-key (or set GROUPSNAP_TLS_CA, GROUPSNAP_TLS_CERT, GROUPSNAP_TLS_KEY, e.g. from a "
          + "dev cluster's dev.env), or --insecure for a cluster started insecure\n");
    }
  }

  @Test
  void insecureWithTlsFiles_orHalfTheFiles_isBadInput() {
    Result both = run("--insecure", "--tls-ca", "/ca.pem", "snapshot", "list", "--coordinator", "127.0.0.1:1");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).isEqualTo("groupsnap: --insecure and --tls-ca/--tls-cert/--tls-key exclude each other: "
        + "plaintext or TLS, not both\n");
    Result half = run("snapshot", "list", "--coordinator", "127.0.0.1:1", "--tls-ca", "/ca.pem", "--tls-key", "/k");
    assertThat(half.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(half.err()).isEqualTo("groupsnap: --tls-cert is missing: --tls-ca, --tls-cert and --tls-key go "
        + "together\n");
  }

  @Test
  void aCoordinatorWithoutCredentials_refusesToStart() {
    Result r = run("coordinator", "--zookeeper", "127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: no TLS credentials: give --tls-ca, --tls-cert and --tls-key (a "
        + "certificate with the coordinator role, e.g. from groupsnap certs init), or --insecure for plaintext "
        + "(never in production)\n");
    Result both = run("coordinator", "--zookeeper", "127.0.0.1:1", "--insecure", "--tls-cert", "/c.pem");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).startsWith("groupsnap: --insecure and --tls-ca/--tls-cert/--tls-key exclude each other");
  }

  @Test
  void aCoordinatorWithTlsButNoZooKeeperCredentials_refusesToStart() {
    Result r = run("coordinator", "--zookeeper", "127.0.0.1:1", "--tls-ca", "/ca.pem", "--tls-cert", "/c.pem",
        "--tls-key", "/c.key");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: no ZooKeeper credentials: give --zookeeper-auth FILE (mode 0600, lines "
        + "coordinator:PASSWORD and agents:PASSWORD), or --insecure to leave every ZooKeeper node open to anyone "
        + "(never in production)\n");
  }

  @Test
  void anAgentConfigWithTlsButNoZooKeeperCredentials_failsItsCheck_sayingWhatToPutThere(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.toRealPath();
    Path data = Files.createDirectories(dir.resolve("data"));
    String tls = "tls:\n";
    for (String f : new String[] {"ca", "cert", "key"}) {
      tls += "  " + f + ": " + Files.writeString(dir.resolve(f + ".pem"), "PEM") + "\n";
    }
    Path cfg = Files.writeString(dir.resolve("agent.yaml"), "snapshotRoot: " + dir.resolve("snapshots")
        + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n"
        + tls);
    Result r = run("agent", "--config", cfg.toString(), "--check");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: " + cfg + ": zookeeperAuth: required unless insecure: true "
        + "(zookeeperAuth: FILE, mode 0600, holding the line agents:PASSWORD of the coordinators' --zookeeper-auth "
        + "file)\n");
    assertThat(dir.resolve("snapshots")).doesNotExist();
  }

  @Test
  void anAgentConfigWithoutTls_failsItsCheck_namingTheField(@TempDir Path tmp) throws Exception {
    Path data = Files.createDirectories(tmp.toRealPath().resolve("data"));
    String yaml = "snapshotRoot: " + tmp.toRealPath().resolve("snapshots") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n";
    Path cfg = Files.writeString(tmp.resolve("agent.yaml"), yaml);
    Result none = run("agent", "--config", cfg.toString(), "--check");
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).isEqualTo("groupsnap: " + cfg + ": tls: required unless insecure: true (tls: {ca: FILE, "
        + "cert: FILE, key: FILE}, e.g. from groupsnap certs init)\n");

    Files.writeString(cfg, yaml + "tls:\n  ca: /ca.pem\n  key: /agent.key\n");
    Result half = run("agent", "--config", cfg.toString(), "--check");
    assertThat(half.err()).isEqualTo("groupsnap: " + cfg + ": tls.cert: required unless insecure: true\n");

    Files.writeString(cfg, yaml + "insecure: true\ntls:\n  ca: /ca.pem\n  cert: /a.pem\n  key: /agent.key\n");
    Result both = run("agent", "--config", cfg.toString(), "--check");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).isEqualTo("groupsnap: " + cfg + ": tls: given with insecure: true: plaintext and TLS "
        + "exclude each other, remove one\n");

    Files.writeString(cfg, yaml + "insecure: true\n");
    assertThat(run("agent", "--config", cfg.toString(), "--check").exit()).isZero();
  }
}
