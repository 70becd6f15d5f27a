package io.groupsnap.coordinator.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.common.tls.Transport;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dead member (nothing listens at its endpoint) answers PREPARE as UNREACHABLE as soon as its connection is refused,
 * not at the PREPARE deadline, which here is far beyond the test's own bound; and a member that is back on the same
 * endpoint is reached by the next PREPARE over the same channel. Over real loopback sockets.
 */
class GrpcAgentClientDeadAgentTest {
  /** Far longer than the bound of any wait below: an answer that waited for it would fail the test. */
  static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(30);
  GrpcAgentClient client;
  Server server;
  int port;
  Member member;

  @BeforeEach
  void start() throws Exception {
    client = new GrpcAgentClient(Transport.insecure());
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: a connection to it is refused
    }
    member = new Member("a1", "127.0.0.1:" + port, List.of("data"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  TxnSpec spec(String id) {
    return new TxnSpec(id, "c-1", 3, "me", List.of(member), PREPARE_TIMEOUT, Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void aRefusedConnection_isUnreachableAtOnce_notAtThePrepareDeadline() throws Exception {
    PrepareReply r = client.prepare(spec("gs-1"), member).get(60, TimeUnit.SECONDS);
    assertThat(r.ok()).isFalse();
    assertThat(r.failure()).isEqualTo(Failure.UNREACHABLE);
    assertThat(r.reason()).startsWith("agent a1 at 127.0.0.1:" + port + ": ").contains("connection attempt failed");
  }

  @Test
  void anAgentBackOnItsEndpoint_isReachedByTheNextPrepare() throws Exception {
    assertThat(client.prepare(spec("gs-1"), member).get(60, TimeUnit.SECONDS).failure())
        .isEqualTo(Failure.UNREACHABLE);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void prepare(PrepareRequest req, StreamObserver<PrepareResponse> out) {
            out.onNext(PrepareResponse.newBuilder().setOk(true).build());
            out.onCompleted();
          }
        }).build().start();
    PrepareReply r = client.prepare(spec("gs-2"), member).get(60, TimeUnit.SECONDS);
    assertThat(r.ok()).as("reached despite the channel's backoff after the refused attempt: %s", r.reason())
        .isTrue();
  }
}
