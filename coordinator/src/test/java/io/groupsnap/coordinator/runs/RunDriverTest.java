package io.groupsnap.coordinator.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RecordKind;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.RunEvent;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.RunTrigger;
import io.groupsnap.proto.v1.SnapshotAttempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The run driver against a real ZooKeeper, its ports scripted, its time driven by the test. */
@org.junit.jupiter.api.Timeout(60)
class RunDriverTest {
  TestingServer server;
  CuratorFramework zk;
  ZkLayout layout = new ZkLayout("c1");
  ClusterStore cluster;
  ManualLane lane = new ManualLane();
  Fakes.Groups groups = new Fakes.Groups();
  Fakes.Snapshots snaps = new Fakes.Snapshots();
  Fakes.Exports exports = new Fakes.Exports();
  List<AgentRegistration> agents = new ArrayList<>();
  RunStore store;
  RunOptions options = RunOptions.defaults();

  @BeforeEach
  void setUp() throws Exception {
    server = new TestingServer(true);
    zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
    zk.start();
    cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    store = new RunStore(zk, layout);
    agents.add(Fakes.agent("a1", "repo", "data"));
    agents.add(Fakes.agent("a2", "repo", "data"));
    groups.put(Fakes.group("db", "repo", "a1", "a2"));
    snaps.member("a1", "data").member("a2", "data");
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
    server.close();
  }

  Leadership.Term term(String name) throws Exception {
    String latch = "/latch-" + name;
    zk.create().forPath(latch);
    ClusterStore.Bump b = cluster.bumpEpoch(latch, name);
    return new Leadership.Term(b.epoch(), new ClusterStore.Fence(latch, b.epochVersion()));
  }

  RunDriver driver(RunStore s, Leadership.Term t, String id) {
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
    return new RunDriver(s, groups, () -> agents, snaps, exports, leader, lane, lane, options, "cluster-1", id);
  }

  List<String> driving(RunDriver d) {
    var f = d.driving();
    lane.drain();
    return f.join();
  }

  BackupRun record(String id) throws Exception {
    return store.find(id).orElseThrow();
  }

  @Test
  void abortedSnapshotIsRetriedWithBackoff_andEachReasonKept() throws Exception {
    snaps.outcomes.add("writer db refused: checkpoint failed");
    snaps.outcomes.add("agent a2: freeze timed out");
    RunDriver d = driver(store, term("A"), "A");
    BackupRun first = d.launch("db", null, RunTrigger.RUN_MANUAL, 0);
    assertThat(first.getState()).isEqualTo(RunState.RUN_SNAPSHOTTING);
    lane.drain();
    BackupRun r = record(first.getId());
    assertThat(r.getAttemptsList()).extracting(SnapshotAttempt::getState).containsExactly(GroupSnapshotState.ABORTED);
    assertThat(r.getNextAttemptAtMillis()).isEqualTo(lane.millis() + 5000);

    lane.advance(Duration.ofMillis(4999));
    assertThat(snaps.started).hasSize(1);
    lane.advance(Duration.ofMillis(1));
    assertThat(snaps.started).hasSize(2);
    r = record(first.getId());
    assertThat(r.getNextAttemptAtMillis()).isEqualTo(lane.millis() + 10_000); // doubled

    lane.advance(Duration.ofMillis(9999));
    assertThat(snaps.started).hasSize(2);
    lane.advance(Duration.ofMillis(1));
    r = record(first.getId());
    assertThat(r.getState()).isEqualTo(RunState.RUN_EXPORTING);
    assertThat(r.getAttemptsList()).extracting(SnapshotAttempt::getState)
        .containsExactly(GroupSnapshotState.ABORTED, GroupSnapshotState.ABORTED, GroupSnapshotState.COMMITTED);
    assertThat(r.getAttemptsList()).extracting(SnapshotAttempt::getReason)
        .containsExactly("writer db refused: checkpoint failed", "agent a2: freeze timed out", "");
    assertThat(r.getGroupSnapshotId()).isEqualTo(snaps.started.get(2));

    lane.advance(Duration.ofSeconds(5));
    r = record(first.getId());
    assertThat(r.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(r.getReason()).isEmpty();
    assertThat(exports.orders.get("a1").groupSnapshotId()).isEqualTo(r.getGroupSnapshotId());
    assertThat(exports.orders.get("a1").epoch()).isEqualTo(r.getEpoch());
  }

  @Test
  void runFails_whenEveryAttemptAborts() throws Exception {
    groups.put(Fakes.group("db", "repo", "a1", "a2").toBuilder()
        .setRetry(RetryPolicy.newBuilder().setMaxAttempts(2).setInitialBackoffMillis(1000)).build());
    snaps.outcomes.add("first reason");
    snaps.outcomes.add("second reason");
    RunDriver d = driver(store, term("A"), "A");
    String id = d.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(2));
    BackupRun r = record(id);
    assertThat(r.getState()).isEqualTo(RunState.RUN_FAILED);
    assertThat(r.getReason()).contains("2 attempt(s)").contains("second reason");
    assertThat(r.getAttemptsList()).extracting(SnapshotAttempt::getReason).containsExactly("first reason",
        "second reason");
    assertThat(r.getFinishedAtMillis()).isPositive();
    assertThat(exports.startCalls).isEmpty();
    assertThat(driving(d)).isEmpty();
  }

  @Test
  void someExportsFail_runIsPartiallyFailed_withPerMemberState() throws Exception {
    exports.failWith.put("a2", "repository sftp:backup@host:/r unreachable: connection refused");
    exports.steps.put("a1", 3);
    RunDriver d = driver(store, term("A"), "A");
    String id = d.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(10));
    BackupRun r = record(id);
    assertThat(r.getState()).isEqualTo(RunState.RUN_PARTIALLY_FAILED);
    assertThat(r.getReason()).startsWith("1 of 2 exports failed: a2:data: repository sftp");
    MemberExport a1 = r.getExports(0);
    assertThat(a1.getState()).isEqualTo(ExportState.EXPORT_DONE);
    assertThat(a1.getRepositorySnapshotId()).isEqualTo("snap-a1-data");
    assertThat(a1.getBytesDone()).isEqualTo(300);
    assertThat(a1.getAttempts()).isEqualTo(1);
    assertThat(r.getExports(1).getState()).isEqualTo(ExportState.EXPORT_FAILED);
    assertThat(r.getExports(1).getError()).contains("unreachable: connection refused");
    assertThat(r.getEventsList()).extracting(RunEvent::getMessage).anyMatch(m -> m.startsWith("run partially failed"));
  }

  @Test
  void everyExportFails_runIsFailed_andAGroupWithoutTargetCompletesAtOnce() throws Exception {
    exports.startOverride = a -> ExportClient.Answer.refused("agent " + a + ": no export target 'repo'");
    RunDriver d = driver(store, term("A"), "A");
    String id = d.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(1));
    assertThat(record(id).getState()).isEqualTo(RunState.RUN_FAILED);
    assertThat(record(id).getExportsList()).allMatch(e -> e.getError().contains("no export target"));

    groups.put(Fakes.group("plain", null, "a1"));
    String plain = d.launch("plain", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.drain();
    assertThat(record(plain).getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(record(plain).getExportsList()).isEmpty();
  }

  @Test
  void exportsNeverExceedTheClusterWideLimit_acrossRuns() throws Exception {
    options = options.withMaxConcurrentExports(2);
    agents.clear();
    snaps.members.clear();
    for (int i = 1; i <= 6; i++) {
      agents.add(Fakes.agent("h" + i, "repo", "data"));
      exports.steps.put("h" + i, 2 + i % 3);
    }
    groups.put(Fakes.group("left", "repo", "h1", "h2", "h3"));
    groups.put(Fakes.group("right", "repo", "h4", "h5", "h6"));
    for (int i = 1; i <= 6; i++) {
      snaps.member(i <= 3 ? "left" : "right", "h" + i, "data");
    }
    RunDriver d = driver(store, term("A"), "A");
    String l = d.launch("left", null, RunTrigger.RUN_MANUAL, 0).getId();
    String r = d.launch("right", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofMinutes(1));
    assertThat(record(l).getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(record(r).getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(exports.maxConcurrent).isEqualTo(2);
    assertThat(exports.startCalls).hasSize(6);
    assertThat(driving(d)).isEmpty();
  }

  @Test
  void unreachableAgent_isRetriedUntilTheExportDeadline_thenFailsWithTheReason() throws Exception {
    options = options.withExportDeadline(Duration.ofMinutes(1));
    exports.unreachable.add("a2");
    RunDriver d = driver(store, term("A"), "A");
    String id = d.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(30));
    BackupRun r = record(id);
    assertThat(r.getState()).isEqualTo(RunState.RUN_EXPORTING);
    assertThat(r.getExports(0).getState()).isEqualTo(ExportState.EXPORT_DONE);
    assertThat(exports.startCalls.stream().filter("a2"::equals).count()).isGreaterThan(20);
    // the same reason is logged once, not at every try
    assertThat(r.getEventsList()).extracting(RunEvent::getMessage).filteredOn(m -> m.contains("a2 unreachable"))
        .hasSize(1);

    lane.advance(Duration.ofSeconds(31));
    r = record(id);
    assertThat(r.getState()).isEqualTo(RunState.RUN_PARTIALLY_FAILED);
    assertThat(r.getExports(1).getState()).isEqualTo(ExportState.EXPORT_FAILED);
    assertThat(r.getExports(1).getError()).contains("export deadline").contains("connection refused");
  }

  @Test
  void unreachableAgentThatComesBack_finishesItsExport() throws Exception {
    exports.unreachable.add("a2");
    RunDriver d = driver(store, term("A"), "A");
    String id = d.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(20));
    exports.unreachable.remove("a2");
    lane.advance(Duration.ofSeconds(5));
    assertThat(record(id).getState()).isEqualTo(RunState.RUN_COMPLETED);
  }

  @Test
  void successorResumesAnExportingRun_andThePredecessorsWritesAreFenced() throws Exception {
    exports.steps.put("a1", 20);
    exports.steps.put("a2", 20);
    Leadership.Term ta = term("A");
    RunDriver a = driver(store, ta, "A");
    String id = a.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(3));
    assertThat(record(id).getState()).isEqualTo(RunState.RUN_EXPORTING);

    Leadership.Term tb = term("B");  // A still believes it leads (a paused JVM); the epoch moved on
    RunStore storeB = new RunStore(zk, layout);
    RunDriver b = driver(storeB, tb, "B");
    b.resumeNow();
    lane.drain();
    assertThat(driving(b)).containsExactly(id);
    lane.advance(Duration.ofSeconds(6)); // its next progress write is due
    assertThat(driving(a)).isEmpty(); // that write was refused: it stopped driving the run

    lane.advance(Duration.ofSeconds(60));
    BackupRun r = record(id);
    assertThat(r.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(r.getCoordinator()).isEqualTo("B");
    assertThat(r.getEpoch()).isEqualTo(tb.epoch());
    assertThat(r.getEventsList()).extracting(RunEvent::getMessage).anyMatch(m -> m.startsWith("resumed by B"));
    assertThatThrownBy(() -> store.update(r.toBuilder().setReason("late").build(), ta.fence()))
        .isInstanceOf(Exception.class);
    assertThat(record(id).getReason()).isEmpty();
  }

  @Test
  void everyLineAboutARunNamesItAndItsGroupInTheMdc_acrossAResumeAndAFencedWrite() throws Exception {
    ch.qos.logback.classic.Logger driverLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RunDriver.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
        new ch.qos.logback.core.read.ListAppender<>();
    events.start();
    driverLog.addAppender(events);
    try {
      exports.steps.put("a1", 20);
      exports.steps.put("a2", 20);
      RunDriver a = driver(store, term("A"), "A");
      String id = a.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
      lane.advance(Duration.ofSeconds(3));
      RunDriver b = driver(new RunStore(zk, layout), term("B"), "B");
      b.resumeNow();
      lane.drain();
      lane.advance(Duration.ofSeconds(66));
      assertThat(record(id).getState()).isEqualTo(RunState.RUN_COMPLETED);

      List<String> lines = events.list.stream().map(e -> e.getFormattedMessage()).toList();
      assertThat(lines).as("the resume, A's refused write and the end are logged")
          .anyMatch(m -> m.startsWith("resuming backup run " + id))
          .anyMatch(m -> m.startsWith("backup run " + id + ": record not written"))
          .anyMatch(m -> m.startsWith("backup run " + id + " completed"));
      for (ch.qos.logback.classic.spi.ILoggingEvent e : events.list) {
        assertThat(e.getMDCPropertyMap()).as(e.getFormattedMessage())
            .containsEntry("run", id).containsEntry("group", "db");
      }
      assertThat(org.slf4j.MDC.get("run")).as("nothing left behind on the lane's thread").isNull();
    } finally {
      driverLog.detachAppender(events);
    }
  }

  @Test
  void successorWaitsForTheOutcomeOfAnAttemptItDidNotSee() throws Exception {
    snaps.hang = true;
    Leadership.Term ta = term("A");
    RunDriver a = driver(store, ta, "A");
    String id = a.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.drain();
    String txn = record(id).getAttempts(0).getGroupSnapshotId();
    a.close();
    lane.drain();

    RunDriver b = driver(new RunStore(zk, layout), term("B"), "B");
    b.resumeNow();
    lane.advance(Duration.ofSeconds(5));
    assertThat(record(id).getState()).isEqualTo(RunState.RUN_SNAPSHOTTING); // in flight: it waits
    snaps.records.put(txn, snaps.records.get(txn).toBuilder().setState(GroupSnapshotState.COMMITTED).build());
    lane.advance(Duration.ofSeconds(10));
    BackupRun r = record(id);
    assertThat(r.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(r.getGroupSnapshotId()).isEqualTo(txn);
    assertThat(snaps.started).containsExactly(txn);
  }

  @Test
  void launchRefusesWhatWouldFail_beforeWritingAnything() throws Exception {
    exports.steps.put("a1", 100);
    RunDriver d = driver(store, term("A"), "A");
    assertThatThrownBy(() -> d.launch("nope", null, RunTrigger.RUN_MANUAL, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("no group 'nope'");
    groups.put(Fakes.group("gone", "repo", "a1", "a9"));
    assertThatThrownBy(() -> d.launch("gone", null, RunTrigger.RUN_MANUAL, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a9 is not registered");
    assertThatThrownBy(() -> d.launch("db", "run-bad", RunTrigger.RUN_MANUAL, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run-YYYYMMDD");
    assertThat(store.list(null).records()).isEmpty();

    String id = d.launch("db", "run-20261201-100000-abcdef", RunTrigger.RUN_MANUAL, 0).getId();
    assertThatThrownBy(() -> d.launch("db", null, RunTrigger.RUN_SCHEDULED, 1))
        .isInstanceOf(RunLauncher.RunInProgressException.class).hasMessageContaining(id);
    groups.put(Fakes.group("other", "repo", "a1"));
    assertThatThrownBy(() -> d.launch("other", id, RunTrigger.RUN_MANUAL, 0))
        .isInstanceOf(AlreadyExistsException.class);
    assertThat(store.list(null).records()).hasSize(1);
  }

  @Test
  void damagedRunRecord_isListedApart_andNeverStopsTheDriver() throws Exception {
    zk.create().forPath(layout.run("run-20261201-000000-000000"), new byte[] {(byte) 0xff, 0x01, 0x02});
    zk.create().forPath(layout.run("run-20261201-000000-000001"),
        BackupRun.newBuilder().setId("run-other").setState(RunState.RUN_EXPORTING).build().toByteArray());
    RunDriver d = driver(store, term("A"), "A");
    d.resumeNow();
    lane.drain();
    String id = d.launch("db", null, RunTrigger.RUN_MANUAL, 0).getId();
    lane.advance(Duration.ofSeconds(5));
    var listing = store.list(null);
    assertThat(listing.records()).extracting(BackupRun::getId).containsExactly(id);
    assertThat(listing.damaged()).hasSize(2).allMatch(x -> x.getKind() == RecordKind.RECORD_RUN);
    assertThat(listing.damaged().get(1).getReason()).contains("another id");
    assertThat(record(id).getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThatThrownBy(() -> store.find("run-20261201-000000-000000"))
        .hasMessageContaining("cannot be used");
  }

  @Test
  void fencedWrite_isRefusedOnceANewerTermBegan() throws Exception {
    Leadership.Term ta = term("A");
    BackupRun run = BackupRun.newBuilder().setId("run-20261201-000000-00000a").setGroup("db")
        .setState(RunState.RUN_SNAPSHOTTING).build();
    store.create(run, ta.fence());
    term("B");
    assertThatThrownBy(() -> store.update(run.toBuilder().setReason("x").build(), ta.fence()))
        .isInstanceOf(FencedWriteException.class);
  }
}
