package io.groupsnap.cli.command;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.zkauth.SecretFiles;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.txn.DecisionRule;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's {@code --zookeeper-auth} against a coordinator whose nodes are protected: without credentials the
 * leader cannot be read (one line saying what to pass), with the agents' file it can; a file others may read is
 * refused; a coordinator daemon with a wrong password exits 1 on one line. Real ZooKeeper and coordinator.
 */
class ZooKeeperAuthCliTest {
  record Result(int exit, String out, String err) {}

  @TempDir Path tmp;
  TestingServer zk;
  Coordinator coordinator;
  Path agentsFile;

  /** Runs the CLI against this test's plaintext coordinator ({@code --insecure}: ZooKeeper is what is tested). */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = "--insecure";
    int code = Groupsnap.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    Path coordinatorFile = tmp.resolve("coordinator.auth");
    SecretFiles.create(coordinatorFile, "coordinator:c-secret-1\nagents:a-secret-1\n");
    agentsFile = tmp.resolve("agents.auth");
    SecretFiles.create(agentsFile, "agents:a-secret-1\n");
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure(), DecisionRule.STRICT, FaultPoints.NONE,
        ZkCredentials.load(coordinatorFile)).start();
    await().atMost(Duration.ofSeconds(30)).until(coordinator::isLeader);
  }

  @AfterEach
  void stop() throws Exception {
    coordinator.close();
    zk.close();
  }

  @Test
  void leaderLookup_needsCredentials_andTheAgentsFileSuffices() {
    Result anonymous = run("cluster", "status", "--zookeeper", zk.getConnectString());
    assertThat(anonymous.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(anonymous.err()).isEqualTo("groupsnap: ZooKeeper refused the operator (no credentials) at "
        + "/groupsnap/default/leader: NoAuth — this cluster's nodes are protected: pass --zookeeper-auth FILE (or "
        + "set GROUPSNAP_ZOOKEEPER_AUTH)\n");

    Result withAuth = run("cluster", "status", "--zookeeper", zk.getConnectString(), "--zookeeper-auth",
        agentsFile.toString());
    assertThat(withAuth.err()).isEmpty();
    assertThat(withAuth.exit()).isEqualTo(ExitCodes.OK);
    assertThat(withAuth.out()).contains(coordinator.endpoint().toString());
  }

  @Test
  void aCredentialFileOthersMayRead_isRefused_exitTwo() throws Exception {
    Path open = tmp.resolve("open.auth");
    Files.writeString(open, "agents:a-secret-1\n");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    Result r = run("cluster", "status", "--zookeeper", zk.getConnectString(), "--zookeeper-auth", open.toString());
    assertThat(r).isEqualTo(new Result(ExitCodes.USAGE, "", "groupsnap: --zookeeper-auth: " + open
        + ": mode 0644 is refused: a credential file must be 0600 or 0400 (chmod 600 " + open + ")\n"));
  }

  @Test
  void coordinatorDaemonWithAWrongPassword_exitsOneOnOneLine() throws Exception {
    Path wrong = tmp.resolve("wrong.auth");
    SecretFiles.create(wrong, "coordinator:guess-1\nagents:guess-2\n");
    Result r = run("coordinator", "--zookeeper", zk.getConnectString(), "--listen", "127.0.0.1:0",
        "--zookeeper-auth", wrong.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).startsWith("groupsnap: ZooKeeper refused the coordinator credentials of " + wrong
        + " at /groupsnap").contains(": NoAuth — check that").doesNotContain("guess-").endsWith("\n");
    assertThat(r.err().lines()).hasSize(1);

    Result missing = run("coordinator", "--zookeeper", zk.getConnectString(), "--zookeeper-auth",
        agentsFile.toString());
    assertThat(missing).isEqualTo(new Result(ExitCodes.USAGE, "", "groupsnap: --zookeeper-auth: " + agentsFile
        + ": a coordinator needs a line 'coordinator:PASSWORD' (it has agents)\n"));
  }
}
