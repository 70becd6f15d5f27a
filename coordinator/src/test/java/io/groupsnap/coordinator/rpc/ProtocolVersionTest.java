package io.groupsnap.coordinator.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.common.Formats;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.coordinator.txn.AbortReason;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's requests carry the protocol version it speaks, and an agent's refusal of that version (an agent one
 * release behind a coordinator whose format changed) becomes the member's abort reason, naming both versions.
 */
class ProtocolVersionTest {
  static final String REFUSAL = "request of protocol version " + (Formats.CURRENT + 1) + " refused: this agent "
      + "speaks protocol version " + Formats.CURRENT + " (upgrade it to the coordinator's release)";
  final List<PrepareRequest> prepares = new CopyOnWriteArrayList<>();
  Server server;
  GrpcAgentClient client;
  Member member;

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void prepare(PrepareRequest req, StreamObserver<PrepareResponse> out) {
            prepares.add(req);
            out.onError(Status.FAILED_PRECONDITION.withDescription(REFUSAL).asException()); // as an older agent
          }
        }).build().start();
    client = new GrpcAgentClient(Transport.insecure());
    member = new Member("a1", "127.0.0.1:" + server.getPort(), List.of("data"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void requestsCarryTheCurrentProtocolVersion_andARefusalOfItIsTheMembersAbortReason() throws Exception {
    TxnSpec spec = new TxnSpec("gs-1", "c-1", 3, "me", List.of(member), Duration.ofSeconds(7),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1));
    PrepareReply p = client.prepare(spec, member).get(10, TimeUnit.SECONDS);
    assertThat(prepares).singleElement()
        .satisfies(r -> assertThat(r.getHeader().getProtocolVersion()).isEqualTo(Formats.CURRENT));
    assertThat(p.ok()).isFalse();
    assertThat(p.failure()).isEqualTo(Failure.REFUSED);
    AbortReason why = AbortReason.noAnswer(TxnState.PREPARING, "a1", p.failure(), p.reason());
    assertThat(why.cause()).isEqualTo(AbortCause.ABORT_REFUSED);
    assertThat(why.sentence()).isEqualTo("member a1 refused PREPARE: agent a1 at " + member.endpoint()
        + ": FAILED_PRECONDITION " + REFUSAL);
  }
}
