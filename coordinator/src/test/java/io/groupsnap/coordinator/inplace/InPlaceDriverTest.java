package io.groupsnap.coordinator.inplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.groups.GroupStore;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.rpc.GrpcInPlaceClient;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.SwitchState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-place restore driver against a real ZooKeeper and two fake agents on real sockets: the call order on each
 * agent, the record's states, and what a successor leader does with its predecessor's restores.
 */
@Timeout(120)
class InPlaceDriverTest {
  static final GroupSnapshot GS = GroupSnapshot.newBuilder().setId("gs-1").setState(GroupSnapshotState.COMMITTED)
      .addMembers(MemberRecord.newBuilder().setAgentId("a1").setVolume("db"))
      .addMembers(MemberRecord.newBuilder().setAgentId("a2").setVolume("db")).build();
  static final InPlaceOptions FAST = new InPlaceOptions(Duration.ofMillis(20), Duration.ofHours(1),
      Duration.ofMinutes(2), Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofHours(24),
      Duration.ofMillis(50));

  TestingServer server;
  CuratorFramework zk;
  final ZkLayout layout = new ZkLayout("c1");
  ClusterStore cluster;
  InPlaceStore store;
  FakeInPlaceAgent a1;
  FakeInPlaceAgent a2;
  GrpcAgentClient channels;
  final Map<String, GroupSnapshot> snapshots = new ConcurrentHashMap<>(Map.of("gs-1", GS));
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    server = new TestingServer(true);
    zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
    zk.start();
    cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    store = new InPlaceStore(zk, layout);
    a1 = new FakeInPlaceAgent("a1");
    a2 = new FakeInPlaceAgent("a2");
    channels = new GrpcAgentClient(Transport.insecure());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    channels.close();
    a1.close();
    a2.close();
    zk.close();
    server.close();
  }

  Leadership.Term term(String name) throws Exception {
    String latch = "/latch-" + name;
    zk.create().forPath(latch);
    ClusterStore.Bump b = cluster.bumpEpoch(latch, name);
    return new Leadership.Term(b.epoch(), new ClusterStore.Fence(latch, b.epochVersion()));
  }

  List<AgentRegistration> registered() {
    return List.of(AgentRegistration.newBuilder().setAgentId("a1").setEndpoint(a1.endpoint()).build(),
        AgentRegistration.newBuilder().setAgentId("a2").setEndpoint(a2.endpoint()).build());
  }

  InPlaceDriver driver(Leadership.Term t, String id) {
    AtomicReference<Leadership.Term> acting = new AtomicReference<>(t);
    RunDriver.Leader leader = new RunDriver.Leader() {
      @Override
      public Optional<Leadership.Term> acting() {
        return Optional.ofNullable(acting.get());
      }

      @Override
      public Optional<String> leaderId() {
        return Optional.of(id);
      }
    };
    ThreadScheduler lane = new ThreadScheduler("test-inplace-" + id);
    RunStore runs = new RunStore(zk, layout);
    InPlaceDriver d = new InPlaceDriver(store, gsId -> Optional.ofNullable(snapshots.get(gsId))
        .orElseThrow(() -> new NotFoundException("no group snapshot " + gsId)), runs, this::registered,
        new HeldWork(cluster, runs, new GroupStore(zk, layout), this::registered),
        new GrpcInPlaceClient(channels, this::registered, Duration.ofSeconds(10)), leader, lane,
        Clock.systemUTC(), FAST, "cluster-1", id);
    closing.add(0, lane);
    closing.add(0, d::close);
    return d;
  }

  static RestoreInPlaceRequest req() {
    return RestoreInPlaceRequest.newBuilder().setGroupSnapshotId("gs-1").build();
  }

  InPlaceRestore record(String id) throws Exception {
    return store.find(id).orElseThrow().orThrow();
  }

  InPlaceRestore awaitState(String id, InPlaceState s) {
    await().atMost(60, TimeUnit.SECONDS).until(() -> record(id).getState() == s);
    try {
      return record(id);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void happyPath_endsSwitched_withStageStopSwitchStartOnEveryMember_andConfirmEndsConfirmed() throws Exception {
    InPlaceDriver d = driver(term("A"), "A");
    InPlaceRestore r = d.restore(req()).get(60, TimeUnit.SECONDS);
    assertThat(r.getState()).isEqualTo(InPlaceState.IN_PLACE_SWITCHED);
    assertThat(r.getKeepUntilMillis()).isGreaterThan(r.getCreatedAtMillis());
    assertThat(record(r.getRestoreId())).isEqualTo(r);
    for (FakeInPlaceAgent a : List.of(a1, a2)) {
      assertThat(a.calls).filteredOn(c -> !c.startsWith("STEP")).startsWith("STAGE_DRY", "STAGE");
      assertThat(a.steps()).containsExactly("STOP_WRITERS", "SWITCH", "START_WRITERS restored");
    }
    assertThat(r.getMembersList()).extracting(m -> m.getAgentId() + " " + m.getStage() + " " + m.getSwitched())
        .containsExactly("a1 RESTORE_DONE SWITCH_NEW", "a2 RESTORE_DONE SWITCH_NEW");

    InPlaceRestore confirmed = d.confirm(r.getRestoreId()).get(60, TimeUnit.SECONDS);
    assertThat(confirmed.getState()).isEqualTo(InPlaceState.IN_PLACE_CONFIRMED);
    assertThat(a1.steps()).endsWith("CONFIRM");
    assertThat(a2.steps()).endsWith("CONFIRM");
    assertThat(d.confirm(r.getRestoreId()).get(60, TimeUnit.SECONDS).getState())
        .isEqualTo(InPlaceState.IN_PLACE_CONFIRMED); // idempotent
    assertThatThrownBy(() -> d.rollback(r.getRestoreId()).get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("the previous data is gone");
  }

  @Test
  void oneMemberFailingToStage_cancels_nobodySwitches_andEveryMemberDiscards() throws Exception {
    a2.failStage = true;
    InPlaceRestore r = driver(term("A"), "A").restore(req()).get(60, TimeUnit.SECONDS);
    assertThat(r.getState()).isEqualTo(InPlaceState.IN_PLACE_CANCELLED);
    assertThat(r.getReason()).isEqualTo("agent a2 failed to stage volume db: no space left on device");
    for (FakeInPlaceAgent a : List.of(a1, a2)) {
      assertThat(a.steps()).doesNotContain("SWITCH", "STOP_WRITERS").contains("DISCARD");
    }
  }

  @Test
  void oneMemberRefusingToStopWriters_cancels_andNoMemberSwitches() throws Exception {
    a1.refuseStop = true;
    InPlaceRestore r = driver(term("A"), "A").restore(req()).get(60, TimeUnit.SECONDS);
    assertThat(r.getState()).isEqualTo(InPlaceState.IN_PLACE_CANCELLED);
    assertThat(r.getReason()).isEqualTo("STOP_WRITERS: agent a1: writer db refused preRestore: replication lag");
    for (FakeInPlaceAgent a : List.of(a1, a2)) {
      assertThat(a.steps()).doesNotContain("SWITCH").endsWith("DISCARD");
    }
  }

  @Test
  void aMemberFailingSwitchTwice_isRetriedUntilItSwitches() throws Exception {
    a2.switchFailures.set(2);
    InPlaceRestore r = driver(term("A"), "A").restore(req()).get(60, TimeUnit.SECONDS);
    assertThat(r.getState()).isEqualTo(InPlaceState.IN_PLACE_SWITCHED);
    assertThat(a2.steps()).containsExactly("STOP_WRITERS", "SWITCH", "SWITCH", "SWITCH", "START_WRITERS restored");
    assertThat(a1.steps()).containsExactly("STOP_WRITERS", "SWITCH", "START_WRITERS restored");
    assertThat(r.getMembersList()).extracting(InPlaceMember::getError).containsOnly("");
    assertThat(r.getEventsList()).anyMatch(e -> e.getMessage().contains("commit point"));
  }

  @Test
  void rollbackFromSwitched_stopsSwitchesBackStartsOnThePreviousDataAndDiscards() throws Exception {
    InPlaceDriver d = driver(term("A"), "A");
    InPlaceRestore r = d.restore(req()).get(60, TimeUnit.SECONDS);
    InPlaceRestore back = d.rollback(r.getRestoreId()).get(60, TimeUnit.SECONDS);
    assertThat(back.getState()).isEqualTo(InPlaceState.IN_PLACE_ROLLED_BACK);
    for (FakeInPlaceAgent a : List.of(a1, a2)) {
      assertThat(a.steps()).containsExactly("STOP_WRITERS", "SWITCH", "START_WRITERS restored",
          "STOP_WRITERS", "SWITCH_BACK", "START_WRITERS previous", "DISCARD");
    }
    assertThatThrownBy(() -> d.confirm(r.getRestoreId()).get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void theKeepTimePassing_confirmsByItself() throws Exception {
    InPlaceRestore r = driver(term("A"), "A").restore(req().toBuilder().setKeepSeconds(1).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(r.getKeepSeconds()).isEqualTo(1);
    awaitState(r.getRestoreId(), InPlaceState.IN_PLACE_CONFIRMED);
    assertThat(a1.steps()).endsWith("CONFIRM");
  }

  /** A record as a predecessor in {@code t} left it in {@code s}, every member staged. */
  InPlaceRestore leftBy(Leadership.Term t, String id, InPlaceState s) throws Exception {
    InPlaceRestore r = InPlaceRestore.newBuilder().setRestoreId(id).setGroupSnapshotId("gs-1").setState(s)
        .setEpoch(t.epoch()).setKeepSeconds(3600).setCreatedAtMillis(1)
        .addMembers(InPlaceMember.newBuilder().setAgentId("a1").setVolume("db").setStage(RestoreState.RESTORE_DONE))
        .addMembers(InPlaceMember.newBuilder().setAgentId("a2").setVolume("db").setStage(RestoreState.RESTORE_DONE))
        .build();
    store.create(r, t.fence());
    return r;
  }

  @Test
  void aSuccessor_cancelsARestoreLeftStopping_andFinishesOneLeftSwitching() throws Exception {
    Leadership.Term first = term("A");
    leftBy(first, "inplace-stopping", InPlaceState.IN_PLACE_STOPPING);
    leftBy(first, "inplace-switching", InPlaceState.IN_PLACE_SWITCHING);
    Leadership.Term second = term("B");
    assertThat(second.epoch()).isGreaterThan(first.epoch());
    InPlaceDriver successor = driver(second, "B");
    successor.start();

    InPlaceRestore cancelled = awaitState("inplace-stopping", InPlaceState.IN_PLACE_CANCELLED);
    assertThat(cancelled.getReason()).contains("the leader changed before the switch");
    assertThat(cancelled.getEpoch()).isEqualTo(second.epoch());
    InPlaceRestore finished = awaitState("inplace-switching", InPlaceState.IN_PLACE_SWITCHED);
    assertThat(finished.getEpoch()).isEqualTo(second.epoch());
    assertThat(finished.getMembersList()).extracting(InPlaceMember::getSwitched)
        .containsOnly(SwitchState.SWITCH_NEW);
    // each agent: the cancelled one only discarded, the switching one switched and started
    for (FakeInPlaceAgent a : List.of(a1, a2)) {
      assertThat(a.steps()).containsExactlyInAnyOrder("DISCARD", "SWITCH", "START_WRITERS restored");
    }
  }

  @Test
  void aWriteWithAStaleEpoch_isRefused() throws Exception {
    Leadership.Term first = term("A");
    InPlaceRestore r = leftBy(first, "inplace-1", InPlaceState.IN_PLACE_STAGING);
    term("B");
    assertThatThrownBy(() -> store.replace(r.toBuilder().setState(InPlaceState.IN_PLACE_STOPPING).build(), 0,
        first.fence())).isInstanceOf(FencedWriteException.class);
    assertThatThrownBy(() -> store.create(r.toBuilder().setRestoreId("inplace-2").build(), first.fence()))
        .isInstanceOf(FencedWriteException.class);
    assertThat(record("inplace-1").getState()).isEqualTo(InPlaceState.IN_PLACE_STAGING);
    assertThat(store.find("inplace-2")).isEmpty();
  }

  @Test
  void anUndecidedTransactionOfAMember_refusesTheRestore_beforeAnyAgentIsAsked() throws Exception {
    Leadership.Term t = term("A");
    cluster.createTxn(GroupSnapshot.newBuilder().setId("gs-2").setState(GroupSnapshotState.PREPARING)
        .setEpoch(t.epoch()).addMembers(MemberRecord.newBuilder().setAgentId("a2").setVolume("db")).build(),
        t.fence());
    assertThatThrownBy(() -> driver(t, "A").restore(req())).isInstanceOf(IllegalStateException.class)
        .hasMessage("agent a2 is taken by group snapshot gs-2 (PREPARING): retry once it has settled");
    assertThat(a1.calls).isEmpty();
    assertThat(store.list().records()).isEmpty();
  }

  @Test
  void anUnsettledRestore_holdsItsMembers_againstSnapshotsRunsAndOtherRestores() throws Exception {
    Leadership.Term t = term("A");
    leftBy(t, "inplace-1", InPlaceState.IN_PLACE_STAGING);
    Overlaps guard = new Overlaps(store, List::of);
    assertThatThrownBy(() -> guard.requireFree(List.of("a9", "a1"))).isInstanceOf(IllegalStateException.class)
        .hasMessage("agent a1 is under in-place restore inplace-1 (STAGING): retry once it has settled");
    guard.requireFree(List.of("a9"));
    assertThatThrownBy(() -> driver(t, "A").restore(req())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("under in-place restore inplace-1");
  }

  @Test
  void badInput_isRefusedAndNothingIsWrittenOrAsked() throws Exception {
    InPlaceDriver d = driver(term("A"), "A");
    assertThatThrownBy(() -> d.restore(req().toBuilder().setGroupSnapshotId("gs-9").build()))
        .isInstanceOf(NotFoundException.class);
    snapshots.put("gs-3", GS.toBuilder().setId("gs-3").setState(GroupSnapshotState.ABORTED).build());
    assertThatThrownBy(() -> d.restore(req().toBuilder().setGroupSnapshotId("gs-3").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("group snapshot gs-3 is ABORTED: only a committed group snapshot can be restored in place");
    GroupSnapshot damaged = GS.toBuilder().setId("gs-4").setMembers(1, GS.getMembers(1).toBuilder()
        .setCheck(io.groupsnap.proto.v1.CaptureCheck.newBuilder().setAgentId("a2").setVolume("db")
            .setCondition(io.groupsnap.proto.v1.CaptureCondition.CAPTURE_ALTERED).setDetail("2 bytes (recorded 1)")))
        .build();
    snapshots.put("gs-4", damaged);
    assertThatThrownBy(() -> d.restore(req().toBuilder().setGroupSnapshotId("gs-4").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("group snapshot gs-4 is DAMAGED: the capture of a2:db (2 bytes (recorded 1)) differs from what "
            + "was committed, so it is not restored in place; restore it to a new place to inspect it, or restore "
            + "another group snapshot");
    assertThatThrownBy(() -> d.restore(RestoreInPlaceRequest.getDefaultInstance()))
        .hasMessage("give either group_snapshot_id or backup_run_id");
    assertThatThrownBy(() -> d.restore(req().toBuilder().setKeepSeconds(-1).build()))
        .hasMessage("keep_seconds: -1 is negative");
    assertThatThrownBy(() -> d.get("inplace-nope")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> d.confirm("inplace-nope")).isInstanceOf(NotFoundException.class);
    a2.refuseDryRun = "volume db: kind lvm cannot be restored in place";
    assertThatThrownBy(() -> d.restore(req()).get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalArgumentException.class)
        .hasMessage("agent a2: volume db: kind lvm cannot be restored in place (nothing was restored)");
    assertThat(a1.calls).containsOnly("STAGE_DRY");
    assertThat(store.list().records()).isEmpty();
  }

  @Test
  void aDryRun_checksEveryMember_andWritesNothing() throws Exception {
    InPlaceRestore r = driver(term("A"), "A").restore(req().toBuilder().setDryRun(true).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(r.getRestoreId()).isEmpty();
    assertThat(r.getMembersList()).extracting(InPlaceMember::getStage).containsOnly(RestoreState.RESTORE_CHECKED);
    assertThat(a1.calls).containsExactly("STAGE_DRY");
    assertThat(store.list().records()).isEmpty();
  }
}
