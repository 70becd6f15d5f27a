package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.FreezeResponse;
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

/** What the leader's client sends to an agent and how it reads the agent's refusals; over a real socket. */
class GrpcAgentClientTest {
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
            out.onError(Status.ABORTED.withDescription("transaction gs-1 was already aborted on agent a1 (x)")
                .asException());
          }

          @Override
          public void freeze(FreezeRequest req, StreamObserver<FreezeResponse> out) {
            out.onError(Status.ABORTED.withDescription("transaction gs-1 was already aborted on agent a1 (x)")
                .asException());
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

  TxnSpec spec() {
    return new TxnSpec("gs-1", "c-1", 3, "me", List.of(member), Duration.ofSeconds(7), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void prepare_carriesTheFreezeDeadline_thePrepareTimeoutAndTheFreezeCallDeadline() throws Exception {
    client.prepare(spec(), member).get(10, TimeUnit.SECONDS);
    assertThat(prepares).singleElement()
        .satisfies(r -> assertThat(r.getFreezeWithinMillis()).as("7s prepare + 2s freeze + 2s call backstop")
            .isEqualTo(11_000));
  }

  @Test
  void anAgentAnsweringAborted_isAFinalNoAtPrepare_andNotFrozenAtFreeze() throws Exception {
    PrepareReply p = client.prepare(spec(), member).get(10, TimeUnit.SECONDS);
    assertThat(p.ok()).isFalse();
    assertThat(p.retryable()).isFalse();
    assertThat(p.failure()).as("the agent's answer is a vote, not a failed call").isEqualTo(Failure.NONE);
    assertThat(p.reason()).isEqualTo("agent a1 at " + member.endpoint()
        + ": ABORTED transaction gs-1 was already aborted on agent a1 (x)");
    FreezeReply f = client.freeze(spec(), member).get(10, TimeUnit.SECONDS);
    assertThat(f.frozen()).isFalse();
    assertThat(f.failure()).as("an error answer to FREEZE").isEqualTo(Failure.REFUSED);
    assertThat(f.reason()).contains("ABORTED transaction gs-1 was already aborted");
  }
}
