package io.groupsnap.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator's gRPC edge: meaningful status codes, the field named, nothing started on bad input. */
class CoordinatorServiceTest {
  TestingServer zk;
  Coordinator coordinator;
  ManagedChannel channel;
  CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0))).start();
    channel = NettyChannelBuilder.forTarget(coordinator.endpoint().toString()).usePlaintext().build();
    stub = CoordinatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    coordinator.close();
    zk.close();
  }

  private Status.Code code(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void badIds_areInvalidArgument_andUnknownOnesNotFound() {
    StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId("../x").build()));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getStatus().getDescription()).startsWith("group snapshot id '../x'");
    assertThat(code(() -> stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId("gs-1").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void aSnapshotWithoutAgents_isRefusedUpFront() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance()).hasNext());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).isEqualTo("no agents are registered in this cluster");
    assertThat(stub.listAgents(ListAgentsRequest.getDefaultInstance()).getAgentsList()).isEmpty();
  }

  @Test
  void negativeOrOutOfRangeTimeouts_areInvalidArgument() {
    assertThat(code(() -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder()
        .setFreezeTimeoutMillis(-1).build()).hasNext())).isEqualTo(Status.Code.INVALID_ARGUMENT);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setFreezeTimeoutMillis(5000)
            .setLeaseMillis(4000).build()).hasNext());
    assertThat(e.getStatus().getDescription()).isEqualTo("lease 4000ms must be longer than the freeze timeout 5000ms");
  }
}
