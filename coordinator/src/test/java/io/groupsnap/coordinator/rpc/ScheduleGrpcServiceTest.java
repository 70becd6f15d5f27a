package io.groupsnap.coordinator.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.audit.AuditPages;
import io.groupsnap.coordinator.audit.AuditStore;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.audit.AuditedCalls;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.retention.RetentionPlans;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.schedule.ScheduleBook;
import io.groupsnap.coordinator.schedule.ScheduleStore;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.CreateScheduleRequest;
import io.groupsnap.proto.v1.DeleteScheduleRequest;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.ListSchedulesRequest;
import io.groupsnap.proto.v1.ListedAuditEntry;
import io.groupsnap.proto.v1.NextTicksRequest;
import io.groupsnap.proto.v1.NextTicksResponse;
import io.groupsnap.proto.v1.PlanRetentionRequest;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetentionScope;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import io.groupsnap.proto.v1.ScheduleView;
import io.groupsnap.proto.v1.SetSchedulePausedRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ScheduleService over a real socket, on a real ZooKeeper, with in-memory groups and runs. */
class ScheduleGrpcServiceTest {
  static final Instant NOW = Instant.parse("2026-05-01T06:00:00Z");
  static final Identity ALICE = new Identity("alice", Set.of(Role.OPERATOR));

  TestingServer zkServer;
  CuratorFramework zk;
  final ZkLayout layout = new ZkLayout("default");
  Server server;
  ManagedChannel channel;
  ScheduleServiceGrpc.ScheduleServiceBlockingStub stub;
  AuditStore auditStore;
  final AtomicReference<Optional<Leadership.Term>> acting = new AtomicReference<>(Optional.empty());
  final AtomicInteger changes = new AtomicInteger();
  final Map<String, GroupSpec> groups = Map.of("db", GroupSpec.newBuilder().setName("db")
      .setTimeZone("Europe/Berlin").setLocalRetention(RetentionPolicy.newBuilder().setKeepLast(1)).build());
  final List<BackupRun> runs = List.of(
      BackupRun.newBuilder().setId("run-1").setGroup("db").setState(RunState.RUN_COMPLETED).setGroupSnapshotId("gs-1")
          .setCreatedAtMillis(NOW.minusSeconds(7200).toEpochMilli()).build(),
      BackupRun.newBuilder().setId("run-2").setGroup("db").setState(RunState.RUN_COMPLETED).setGroupSnapshotId("gs-2")
          .setCreatedAtMillis(NOW.minusSeconds(3600).toEpochMilli()).build());

  @BeforeEach
  void start() throws Exception {
    zkServer = new TestingServer(true);
    zk = ZkClients.connect(zkServer.getConnectString(), Duration.ofSeconds(10));
    ClusterStore cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    String latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(layout.leader() + "/latch-");
    ClusterStore.Bump b = cluster.bumpEpoch(latch, "c1");
    acting.set(Optional.of(new Leadership.Term(b.epoch(), new ClusterStore.Fence(latch, b.epochVersion()))));
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    GroupCatalog groupCatalog = new GroupCatalog() {
      @Override
      public Optional<GroupSpec> find(String name) {
        return Optional.ofNullable(groups.get(name));
      }

      @Override
      public Listing<GroupSpec> list() {
        return new Listing<>(List.copyOf(groups.values()), List.of());
      }
    };
    RunCatalog runCatalog = new RunCatalog() {
      @Override
      public Optional<BackupRun> find(String id) {
        return runs.stream().filter(r -> r.getId().equals(id)).findFirst();
      }

      @Override
      public Listing<BackupRun> list(String group) {
        return new Listing<>(runs.stream().filter(r -> group == null || r.getGroup().equals(group)).toList(),
            List.of());
      }
    };
    ScheduleBook book = new ScheduleBook(new ScheduleStore(zk, layout), groupCatalog,
        () -> acting.get().orElseThrow(() -> new NotLeaderException("10.0.0.2:7300", "this coordinator is a "
            + "standby; the leader is 10.0.0.2:7300")), clock, changes::incrementAndGet);
    auditStore = new AuditStore(zk, layout);
    AuditedCalls audited = new AuditedCalls(null, new AuditTrail(auditStore, clock, "10.0.0.1:7300"), () -> ALICE,
        () -> acting.get().isPresent(), Runnable::run);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new ScheduleGrpcService(book, new RetentionPlans(runCatalog, groupCatalog, clock), audited::call))
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = ScheduleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    zk.close();
    zkServer.close();
  }

  Schedule create(String cron, String zone) {
    return stub.createSchedule(CreateScheduleRequest.newBuilder().setSchedule(Schedule.newBuilder().setGroup("db")
        .setCron(cron).setTimeZone(zone)).build());
  }

  @Test
  void create_storesTheGroupsZoneAndTheDefaultDeadline_andASecondCreateIsAlreadyExists() {
    Schedule s = create("0 7 * * *", "");
    assertThat(s.getTimeZone()).isEqualTo("Europe/Berlin");
    assertThat(s.getStartingDeadlineMillis()).isEqualTo(Duration.ofMinutes(5).toMillis());
    assertThat(changes.get()).isEqualTo(1);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> create("0 8 * * *", "UTC"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

    List<ScheduleView> listed = stub.listSchedules(ListSchedulesRequest.getDefaultInstance()).getSchedulesList();
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).getNextTickMillis()).isEqualTo(Instant.parse("2026-05-01T05:00:00Z").plusSeconds(86400)
        .toEpochMilli()); // 07:00 CEST is 05:00Z; at 06:00Z today's has passed
  }

  @Test
  void badInput_isInvalidArgument_inOneLineNamingIt_andNothingIsStored() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> create("0 7 * *", ""));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("cron expression '0 7 * *' is not valid");
    e = catchThrowableOfType(StatusRuntimeException.class, () -> create("0 7 * * *", "Mars/Olympus"));
    assertThat(e.getStatus().getDescription()).startsWith("time zone 'Mars/Olympus' is not known");
    e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.createSchedule(CreateScheduleRequest
        .newBuilder().setSchedule(Schedule.newBuilder().setGroup("nope").setCron("0 7 * * *")).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(stub.listSchedules(ListSchedulesRequest.getDefaultInstance()).getSchedulesList()).isEmpty();
  }

  @Test
  void onAStandby_mutatingCallsAreNotLeader_namingTheLeader_andReadsAnswer() {
    acting.set(Optional.empty());
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> create("0 7 * * *", ""));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getTrailers().get(CoordinatorGrpcService.LEADER_KEY)).isEqualTo("10.0.0.2:7300");
    assertThat(stub.listSchedules(ListSchedulesRequest.getDefaultInstance()).getSchedulesList()).isEmpty();
  }

  @Test
  void pauseResumeDelete_areAudited_andAPausedScheduleHasNoNextTick() throws Exception {
    create("0 7 * * *", "UTC");
    assertThat(stub.setSchedulePaused(SetSchedulePausedRequest.newBuilder().setGroup("db").setPaused(true).build())
        .getPaused()).isTrue();
    assertThat(stub.listSchedules(ListSchedulesRequest.getDefaultInstance()).getSchedules(0).getNextTickMillis())
        .isZero();
    Schedule resumed = stub.setSchedulePaused(SetSchedulePausedRequest.newBuilder().setGroup("db").build());
    assertThat(resumed.getPaused()).isFalse();
    assertThat(resumed.getLastTickMillis()).isEqualTo(Instant.parse("2026-04-30T07:00:00Z").toEpochMilli());
    assertThat(stub.deleteSchedule(DeleteScheduleRequest.newBuilder().setGroup("db").build()).getDeleted()).isTrue();
    assertThat(stub.deleteSchedule(DeleteScheduleRequest.newBuilder().setGroup("db").build()).getDeleted()).isFalse();

    List<ListedAuditEntry> entries = new AuditPages(auditStore).page(0, 100, "").getEntriesList();
    assertThat(entries).extracting(l -> l.getEntry().getMethod() + " " + l.getEntry().getOutcome()).containsExactly(
        "CreateSchedule AUDIT_STARTED", "CreateSchedule AUDIT_SUCCEEDED",
        "PauseSchedule AUDIT_STARTED", "PauseSchedule AUDIT_SUCCEEDED",
        "ResumeSchedule AUDIT_STARTED", "ResumeSchedule AUDIT_SUCCEEDED",
        "DeleteSchedule AUDIT_STARTED", "DeleteSchedule AUDIT_SUCCEEDED",
        "DeleteSchedule AUDIT_STARTED", "DeleteSchedule AUDIT_SUCCEEDED");
    assertThat(entries.get(0).getEntry().getIdentity()).isEqualTo("alice");
    assertThat(entries).allMatch(l -> l.getEntry().getOutcome() != AuditOutcome.AUDIT_FAILED);
  }

  @Test
  void nextTicks_ofAStoredScheduleOrOfAnExpression() {
    create("0 7 * * *", "UTC");
    NextTicksResponse stored = stub.nextTicks(NextTicksRequest.newBuilder().setGroup("db").setCount(2).build());
    assertThat(stored.getAtMillisList()).containsExactly(Instant.parse("2026-05-01T07:00:00Z").toEpochMilli(),
        Instant.parse("2026-05-02T07:00:00Z").toEpochMilli());
    NextTicksResponse adHoc = stub.nextTicks(NextTicksRequest.newBuilder().setCron("30 6 * * *")
        .setTimeZone("Europe/Berlin").build());
    assertThat(adHoc.getTimeZone()).isEqualTo("Europe/Berlin");
    assertThat(adHoc.getAtMillisCount()).isEqualTo(5);
    assertThat(adHoc.getAtMillis(0)).isEqualTo(Instant.parse("2026-05-02T04:30:00Z").toEpochMilli());
  }

  @Test
  void planRetention_saysWhatWouldBeKeptAndRemoved_inBothScopes() {
    RetentionPlan plan = stub.planRetention(PlanRetentionRequest.newBuilder().setGroup("db").build());
    assertThat(plan.getDecisionsList()).extracting(d -> d.getScope() + " " + d.getRunId() + " " + d.getKeep())
        .containsExactly(RetentionScope.RETENTION_LOCAL + " run-2 true", RetentionScope.RETENTION_LOCAL
            + " run-1 false");
    assertThat(plan.getDecisions(0).getReasonsList()).containsExactly("newest completed", "last 1");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.planRetention(PlanRetentionRequest.newBuilder().setGroup("nope").build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }
}
