package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.Version;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.testing.RawBytes;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.VolumeInfo;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
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
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
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
  void clusterStatus_reportsTheCoordinatorsBuildVersion() {
    assertThat(stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getCoordinatorVersion())
        .isEqualTo(Version.current()).isNotEqualTo(Version.UNKNOWN);
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

  @Test
  void aHugeMemberOrId_isInvalidArgument_namingTheField_withTheValueCut() {
    String huge = "a".repeat(100_000);
    StatusRuntimeException member = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder()
            .addMembers(MemberSelector.newBuilder().setAgentId(huge)).build()).hasNext());
    assertThat(member.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(member.getStatus().getDescription()).isEqualTo("members[0].agent_id '" + "a".repeat(64)
        + "…(100000 chars)' is not a valid name");
    StatusRuntimeException volume = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder()
            .addMembers(MemberSelector.newBuilder().setAgentId("agent-1").setVolume("data\nx")).build()).hasNext());
    assertThat(volume.getStatus().getDescription()).isEqualTo("members[0].volume 'data\\nx' is not a valid name");
    StatusRuntimeException id = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId("gs-\n" + huge).build()));
    assertThat(id.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(id.getStatus().getDescription()).startsWith("group snapshot id 'gs-\\n" + "a".repeat(60)
        + "…(100004 chars)'");
  }

  @Test
  void garbageBytes_areInvalidArgument_notUnknown() {
    for (String method : new String[] {"GetGroupSnapshot", "CreateGroupSnapshot"}) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> raw("groupsnap.v1.CoordinatorService/" + method, new byte[] {(byte) 0xff, (byte) 0xff}));
      assertThat(e.getStatus().getCode()).as(method).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).as(method)
          .startsWith("request to groupsnap.v1.CoordinatorService/" + method + " cannot be decoded");
    }
  }

  @Test
  void aRequestAboveOneMebibyte_isRefusedByTheTransport() {
    CreateGroupSnapshotRequest.Builder big = CreateGroupSnapshotRequest.newBuilder();
    for (int i = 0; i < 30_000; i++) {
      big.addMembers(MemberSelector.newBuilder().setAgentId("agent-" + i).setVolume("v" + "x".repeat(30)));
    }
    assertThat(big.build().getSerializedSize()).isBetween(1 << 20, 4 << 20);
    assertThat(code(() -> stub.createGroupSnapshot(big.build()).hasNext()))
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void aLeaseAboveAnAgentsMaxFreezeLease_isRefusedBeforeAnyRecord_namingAgentAndLimit() throws Exception {
    register("agent-1", Duration.ofSeconds(60));
    register("agent-2", Duration.ofMinutes(20));
    register("agent-3", Duration.ofSeconds(30));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setFreezeTimeoutMillis(10_000)
            .setLeaseMillis(600_000).build()).hasNext());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("lease 600000ms is longer than the maxFreezeLease of "
        + "agent-1 (60000ms), agent-3 (30000ms)");
    StatusRuntimeException derived = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setFreezeTimeoutMillis(40_000)
            .addMembers(MemberSelector.newBuilder().setAgentId("agent-3")).build()).hasNext());
    assertThat(derived.getStatus().getDescription()).startsWith("lease 45000ms (the freeze timeout + 5000ms) is "
        + "longer than the maxFreezeLease of agent-3 (30000ms)");
    assertThat(stub.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
        .getSnapshotsList()).isEmpty();
  }

  @Test
  void aChosenId_mustHaveTheCoordinatorsForm_andBeUnused() throws Exception {
    StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setId("my-snapshot").build()).hasNext());
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getStatus().getDescription()).startsWith("id 'my-snapshot' is not of the form "
        + "gs-YYYYMMDD-HHMMSS-xxxxxx");
    String taken = "gs-20260101-000000-abcdef";
    try (CuratorFramework client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10))) {
      client.create().creatingParentsIfNeeded().forPath(new ZkLayout("default").txn(taken), GroupSnapshot.newBuilder()
          .setId(taken).setState(GroupSnapshotState.ABORTED).build().toByteArray());
    }
    StatusRuntimeException used = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setId(taken).build()).hasNext());
    assertThat(used.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(used.getStatus().getDescription()).isEqualTo("group snapshot " + taken + " exists already");
  }

  /** An agent's registration as an agent writes it (nothing answers at its endpoint). */
  private void register(String agent, Duration maxLease) throws Exception {
    try (CuratorFramework client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10))) {
      client.create().creatingParentsIfNeeded().forPath(new ZkLayout("default").agent(agent),
          AgentRegistration.newBuilder().setAgentId(agent).setEndpoint("127.0.0.1:1")
              .addVolumes(VolumeInfo.newBuilder().setName("data").setKind("dir").setPath("/srv/data"))
              .setMaxFreezeLeaseMillis(maxLease.toMillis()).build().toByteArray());
    }
  }

  /** Sends {@code bytes} as the request of {@code method}, as a client that does not speak protobuf would. */
  private byte[] raw(String method, byte[] bytes) {
    return ClientCalls.blockingUnaryCall(channel.newCall(RawBytes.unary(method),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), bytes);
  }
}
