package io.groupsnap.agent.writer.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.writer.client.WriterClient;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's endpoint: the socket's life cycle, the loopback TCP fallback, and the config checks of kind grpc. */
class WriterHubTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path tmp;

  @Test
  void aStaleSocket_isRemovedAtStart_andTheSocketIsRemovedAtClose() throws Exception {
    GrpcWriterTest.requireUnixSockets();
    Path socket = tmp.resolve("writers.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket)); // a crashed agent's socket: the file stays, nobody listens
    }
    assertThat(socket).exists();
    try (WriterHub hub = new WriterHub("a1", socket, WriterHub.Transport.AUTO).start()) {
      assertThat(hub.unixSocket()).isTrue();
    }
    assertThat(socket).doesNotExist();
  }

  @Test
  void aSocketAnotherProcessServesOn_isLeftAlone_andTheHubRefusesToStart() throws Exception {
    GrpcWriterTest.requireUnixSockets();
    Path socket = tmp.resolve("writers.sock");
    try (WriterHub first = new WriterHub("a1", socket, WriterHub.Transport.AUTO).start()) {
      WriterHub second = new WriterHub("a2", socket, WriterHub.Transport.AUTO);
      assertThatThrownBy(second::start).hasMessage(socket + " is in use: another agent serves writers there (two "
          + "agents share a stateDir?)");
      second.close();
      assertThat(socket).as("the first agent's socket survives").exists();
    }
  }

  @Test
  void somethingElseAtThePath_isNeverRemoved() throws Exception {
    Path file = Files.writeString(tmp.resolve("writers.sock"), "precious");
    assertThatThrownBy(() -> new WriterHub("a1", file, WriterHub.Transport.AUTO).start())
        .hasMessageContaining("exists and is neither a socket nor a groupsnap writer endpoint file");
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void overLoopbackTcp_theEndpointFileNamesPortAndToken_andOnlyTheTokenGetsIn() throws Exception {
    Path path = tmp.resolve("writers.sock");
    WriterHub hub = new WriterHub("a1", path, WriterHub.Transport.TCP);
    GrpcWriter w = new GrpcWriter(GrpcWriterTest.config("orders-writer", "orders", Duration.ofSeconds(5)), hub,
        Clock.systemUTC());
    AppHandler app = new AppHandler();
    try (hub) {
      hub.start();
      assertThat(hub.unixSocket()).isFalse();
      assertThat(Files.isRegularFile(path)).isTrue();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-r-----");
      List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
      assertThat(lines.get(0)).isEqualTo("groupsnap-writer-endpoint 1");
      assertThat(lines.get(1)).matches("tcp 127\\.0\\.0\\.1:\\d+");
      assertThat(lines.get(2)).matches("token [0-9a-f]{64}");

      Path forged = Files.writeString(tmp.resolve("forged"), lines.get(0) + "\n" + lines.get(1) + "\ntoken "
          + "0".repeat(64) + "\n");
      try (WriterClient intruder = WriterClient.builder(forged, "orders", new AppHandler())
          .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).connect()) {
        await().atMost(WAIT).until(() -> intruder.lastError().contains("PERMISSION_DENIED"));
        assertThat(hub.isConnected("orders")).isFalse();
      }
      try (WriterClient client = WriterClient.connect(path, "orders", app)) {
        assertThat(client.awaitSubscribed(WAIT)).as(client.lastError()).isTrue();
        await().atMost(WAIT).until(() -> hub.isConnected("orders"));
        assertThat(w.prepare(GrpcWriterTest.ctx("gs-1")).ok()).isTrue();
        assertThat(app.calls).containsExactly("prepare gs-1");
      }
    }
    assertThat(path).doesNotExist();
  }

  @Test
  void aSocketPathTooLongForAUnixSocket_fallsBackToLoopbackTcp() throws Exception {
    Path deep = Files.createDirectories(tmp.resolve("d".repeat(60)).resolve("e".repeat(60)));
    try (WriterHub hub = new WriterHub("a1", deep.resolve("writers.sock"), WriterHub.Transport.AUTO).start()) {
      assertThat(hub.unixSocket()).isFalse();
      assertThat(hub.endpoint()).startsWith("127.0.0.1:").endsWith("(endpoint file " + deep.resolve("writers.sock")
          + ")");
    }
  }

  @Test
  void config_requiresAValidApplication_andOneWriterPerApplication() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    String base = "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\nwriters:\n";
    String orders = "  - name: w1\n    kind: grpc\n    options: {application: orders}\n";
    assertThat(ConfigLoader.parse("agent.yaml", base + orders).writers().get(0).options())
        .containsEntry("application", "orders");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + "  - name: w1\n    kind: grpc\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("agent.yaml: writers[0].options.application: is required: the name the application subscribes "
            + "with");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + orders.replace("orders", "'a b'")))
        .hasMessageStartingWith("agent.yaml: writers[0].options.application: application name 'a b' is not a "
            + "valid name");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + orders + orders.replace("w1", "w2")))
        .hasMessage("agent.yaml: writers[1].options.application: application 'orders' is already served by another "
            + "writer; one writer per application");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + orders + "    freeze: [/bin/true]\n"))
        .hasMessageContaining("writers[0].freeze: only writers of kind exec take commands");
  }
}
