package io.groupsnap.agent.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.testing.RawBytes;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.CallOptions;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentGrpcServiceTest {
  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  Server server;
  ManagedChannel channel;
  AgentServiceGrpc.AgentServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Participant p = new Participant("a1", List.of(new DirVolume("data", data, tmp.resolve("snaps"), true, false)), List.of(),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), "c-1"),
        tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler, Clock.systemUTC());
    // over a real socket: a status description that quotes a huge input once broke the HTTP/2 transport itself
    server = ServerEdge.bounded(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
        .addService(new AgentGrpcService(p)).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    scheduler.shutdownNow();
  }

  static TxnHeader header(String txn, long epoch) {
    return TxnHeader.newBuilder().setClusterId("c-1").setEpoch(epoch).setTxnId(txn).build();
  }

  @Test
  void malformedRequests_areInvalidArgument_namingTheField() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(header("../../etc", 1)).setLeaseMillis(5000).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("header.txn_id '../../etc'");
    StatusRuntimeException v = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(header("gs-1", 1)).addVolumes("a/b").setLeaseMillis(5000).build()));
    assertThat(v.getStatus().getDescription()).startsWith("volumes[0] 'a/b'");
    assertThat(tmp.resolve("snaps")).doesNotExist();
  }

  @Test
  void aPrepareOrFreezeAfterItsAbort_isAborted() {
    stub.prepare(PrepareRequest.newBuilder().setHeader(header("gs-1", 1)).setLeaseMillis(5000).build());
    assertThat(stub.freeze(FreezeRequest.newBuilder().setHeader(header("gs-1", 1)).setLeaseMillis(5000).build())
        .getFrozen()).isTrue();
    stub.abort(AbortRequest.newBuilder().setHeader(header("gs-1", 1)).build());
    StatusRuntimeException prepare = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(header("gs-1", 1)).setLeaseMillis(5000).build()));
    StatusRuntimeException freeze = catchThrowableOfType(StatusRuntimeException.class, () -> stub.freeze(
        FreezeRequest.newBuilder().setHeader(header("gs-1", 1)).setLeaseMillis(5000).build()));
    for (StatusRuntimeException e : List.of(prepare, freeze)) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      assertThat(e.getStatus().getDescription()).isEqualTo(
          "transaction gs-1 was already aborted on agent a1 (ABORT from the coordinator)");
    }
  }

  @Test
  void aFreezeDeadlineOutOfRange_isInvalidArgument_namingTheField() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(header("gs-1", 1)).setLeaseMillis(5000).setFreezeWithinMillis(-1)
            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("freeze_within_millis -1 is outside");
  }

  @Test
  void staleEpochAndWrongPhase_areFailedPrecondition() {
    PrepareResponse ok = stub.prepare(PrepareRequest.newBuilder().setHeader(header("gs-1", 3)).setLeaseMillis(5000)
        .build());
    assertThat(ok.getOk()).isTrue();
    StatusRuntimeException stale = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.freeze(FreezeRequest.newBuilder().setHeader(header("gs-1", 2)).setLeaseMillis(5000).build()));
    assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(stale.getStatus().getDescription()).contains("stale epoch 2");
    StatusRuntimeException phase = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.freeze(FreezeRequest.newBuilder().setHeader(header("gs-9", 3)).setLeaseMillis(5000).build()));
    assertThat(phase.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(phase.getStatus().getDescription()).contains("unknown transaction gs-9");
  }

  @Test
  void aHugeClusterId_isInvalidArgument_namingTheField_withTheValueCut() {
    String huge = "c".repeat(1_000_000);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(TxnHeader.newBuilder().setClusterId(huge).setEpoch(1).setTxnId("gs-1"))
            .setLeaseMillis(5000).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("header.cluster_id '" + "c".repeat(64)
        + "…(1000000 chars)' is not a valid cluster id");
  }

  @Test
  void controlCharactersInAField_areEscapedInTheAnswer() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(header("gs-1", 1)).addVolumes("data\n\u001b[2J").setLeaseMillis(5000)
            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("volumes[0] 'data\\n\\u001b[2J' is not a valid name");
  }

  @Test
  void garbageBytes_areInvalidArgument_notUnknown() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> raw("groupsnap.v1.AgentService/Prepare", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .startsWith("request to groupsnap.v1.AgentService/Prepare cannot be decoded");
    assertThat(tmp.resolve("snaps")).doesNotExist();
  }

  @Test
  void aRequestAboveTheSizeLimit_isRefusedByTheTransport() {
    PrepareRequest.Builder big = PrepareRequest.newBuilder().setHeader(header("gs-1", 1)).setLeaseMillis(5000);
    for (int i = 0; i < 40_000; i++) {
      big.addVolumes("v" + "x".repeat(40));
    }
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(big.build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  /** Sends {@code bytes} as the request of {@code method}, as a client that does not speak protobuf would. */
  private byte[] raw(String method, byte[] bytes) {
    return ClientCalls.blockingUnaryCall(channel.newCall(RawBytes.unary(method),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), bytes);
  }
}
