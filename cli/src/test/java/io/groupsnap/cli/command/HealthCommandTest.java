package io.groupsnap.cli.command;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.HostPort;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code groupsnap health} against a real coordinator over a real socket, with ZooKeeper cut under it. */
class HealthCommandTest {
  record Result(int exit, String out, String err) {}

  TestingServer zk;
  Coordinator coordinator;
  String endpoint;

  /** Runs the CLI, plaintext ({@code --insecure}) as the coordinator under test serves. */
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
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
    endpoint = coordinator.endpoint().toString();
  }

  @AfterEach
  void stop() throws Exception {
    coordinator.close();
    zk.close();
  }

  @Test
  void aConnectedCoordinator_isServing_exitZero_andNotServingWithoutZooKeeper_exitOne() throws Exception {
    assertThat(run("health", "--coordinator", endpoint))
        .isEqualTo(new Result(ExitCodes.OK, "coordinator " + endpoint + ": SERVING\n", ""));

    zk.stop();

    await().atMost(Duration.ofSeconds(30)).until(() -> run("health", "--coordinator", endpoint).exit()
        == ExitCodes.FAILED);
    assertThat(run("health", "--coordinator", endpoint))
        .isEqualTo(new Result(ExitCodes.FAILED, "coordinator " + endpoint + ": NOT_SERVING\n", ""));
  }

  @Test
  void theWrongKindOfDaemon_orNoneAtAll_exitsOne_onOneLine() throws Exception {
    Result wrong = run("health", "--agent", endpoint);
    assertThat(wrong.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(wrong.err()).isEqualTo("groupsnap: " + endpoint + " does not serve groupsnap.v1.AgentService: "
        + "is it an agent?\n");

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Result none = run("health", "--agent", "127.0.0.1:" + closed);
    assertThat(none.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(none.err()).isEqualTo("groupsnap: cannot ask the agent at 127.0.0.1:" + closed + ": UNAVAILABLE\n");
  }

  @Test
  void badOrMissingAddresses_exitTwo() {
    assertThat(run("health", "--agent", "nowhere").err())
        .isEqualTo("groupsnap: --agent: endpoint 'nowhere' is not host:port\n");
    assertThat(run("health").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("health", "--agent", endpoint, "--coordinator", endpoint).exit()).isEqualTo(ExitCodes.USAGE);
  }
}
