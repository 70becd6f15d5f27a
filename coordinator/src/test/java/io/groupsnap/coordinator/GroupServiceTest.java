package io.groupsnap.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.coordinator.audit.AuditPages;
import io.groupsnap.coordinator.audit.AuditStore;
import io.groupsnap.coordinator.groups.GroupSpecs;
import io.groupsnap.proto.v1.AuditEntry;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupRequest;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.DeleteGroupRequest;
import io.groupsnap.proto.v1.GetGroupRequest;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupServiceGrpc;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.ListGroupsRequest;
import io.groupsnap.proto.v1.ListedAuditEntry;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.ProgressEvent;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.UpdateGroupRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GroupService and group snapshots of a named group, in process over a real socket and a real ZooKeeper: status
 * codes, audit entries, deletion guards, and nothing written for a group that cannot be taken.
 */
class GroupServiceTest {
  static final ZkLayout LAYOUT = new ZkLayout("default");
  TestingServer zk;
  CuratorFramework client;
  Coordinator coordinator;
  ManagedChannel channel;
  GroupServiceGrpc.GroupServiceBlockingStub groups;
  CoordinatorServiceGrpc.CoordinatorServiceBlockingStub snapshots;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
    channel = NettyChannelBuilder.forTarget(coordinator.endpoint().toString()).usePlaintext().build();
    groups = GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    snapshots = CoordinatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    coordinator.close();
    client.close();
    zk.close();
  }

  static GroupSpec dbGroup() {
    return GroupSpec.newBuilder().setName("db").setFreezeTimeoutMillis(3000)
        .addSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "db")).build();
  }

  private GroupSpec create(GroupSpec g) {
    return groups.createGroup(CreateGroupRequest.newBuilder().setGroup(g).build());
  }

  private StatusRuntimeException refused(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run);
  }

  private List<AuditEntry> trail() throws Exception {
    return new AuditPages(new AuditStore(client, LAYOUT)).page(0, 0, "").getEntriesList().stream()
        .map(ListedAuditEntry::getEntry).toList();
  }

  private GroupSnapshot snapshotOf(String group) {
    Iterator<ProgressEvent> events = snapshots.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder()
        .setGroup(group).build());
    GroupSnapshot result = null;
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        result = e.getResult();
      }
    }
    return result;
  }

  @Test
  void theGroupBoundsAreTheCoordinators() {
    assertThat(GroupSpecs.MIN_FREEZE_TIMEOUT).isEqualTo(CoordinatorConfig.MIN_FREEZE_TIMEOUT);
    assertThat(GroupSpecs.MAX_FREEZE_TIMEOUT).isEqualTo(CoordinatorConfig.MAX_FREEZE_TIMEOUT);
    assertThat(GroupSpecs.MAX_LEASE).isEqualTo(CoordinatorCore.MAX_LEASE);
  }

  @Test
  void aGroup_isCreated_listed_shownResolved_updated_andDeleted_eachChangeAudited() throws Exception {
    try (AnsweringAgent a = new AnsweringAgent("db-1", call -> null).register(client, LAYOUT, Map.of("tier", "db"))) {
      GroupSpec made = create(dbGroup());
      assertThat(made.getCreatedAtMillis()).isPositive();
      assertThat(groups.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList())
          .extracting(GroupSpec::getName).containsExactly("db");
      GroupView v = groups.getGroup(GetGroupRequest.newBuilder().setName("db").build());
      assertThat(v.getMembersList()).containsExactly(MemberSelector.newBuilder().setAgentId("db-1").setVolume("data")
          .build());
      assertThat(v.getProblemsList()).isEmpty();

      GroupSpec changed = groups.updateGroup(UpdateGroupRequest.newBuilder().setGroup(dbGroup().toBuilder()
          .addMembers(GroupMember.newBuilder().setAgentId("db-9"))).build());
      assertThat(changed.getCreatedAtMillis()).as("kept").isEqualTo(made.getCreatedAtMillis());
      assertThat(groups.getGroup(GetGroupRequest.newBuilder().setName("db").build()).getProblemsList())
          .singleElement().asString().contains("required member db-9 is not registered");

      assertThat(groups.deleteGroup(DeleteGroupRequest.newBuilder().setName("db").build()).getDeleted()).isTrue();
      assertThat(groups.deleteGroup(DeleteGroupRequest.newBuilder().setName("db").build()).getDeleted()).isFalse();
    }
    List<AuditEntry> t = trail();
    assertThat(t).extracting(AuditEntry::getMethod).containsExactly("CreateGroup", "CreateGroup", "UpdateGroup",
        "UpdateGroup", "DeleteGroup", "DeleteGroup", "DeleteGroup", "DeleteGroup");
    assertThat(t).extracting(AuditEntry::getOutcome).containsExactly(AuditOutcome.AUDIT_STARTED,
        AuditOutcome.AUDIT_SUCCEEDED, AuditOutcome.AUDIT_STARTED, AuditOutcome.AUDIT_SUCCEEDED,
        AuditOutcome.AUDIT_STARTED, AuditOutcome.AUDIT_SUCCEEDED, AuditOutcome.AUDIT_STARTED,
        AuditOutcome.AUDIT_SUCCEEDED);
    assertThat(t.get(1).getArgumentsList()).anySatisfy(a -> assertThat(a.getValue()).isEqualTo("{tier=db}"));
  }

  @Test
  void badInput_isAStatusNamingIt() {
    StatusRuntimeException bad = refused(() -> create(dbGroup().toBuilder().setName("../x").build()));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getStatus().getDescription()).startsWith("name '../x'");
    assertThat(refused(() -> create(dbGroup().toBuilder().clearSelectors().build())).getStatus().getDescription())
        .isEqualTo("group db needs at least one member or selector");
    create(dbGroup());
    assertThat(refused(() -> create(dbGroup())).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(refused(() -> groups.updateGroup(UpdateGroupRequest.newBuilder().setGroup(dbGroup().toBuilder()
        .setName("web")).build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    StatusRuntimeException unknown = refused(() -> groups.getGroup(GetGroupRequest.newBuilder().setName("web")
        .build()));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(unknown.getStatus().getDescription()).isEqualTo("no group 'web'");
  }

  @Test
  void aDamagedGroupRecord_isListedApart() throws Exception {
    create(dbGroup());
    client.create().forPath(LAYOUT.group("junk"), new byte[] {7, 'n', 'o'});
    var l = groups.listGroups(ListGroupsRequest.getDefaultInstance());
    assertThat(l.getGroupsList()).extracting(GroupSpec::getName).containsExactly("db");
    assertThat(l.getDamagedList()).extracting(DamagedRecord::getId).containsExactly("junk");
    assertThat(refused(() -> groups.getGroup(GetGroupRequest.newBuilder().setName("junk").build())).getStatus()
        .getCode()).isEqualTo(Status.Code.DATA_LOSS);
  }

  @Test
  void deletion_isRefused_whileAScheduleOrAnUnfinishedRunNeedsTheGroup() throws Exception {
    create(dbGroup());
    client.create().forPath(LAYOUT.schedule("db"), new byte[0]);
    StatusRuntimeException e = refused(() -> groups.deleteGroup(DeleteGroupRequest.newBuilder().setName("db")
        .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).contains("has a schedule");
    client.delete().forPath(LAYOUT.schedule("db"));

    BackupRun run = BackupRun.newBuilder().setId("run-1").setGroup("db").setState(RunState.RUN_EXPORTING).build();
    client.create().forPath(LAYOUT.run("run-1"), run.toByteArray());
    client.create().forPath(LAYOUT.run("run-0"), run.toBuilder().setId("run-0").setState(RunState.RUN_COMPLETED)
        .build().toByteArray());
    client.create().forPath(LAYOUT.run("run-x"), run.toBuilder().setId("run-x").setGroup("web").build()
        .toByteArray());
    assertThat(refused(() -> groups.deleteGroup(DeleteGroupRequest.newBuilder().setName("db").build())).getStatus()
        .getDescription()).isEqualTo("group db has 1 run(s) not finished: run-1");
    assertThat(client.checkExists().forPath(LAYOUT.group("db"))).isNotNull();

    client.setData().forPath(LAYOUT.run("run-1"), run.toBuilder().setState(RunState.RUN_FAILED).build()
        .toByteArray());
    assertThat(groups.deleteGroup(DeleteGroupRequest.newBuilder().setName("db").build()).getDeleted()).isTrue();
  }

  @Test
  void aSnapshotOfAGroup_takesExactlyItsResolvedMembers_andTheRecordNamesTheGroup() throws Exception {
    try (AnsweringAgent a = new AnsweringAgent("db-1", call -> null).register(client, LAYOUT, Map.of("tier", "db"));
        AnsweringAgent b = new AnsweringAgent("db-2", call -> null).register(client, LAYOUT, Map.of("tier", "db"));
        AnsweringAgent w = new AnsweringAgent("web-1", call -> null).register(client, LAYOUT,
            Map.of("tier", "web"))) {
      create(dbGroup());
      GroupSnapshot g = snapshotOf("db");
      assertThat(g.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
      assertThat(g.getGroup()).isEqualTo("db");
      assertThat(g.getFreezeTimeoutMillis()).as("the group's budget").isEqualTo(3000);
      assertThat(g.getMembersList()).extracting(MemberRecord::getAgentId).containsExactly("db-1", "db-2");
      assertThat(coordinator.getGroupSnapshot(g.getId()).getGroup()).as("stored").isEqualTo("db");
    }
  }

  @Test
  void aRequiredMemberMissing_orASelectorMatchingNothing_failsBeforeAnythingIsWritten() throws Exception {
    try (AnsweringAgent a = new AnsweringAgent("db-1", call -> null).register(client, LAYOUT, Map.of("tier", "db"))) {
      create(dbGroup().toBuilder().setName("both").addMembers(GroupMember.newBuilder().setAgentId("db-7")).build());
      create(GroupSpec.newBuilder().setName("none").addSelectors(LabelSelector.newBuilder()
          .putMatchLabels("tier", "cache")).build());
      StatusRuntimeException missing = refused(() -> snapshotOf("both"));
      assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(missing.getStatus().getDescription()).isEqualTo("group both: required member db-7 is not "
          + "registered (host db-7 down or cut off)");
      StatusRuntimeException nothing = refused(() -> snapshotOf("none"));
      assertThat(nothing.getStatus().getDescription()).isEqualTo("group none: selectors[0] {tier=cache} matches no "
          + "registered agent");
      assertThat(refused(() -> snapshotOf("nope")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(refused(() -> snapshots.createGroupSnapshot(CreateGroupSnapshotRequest.newBuilder().setGroup("db")
          .addMembers(MemberSelector.newBuilder().setAgentId("db-1")).build()).hasNext()).getStatus().getCode())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(a.seen).as("nothing was asked of any agent").isEmpty();
      assertThat(snapshots.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
          .getSnapshotsList()).as("no transaction record").isEmpty();
    }
  }
}
