package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Transport;
import io.groupsnap.proto.v1.MemberState;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.ForgetAgentRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MissingAgents;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A group snapshot without members means every agent the cluster knows, not only those registered this second: an
 * agent seen and now gone makes it fail before anything starts, naming the agent, unless the request allows missing
 * agents — then the record names who was left out. Real ZooKeeper and a real coordinator over gRPC; the agents are
 * registrations whose sessions the test ends (they never answer: with them nothing would commit, which is not the
 * point here).
 */
class MissingAgentsTest {
  static final ZkLayout LAYOUT = new ZkLayout("default");
  TestingServer zk;
  CuratorFramework agent1;
  CuratorFramework agent2;
  FakeAgent a1;
  FakeAgent a2;
  Coordinator coordinator;
  ManagedChannel channel;
  CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub;

  /** A cluster whose leader forgets agents unseen for {@code forgetAfter}, checking every 200ms. */
  void start(Duration forgetAfter) throws Exception {
    zk = new TestingServer(true);
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withForgetAgentsAfter(forgetAfter).withResolveInterval(Duration.ofMillis(200)),
        Transport.insecure()).start();
    channel = NettyChannelBuilder.forTarget(coordinator.endpoint().toString()).usePlaintext().build();
    stub = CoordinatorServiceGrpc.newBlockingStub(channel);
    await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
    agent1 = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    agent2 = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    a1 = new FakeAgent("a1").register(agent1, LAYOUT);
    a2 = new FakeAgent("a2").register(agent2, LAYOUT);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    coordinator.close();
    agent1.close();
    agent2.close();
    a1.close();
    a2.close();
    zk.close();
  }

  /** Runs a group snapshot to its end; the short PREPARE deadline ends it, as the fake agents never answer. */
  GroupSnapshot create(CreateGroupSnapshotRequest.Builder req) {
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
        .createGroupSnapshot(req.setPrepareTimeoutMillis(300).build());
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new AssertionError("no result");
  }

  int records() {
    return stub.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
        .getSnapshotsCount();
  }

  @Test
  void aKnownAgentGone_refusesASnapshotOfEveryAgent_beforeAnythingStarts_namingIt() throws Exception {
    start(Duration.ofHours(24));
    await("both agents known").atMost(Duration.ofSeconds(20))
        .until(() -> agent1.checkExists().forPath(LAYOUT.known("a2")) != null);
    agent2.close(); // a2 dies: its registration goes with its session

    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> create(CreateGroupSnapshotRequest.newBuilder()));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).doesNotContain("\n")
        .startsWith("1 agent(s) known to this cluster are not registered: a2 (last seen ").contains("s ago)");
    MissingAgents trailer = refused.getTrailers().get(CoordinatorGrpcService.MISSING_AGENTS_KEY);
    assertThat(trailer.getAgentsList()).extracting(KnownAgent::getAgentId).containsExactly("a2");
    assertThat(trailer.getAgents(0).getEndpoint()).isEqualTo(a2.endpoint());
    assertThat(records()).as("nothing started").isZero();
    assertThat(stub.listAgents(ListAgentsRequest.getDefaultInstance()).getMissingList())
        .extracting(KnownAgent::getAgentId).containsExactly("a2");

    GroupSnapshot allowed = create(CreateGroupSnapshotRequest.newBuilder().setAllowMissing(true));
    assertThat(allowed.getMissingAgentsList()).containsExactly("a2");
    assertThat(allowed.getMembersList()).extracting(MemberRecord::getAgentId).containsExactly("a1");
    assertThat(coordinator.getGroupSnapshot(allowed.getId()).getMissingAgentsList()).as("the stored record")
        .containsExactly("a2");

    GroupSnapshot named = create(CreateGroupSnapshotRequest.newBuilder()
        .addMembers(io.groupsnap.proto.v1.MemberSelector.newBuilder().setAgentId("a1")));
    assertThat(named.getMissingAgentsList()).as("explicit members leave nobody out").isEmpty();
  }

  @Test
  void aForgottenAgent_isNoLongerWaitedFor_andARegisteredOneCannotBeForgotten() throws Exception {
    start(Duration.ofHours(24));
    await().atMost(Duration.ofSeconds(20)).until(() -> agent1.checkExists().forPath(LAYOUT.known("a2")) != null);
    agent2.close();

    StatusRuntimeException registered = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId("a1").build()));
    assertThat(registered.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId("a2").build()).getForgotten()).isTrue();
    assertThat(stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId("a2").build()).getForgotten()).isFalse();

    GroupSnapshot g = create(CreateGroupSnapshotRequest.newBuilder());
    assertThat(g.getMissingAgentsList()).isEmpty();
    assertThat(g.getMembersList()).extracting(MemberRecord::getAgentId).containsExactly("a1");
  }

  @Test
  void anAgentUnseenForLongerThanTheForgetPeriod_isForgotten() throws Exception {
    start(Duration.ofMillis(500));
    await().atMost(Duration.ofSeconds(20)).until(() -> agent1.checkExists().forPath(LAYOUT.known("a2")) != null);
    agent2.close();

    await("a2 forgotten").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> agent1.checkExists().forPath(LAYOUT.known("a2")) == null);
    assertThat(stub.listAgents(ListAgentsRequest.getDefaultInstance()).getMissingList()).isEmpty();
    assertThat(agent1.checkExists().forPath(LAYOUT.known("a1"))).as("a registered agent stays known").isNotNull();
    assertThat(create(CreateGroupSnapshotRequest.newBuilder()).getMissingAgentsList()).isEmpty();
  }

  @Test
  void aSnapshotWithAMemberOnARetiredHost_isDeleted_onceItsAgentIsForgotten() throws Exception {
    start(Duration.ofHours(24));
    await().atMost(Duration.ofSeconds(20)).until(() -> agent1.checkExists().forPath(LAYOUT.known("a2")) != null);
    agent1.create().creatingParentsIfNeeded().forPath(LAYOUT.txn("gs-1"), GroupSnapshot.newBuilder().setId("gs-1")
        .setEpoch(1).setState(GroupSnapshotState.COMMITTED).setFinalized(true)
        .addMembers(MemberRecord.newBuilder().setAgentId("a1").setVolume("data").setState(MemberState.MEMBER_COMMITTED))
        .addMembers(MemberRecord.newBuilder().setAgentId("a2").setVolume("data").setState(MemberState.MEMBER_COMMITTED))
        .build().toByteArray());
    agent2.close(); // a2's host is gone for good

    StatusRuntimeException waiting = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId("gs-1").build()));
    assertThat(waiting.getStatus().getDescription()).doesNotContain("\n")
        .contains("agent a2 is not registered (forget it with `groupsnap agents forget a2`");
    assertThat(coordinator.getGroupSnapshot("gs-1").getState()).isEqualTo(GroupSnapshotState.DELETING);

    assertThat(stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId("a2").build()).getForgotten()).isTrue();
    DeleteGroupSnapshotResponse deleted = stub.deleteGroupSnapshot(
        DeleteGroupSnapshotRequest.newBuilder().setId("gs-1").build());

    // the leader's periodic pass (every 200ms here) may have finished it first: either way it is DELETED now
    assertThat(deleted.getSnapshot().getState()).isEqualTo(GroupSnapshotState.DELETED);
    assertThat(coordinator.getGroupSnapshot("gs-1").getState()).isEqualTo(GroupSnapshotState.DELETED);
    assertThat(a1.deletes).extracting(r -> r.getHeader().getTxnId()).containsOnly("gs-1");
    assertThat(a2.deletes).as("never reachable").isEmpty();
  }
}
