package io.groupsnap.agent.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.proto.v1.ApplicationMessage;
import io.groupsnap.proto.v1.WriterIdentity;
import io.groupsnap.proto.v1.WriterPhase;
import io.groupsnap.proto.v1.WriterRequest;
import io.groupsnap.proto.v1.WriterServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.stub.StreamObserver;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's endpoint: the socket's life cycle and the loopback TCP fallback. */
class WriterHubTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path tmp;

  static void requireUnixSockets() {
    if (!Epoll.isAvailable()) {
      String why = "Unix domain sockets need epoll: " + Epoll.unavailabilityCause();
      if (System.getenv("GROUPSNAP_CI") != null) {
        Assertions.fail(why);
      }
      Assumptions.assumeTrue(false, why);
    }
  }

  @Test
  void aStaleSocket_isRemovedAtStart_andTheSocketIsRemovedAtClose() throws Exception {
    requireUnixSockets();
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
    requireUnixSockets();
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
    hub.register("orders", "orders-writer", Set.of());
    try (hub) {
      hub.start();
      assertThat(hub.unixSocket()).isFalse();
      assertThat(Files.isRegularFile(path)).isTrue();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
      List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
      assertThat(lines.get(0)).isEqualTo("groupsnap-writer-endpoint 1");
      assertThat(lines.get(1)).matches("tcp 127\\.0\\.0\\.1:\\d+");
      assertThat(lines.get(2)).matches("token [0-9a-f]{64}");
      String hostPort = lines.get(1).substring(4);
      String token = lines.get(2).substring(6);

      Object forged = firstReply(hostPort, "0".repeat(64), "orders");
      assertThat(forged).isInstanceOf(Status.class);
      assertThat(((Status) forged).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(((Status) forged).getDescription()).isEqualTo("wrong or missing token (read it from " + path + ")");
      Object unknown = firstReply(hostPort, token, "inventory");
      assertThat(((Status) unknown).getCode()).isEqualTo(Status.Code.NOT_FOUND);
      Object welcome = firstReply(hostPort, token, "orders");
      assertThat(welcome).isInstanceOf(WriterRequest.class);
      assertThat(((WriterRequest) welcome).getPhase()).isEqualTo(WriterPhase.WRITER_PHASE_IDENTIFY);
      assertThat(((WriterRequest) welcome).getWriter()).isEqualTo("orders-writer");
      assertThat(((WriterRequest) welcome).getAgentId()).isEqualTo("a1");
    }
    assertThat(path).as("removed at close").doesNotExist();
  }

  /** Subscribes with a bare generated stub and returns the first thing the hub says: a request, or a status. */
  static Object firstReply(String hostPort, String token, String application) throws Exception {
    int colon = hostPort.lastIndexOf(':');
    ManagedChannel ch = NettyChannelBuilder.forAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1))).usePlaintext().build();
    try {
      BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
      StreamObserver<ApplicationMessage> out = WriterServiceGrpc.newStub(ch).subscribe(new StreamObserver<>() {
        @Override
        public void onNext(WriterRequest r) {
          replies.add(r);
        }

        @Override
        public void onError(Throwable t) {
          replies.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          replies.add(Status.OK);
        }
      });
      out.onNext(ApplicationMessage.newBuilder().setIdentity(WriterIdentity.newBuilder().setApplication(application)
          .setPid(1).setToken(token)).build());
      Object first = replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(first).as("a reply").isNotNull();
      return first;
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
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
}
