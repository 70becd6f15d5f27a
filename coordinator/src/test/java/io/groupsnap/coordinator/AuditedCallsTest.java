package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Callers;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.coordinator.audit.AuditPages;
import io.groupsnap.coordinator.audit.AuditStore;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.proto.v1.AuditArgument;
import io.groupsnap.proto.v1.AuditEntry;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.ForgetAgentRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ListAuditRequest;
import io.groupsnap.proto.v1.ListedAuditEntry;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.MemberState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every mutating call to a real coordinator leaves audit entries in a real ZooKeeper: its request before it acts,
 * with the caller's identity, and its outcome after the decision. No audit write falls between a group snapshot's
 * FREEZE and THAW; a coordinator stopped mid-call leaves the request on record; and a trail that cannot be written
 * refuses mutating calls as UNAVAILABLE before they act.
 */
class AuditedCallsTest {
  static final ZkLayout LAYOUT = new ZkLayout("default");
  static final Identity ALICE = new Identity("alice", Set.of(Role.OPERATOR));
  static final Identity ROOT = new Identity("root", Set.of(Role.ADMIN));

  TestingServer zk;
  CuratorFramework client;
  Coordinator coordinator;
  ManagedChannel channel;
  CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withResolveInterval(Duration.ofMillis(200)), Transport.insecure()).start();
    channel = NettyChannelBuilder.forTarget(coordinator.endpoint().toString()).usePlaintext().build();
    stub = CoordinatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    coordinator.close();
    client.close();
    zk.close();
  }

  List<ListedAuditEntry> trail() throws Exception {
    return new AuditPages(new AuditStore(client, LAYOUT)).page(0, 0, "").getEntriesList();
  }

  int entries() throws Exception {
    return client.checkExists().forPath(LAYOUT.audit()).getNumChildren();
  }

  static String argument(AuditEntry e, String name) {
    return e.getArgumentsList().stream().filter(a -> a.getName().equals(name)).map(AuditArgument::getValue)
        .findFirst().orElse(null);
  }

  CompletableFuture<GroupSnapshot> create(Identity who, String id, List<MemberSelector> members, Duration prepare)
      throws Exception {
    return Callers.with(who).call(() -> coordinator.createGroupSnapshot(id, members, null, null, prepare, false,
        TransactionDriver.Progress.NONE));
  }

  @Test
  void aCommittedCreate_isRecordedBeforePrepare_andAfterTheDecision_neverBetweenFreezeAndThaw() throws Exception {
    try (AnsweringAgent agent = new AnsweringAgent("c1", call -> entries()).register(client, LAYOUT)) {
      GroupSnapshot g = create(ALICE, null, List.of(), null).get(30, TimeUnit.SECONDS);

      assertThat(g.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
      assertThat(agent.seen.get("PREPARE")).as("the request is on record before PREPARE").isEqualTo(1);
      assertThat(agent.seen.get("FREEZE")).isEqualTo(1);
      assertThat(agent.seen.get("THAW")).as("no audit write between FREEZE and THAW").isEqualTo(1);
      List<ListedAuditEntry> t = trail();
      assertThat(t).extracting(l -> l.getEntry().getOutcome())
          .containsExactly(AuditOutcome.AUDIT_STARTED, AuditOutcome.AUDIT_COMMITTED);
      AuditEntry started = t.get(0).getEntry();
      assertThat(started.getIdentity()).isEqualTo("alice");
      assertThat(started.getRolesList()).containsExactly("operator");
      assertThat(started.getMethod()).isEqualTo("CreateGroupSnapshot");
      assertThat(started.getGroupSnapshotId()).as("the id is given before the call acts").isEqualTo(g.getId());
      assertThat(started.getCoordinator()).isEqualTo(coordinator.endpoint().toString());
      assertThat(t.get(1).getEntry().getRequest()).isEqualTo(t.get(0).getName());
      assertThat(t.get(1).getEntry().getGroupSnapshotId()).isEqualTo(g.getId());
      Stat manifest = client.checkExists().forPath(LAYOUT.snapshot(g.getId()));
      Stat outcome = client.checkExists().forPath(LAYOUT.audit() + "/" + t.get(1).getName());
      Stat request = client.checkExists().forPath(LAYOUT.audit() + "/" + t.get(0).getName());
      Stat record = new Stat();
      client.getData().storingStatIn(record).forPath(LAYOUT.txn(g.getId()));
      assertThat(request.getCzxid()).as("request before the transaction's record").isLessThan(record.getCzxid());
      assertThat(outcome.getCzxid()).as("outcome after the commit point").isGreaterThan(manifest.getCzxid());
    }
  }

  @Test
  void anAbortedCreate_recordsItsReason_afterTheAbortedRecord() throws Exception {
    try (FakeAgent silent = new FakeAgent("a1").register(client, LAYOUT)) {
      GroupSnapshot g = create(ALICE, null, List.of(), Duration.ofMillis(300)).get(30, TimeUnit.SECONDS);

      assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
      List<ListedAuditEntry> t = trail();
      assertThat(t).hasSize(2);
      AuditEntry outcome = t.get(1).getEntry();
      assertThat(outcome.getOutcome()).isEqualTo(AuditOutcome.AUDIT_ABORTED);
      assertThat(outcome.getReason()).isEqualTo(g.getAbortReason()).isNotEmpty();
      assertThat(argument(outcome, "prepare_timeout_ms")).isEqualTo("300");
      Stat record = client.checkExists().forPath(LAYOUT.txn(g.getId()));
      assertThat(client.checkExists().forPath(LAYOUT.audit() + "/" + t.get(1).getName()).getCzxid())
          .as("outcome after the final record").isGreaterThan(record.getMzxid());
    }
  }

  @Test
  void forgetAndDelete_leaveTheirRequestAndOutcome_withTheCaller() throws Exception {
    CuratorFramework session2 = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    try (FakeAgent a1 = new FakeAgent("a1").register(client, LAYOUT);
        FakeAgent a2 = new FakeAgent("a2").register(session2, LAYOUT)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> client.checkExists().forPath(LAYOUT.known("a2")) != null);
      session2.close();
      client.create().forPath(LAYOUT.txn("gs-1"), GroupSnapshot.newBuilder().setId("gs-1").setEpoch(1)
          .setState(GroupSnapshotState.COMMITTED).setFinalized(true).addMembers(MemberRecord.newBuilder()
              .setAgentId("a1").setVolume("data").setState(MemberState.MEMBER_COMMITTED)).build().toByteArray());

      assertThat(Callers.with(ROOT).call(() -> coordinator.forgetAgent("a2"))).isTrue();
      Callers.with(ALICE).call(() -> coordinator.deleteGroupSnapshot("gs-1")).get(30, TimeUnit.SECONDS);

      List<AuditEntry> t = trail().stream().map(ListedAuditEntry::getEntry).toList();
      assertThat(t).extracting(AuditEntry::getMethod, AuditEntry::getOutcome, AuditEntry::getIdentity).containsExactly(
          org.assertj.core.groups.Tuple.tuple("ForgetAgent", AuditOutcome.AUDIT_STARTED, "root"),
          org.assertj.core.groups.Tuple.tuple("ForgetAgent", AuditOutcome.AUDIT_SUCCEEDED, "root"),
          org.assertj.core.groups.Tuple.tuple("DeleteGroupSnapshot", AuditOutcome.AUDIT_STARTED, "alice"),
          org.assertj.core.groups.Tuple.tuple("DeleteGroupSnapshot", AuditOutcome.AUDIT_DELETED, "alice"));
      assertThat(argument(t.get(0), "agent_id")).isEqualTo("a2");
      assertThat(t.get(1).getReason()).isEqualTo("forgotten");
      assertThat(t.get(3).getGroupSnapshotId()).isEqualTo("gs-1");
      assertThat(t.get(3).getReason()).isEqualTo("1 capture(s) deleted");
    }
  }

  @Test
  void callsRefusedBeforeActing_recordWhy() throws Exception {
    try (FakeAgent a1 = new FakeAgent("a1").register(client, LAYOUT)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> client.checkExists().forPath(LAYOUT.known("a1")) != null);
      catchThrowableOfType(IllegalArgumentException.class, () -> create(ALICE, "not-an-id", List.of(), null));
      catchThrowableOfType(IllegalStateException.class,
          () -> Callers.with(ROOT).call(() -> coordinator.forgetAgent("a1")));

      List<AuditEntry> t = trail().stream().map(ListedAuditEntry::getEntry).toList();
      assertThat(t).extracting(AuditEntry::getOutcome).containsExactly(AuditOutcome.AUDIT_STARTED,
          AuditOutcome.AUDIT_INVALID_ARGUMENT, AuditOutcome.AUDIT_STARTED, AuditOutcome.AUDIT_REFUSED);
      assertThat(t.get(1).getReason()).startsWith("id 'not-an-id' is not of the form");
      assertThat(argument(t.get(0), "id")).isEqualTo("not-an-id");
    }
  }

  @Test
  void aCoordinatorStoppedMidCreate_leavesItsRequestOnRecord() throws Exception {
    CountDownLatch prepared = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    try (AnsweringAgent holding = new AnsweringAgent("a1", call -> {
      if (call.equals("PREPARE")) {
        prepared.countDown();
        return answer.await(60, TimeUnit.SECONDS);
      }
      return null;
    }).register(client, LAYOUT)) {
      CompletableFuture<GroupSnapshot> running = create(ALICE, null, List.of(), Duration.ofMinutes(5));
      assertThat(prepared.await(20, TimeUnit.SECONDS)).isTrue();
      String id = trail().get(0).getEntry().getGroupSnapshotId();

      // mid-PREPARE (the agent holds its answer): what a coordinator killed now leaves behind is already durable
      assertThat(running).isNotDone();
      assertThat(trail()).singleElement().satisfies(l -> {
        assertThat(l.getEntry().getOutcome()).isEqualTo(AuditOutcome.AUDIT_STARTED);
        assertThat(l.getEntry().getIdentity()).isEqualTo("alice");
      });
      assertThat(GroupSnapshot.parseFrom(client.getData().forPath(LAYOUT.txn(id))).getState())
          .isEqualTo(GroupSnapshotState.PREPARING);

      coordinator.close();
      answer.countDown();

      List<ListedAuditEntry> after = trail();
      assertThat(after.get(0).getEntry().getOutcome()).isEqualTo(AuditOutcome.AUDIT_STARTED);
      assertThat(after.subList(1, after.size())).as("never a decision it did not make").allSatisfy(l -> assertThat(
          l.getEntry().getOutcome()).isNotIn(AuditOutcome.AUDIT_COMMITTED, AuditOutcome.AUDIT_ABORTED));
    }
  }

  @Test
  void aTrailThatCannotBeWritten_refusesMutatingCalls_asUnavailable_beforeTheyAct() throws Exception {
    CuratorFramework session2 = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    try (FakeAgent a1 = new FakeAgent("a1").register(client, LAYOUT);
        FakeAgent a2 = new FakeAgent("a2").register(session2, LAYOUT)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> client.checkExists().forPath(LAYOUT.known("a2")) != null);
      session2.close();
      client.setACL().withACL(List.of(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)))
          .forPath(LAYOUT.audit());

      StatusRuntimeException forget = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId("a2").build()));
      StatusRuntimeException create = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setAllowMissing(true).build())
              .hasNext());

      for (StatusRuntimeException e : List.of(forget, create)) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).startsWith("audit trail unavailable: ").doesNotContain("\n");
      }
      assertThat(client.checkExists().forPath(LAYOUT.known("a2"))).as("not forgotten").isNotNull();
      assertThat(client.getChildren().forPath(LAYOUT.txns())).as("nothing started").isEmpty();
      assertThat(entries()).isZero();
    }
  }

  @Test
  void listAudit_answersOverGrpc_newestLast() throws Exception {
    coordinator.audit().denied(new Identity("mallory", Set.of(Role.VIEWER)), "DeleteGroupSnapshot", "lacks operator");
    try (FakeAgent a1 = new FakeAgent("a1").register(client, LAYOUT)) {
      catchThrowableOfType(StatusRuntimeException.class, () -> stub.forgetAgent(ForgetAgentRequest.newBuilder()
          .setAgentId("a1").build()));
    }
    List<ListedAuditEntry> listed = stub.listAudit(ListAuditRequest.getDefaultInstance()).getEntriesList();
    assertThat(listed).extracting(l -> l.getEntry().getOutcome()).containsExactly(AuditOutcome.AUDIT_DENIED,
        AuditOutcome.AUDIT_STARTED, AuditOutcome.AUDIT_REFUSED);
    assertThat(listed.get(1).getEntry().getIdentity()).as("every caller of a plaintext server")
        .isEqualTo(Identity.INSECURE.name());
    assertThat(stub.listAudit(ListAuditRequest.newBuilder().setLimit(1).build()).getEntriesList())
        .extracting(ListedAuditEntry::getName).containsExactly(listed.get(2).getName());
  }
}
