package io.groupsnap.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's gRPC edge: meaningful status codes, the field named, nothing started on bad input, and a record
 * that cannot be decoded reported (never an INTERNAL error).
 */
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

  @Test
  void undecodableRecords_areListedApart_reportedInStatus_andDataLoss_forTheOneAskedFor() throws Exception {
    ZkLayout layout = new ZkLayout("default");
    byte[] garbage = {7, 'n', 'o', 'p', 'e'};
    try (CuratorFramework raw = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10))) {
      raw.create().forPath(layout.txn("gs-bad"), garbage);
      raw.create().forPath(layout.snapshot("gs-gone"), garbage);
      raw.create().forPath(layout.agent("agent-x"), garbage);
    }

    ListGroupSnapshotsResponse all = stub.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder()
        .setIncludeAborted(true).build());
    assertThat(all.getSnapshotsList()).isEmpty();
    assertThat(all.getDamagedList()).extracting(DamagedRecord::getId).containsExactly("gs-bad");
    assertThat(stub.listGroupSnapshots(ListGroupSnapshotsRequest.getDefaultInstance()).getDamagedList())
        .extracting(DamagedRecord::getId).containsExactly("gs-gone");
    ListAgentsResponse agents = stub.listAgents(ListAgentsRequest.getDefaultInstance());
    assertThat(agents.getAgentsList()).isEmpty();
    assertThat(agents.getDamagedList()).extracting(DamagedRecord::getId).containsExactly("agent-x");
    assertThat(stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getDamagedRecordsList())
        .extracting(DamagedRecord::getPath)
        .containsExactly(layout.txn("gs-bad"), layout.snapshot("gs-gone"), layout.agent("agent-x"));

    StatusRuntimeException shown = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId("gs-bad").build()));
    assertThat(shown.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
    assertThat(shown.getStatus().getDescription())
        .startsWith("record /groupsnap/default/txns/gs-bad cannot be used: it does not decode").doesNotContain("\n");
    assertThat(code(() -> stub.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId("gs-bad").build())))
        .isEqualTo(Status.Code.DATA_LOSS);
    assertThat(code(() -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance()).hasNext()))
        .as("a registration that cannot be decoded is never a member").isEqualTo(Status.Code.FAILED_PRECONDITION);
  }
}
