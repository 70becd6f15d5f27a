package io.groupsnap.it;

import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.Agent;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.testing.ContainerCleanup;
import io.groupsnap.common.testing.MetricsScrape;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.FreezeResponse;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.groupsnap.proto.v1.TxnHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol end to end: real ZooKeeper, a coordinator and three agents over loopback gRPC. */
class GroupSnapshotIT {
  @TempDir Path tmp;
  ClusterFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new ClusterFixture(tmp, 3);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void threeAgents_commitOneCut_thenDeleteLeavesNothing() throws Exception {
    for (String agent : f.cluster.agents().keySet()) {
      Files.writeString(DevCluster.volumeDir(tmp, agent).resolve("state.txt"), "state of " + agent);
    }
    GroupSnapshot g = f.create();
    assertThat(g.getState()).as("%s: %s (member %s)", g.getId(), g.getAbortReason(), g.getAbortMember())
        .isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(g.getMembersList()).hasSize(3).allSatisfy(m -> {
      assertThat(m.getState()).isEqualTo(MemberState.MEMBER_COMMITTED);
      assertThat(Path.of(m.getSnapshotPath()).resolve("state.txt")).hasContent("state of " + m.getAgentId());
      assertThat(m.getFreezeStartedAtMillis()).isPositive();
      assertThat(m.getThawedAtMillis()).isGreaterThanOrEqualTo(m.getFreezeStartedAtMillis());
    });
    long first = g.getMembersList().stream().mapToLong(MemberRecord::getFreezeStartedAtMillis).min().orElseThrow();
    long last = g.getMembersList().stream().mapToLong(MemberRecord::getThawedAtMillis).max().orElseThrow();
    assertThat(g.getFreezeWindowMillis()).isEqualTo(last - first);
    assertThat(f.coordinator.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId(g.getId()).build()))
        .isEqualTo(g);
    f.writers.values().forEach(w -> assertThat(w.freezes.get()).isEqualTo(1));
    f.assertNothingFrozen();
    f.assertNoOrphans(List.of(g.getId()));

    f.coordinator.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(g.getId()).build());
    f.assertNoOrphans(List.of());
    assertThat(f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.getDefaultInstance()).getSnapshotsList())
        .isEmpty();
    assertThat(f.coordinator.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId(g.getId()).build())
        .getState()).isEqualTo(GroupSnapshotState.DELETED);
  }

  @Test
  void aNoAtPrepare_aborts_withNothingFrozenAndNoSnapshotAnywhere() throws Exception {
    f.writers.get("agent-2").prepareAnswer = WriterResult.nonRetryable("replica is 40s behind");
    GroupSnapshot g = f.create();
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(g.getAbortMember()).isEqualTo("agent-2");
    assertThat(g.getAbortReason()).contains("replica is 40s behind");
    f.writers.values().forEach(w -> assertThat(w.freezes.get()).as("freezes").isZero());
    f.assertNothingFrozen();
    f.assertNoOrphans(List.of());
    assertThat(f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true)
        .build()).getSnapshotsList()).singleElement()
        .satisfies(r -> assertThat(r.getState()).isEqualTo(GroupSnapshotState.ABORTED));
  }

  @Test
  void anAgentSlowerThanTheFreezeDeadline_aborts_andEverythingThaws() throws Exception {
    TestWriter slow = f.writers.get("agent-3");
    slow.freezeGate = new CountDownLatch(1);
    GroupSnapshot g = f.create(CreateGroupSnapshotRequest.newBuilder().setFreezeTimeoutMillis(500).build());
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    // one deadline, the transaction's own timer: agent-3's FREEZE call ends later, so it never races it
    assertThat(g.getAbortReason()).isEqualTo("no FROZEN answer within the freeze timeout of 500ms from [agent-3]");
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_TIMED_OUT);
    assertThat(g.getAbortMember()).isEqualTo("agent-3");
    assertThat(f.writers.get("agent-1").freezes.get()).isEqualTo(1);
    // G2 without waiting for the slow application: the abort itself released every hold, on agent-3 too
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
      f.cluster.agents().values().forEach(a -> assertThat(a.participant().isHolding()).as(a.id()).isFalse());
      assertThat(f.writers.get("agent-1").holding).isFalse();
      assertThat(f.writers.get("agent-2").holding).isFalse();
    });
    slow.freezeGate.countDown(); // the slow application finally answers: the agent must undo it, not keep it
    f.assertNothingFrozen();
    org.awaitility.Awaitility.await().untilAsserted(() -> f.assertNoOrphans(List.of()));
  }

  @Test
  void aBrokenHold_aborts_andDeletesEveryCapture() throws Exception {
    f.writers.get("agent-1").thawAnswer = WriterResult.nonRetryable("gave up holding");
    GroupSnapshot g = f.create();
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(g.getAbortReason()).isEqualTo("hold on agent-1 was broken: writer test-app thaw: gave up holding");
    f.writers.values().forEach(w -> assertThat(w.freezes.get()).isEqualTo(1));
    f.assertNothingFrozen();
    f.assertNoOrphans(List.of());
  }

  /**
   * Found by a newcomer: deleting the last group snapshot left {@code snapshots/} empty, ZooKeeper removed it (a
   * container node) about a minute later, and every later group snapshot aborted with "could not record the commit".
   */
  @Test
  void aSnapshot_commits_afterTheLastOneWasDeleted_andZooKeeperCleanedUpEmptyNodes() throws Exception {
    GroupSnapshot first = f.create();
    assertThat(first.getState()).as(first.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    f.coordinator.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(first.getId()).build());
    ContainerCleanup.awaitPasses(f.zk.getConnectString());
    GroupSnapshot next = f.create();
    assertThat(next.getState()).as(next.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.getDefaultInstance()).getSnapshotsList())
        .extracting(GroupSnapshot::getId).containsExactly(next.getId());
    f.assertNoOrphans(List.of(next.getId()));
  }

  @Test
  void aLonePrepareNeverFrozen_endsAtItsOwnDeadline_andTheNextGroupSnapshotCommits() throws Exception {
    ClusterStatusResponse status = f.coordinator.clusterStatus(ClusterStatusRequest.getDefaultInstance());
    Agent agent2 = f.cluster.agents().get("agent-2");
    // a coordinator that died right after sending PREPARE (only a coordinator's PREPARE is obeyed)
    ClientChannel ch = ClientChannel.open(f.cluster.coordinatorTransport(), agent2.endpoint().toString(),
        PeerCheck.identity("agent-2", Role.AGENT));
    try {
      PrepareResponse stray = AgentServiceGrpc.newBlockingStub(ch.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .prepare(PrepareRequest.newBuilder().setHeader(TxnHeader.newBuilder().setClusterId(status.getClusterId())
              .setEpoch(status.getEpoch()).setTxnId("stray-1")).setLeaseMillis(30_000)
              .setFreezeWithinMillis(1_000).build());
      assertThat(stray.getOk()).as(stray.getReason()).isTrue();
    } finally {
      ch.close();
    }
    assertThat(agent2.participant().isActive("stray-1")).isTrue();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> !agent2.participant().isActive("stray-1"));
    assertThat(f.writers.get("agent-2").aborts.get()).isEqualTo(1);
    GroupSnapshot g = f.create();
    assertThat(g.getState()).as(g.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    f.assertNothingFrozen();
    f.assertNoOrphans(List.of(g.getId()));
  }

  @Test
  void aKilledAgent_makesASnapshotOfEveryAgentFail_untilMissingAgentsAreAllowed_andThenTheRecordNamesIt()
      throws Exception {
    GroupSnapshot baseline = f.create();
    assertThat(baseline.getState()).as("%s", baseline.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    f.cluster.agents().get("agent-3").close(); // and it stays down
    String coordinator = f.cluster.coordinator().endpoint().toString();
    int before = transactions();

    Cli refused = f.cli("snapshot", "create", "--wait", "--coordinator", coordinator);
    assertThat(refused.exit()).as(refused.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).startsWith("groupsnap: agent-3 (last seen ").contains(" is known to the cluster but "
        + "not registered; nothing was started").contains("--allow-missing").endsWith(")\n");
    assertThat(refused.err().strip()).doesNotContain("\n");
    assertThat(refused.out()).isEmpty();
    assertThat(transactions()).as("nothing started").isEqualTo(before);

    Cli allowed = f.cli("snapshot", "create", "--wait", "--allow-missing", "-o", "json", "--coordinator",
        coordinator);
    assertThat(allowed.exit()).as(allowed.err()).isEqualTo(ExitCodes.OK);
    JsonNode g = new ObjectMapper().readTree(allowed.out());
    assertThat(g.get("state").asText()).isEqualTo("COMMITTED");
    assertThat(g.get("missingAgents")).hasSize(1).first().satisfies(n -> assertThat(n.asText()).isEqualTo("agent-3"));
    assertThat(g.get("members").findValuesAsText("agent")).containsExactly("agent-1", "agent-2");
    Cli shown = f.cli("snapshot", "show", g.get("id").asText(), "--coordinator", coordinator);
    assertThat(shown.out()).contains("left out, not registered: agent-3");

    assertThat(f.cli("agents", "list", "--coordinator", coordinator).out())
        .containsPattern("not registered, known to the cluster.*\n"
            + "agent-3 +127\\.0\\.0\\.1:\\d+ +last seen \\d+s ago\n");
    JsonNode listed = new ObjectMapper().readTree(f.cli("agents", "list", "-o", "json", "--coordinator",
        coordinator).out());
    assertThat(listed).as("JSON says what the text says").anySatisfy(n -> {
      assertThat(n.get("id").asText()).isEqualTo("agent-3");
      assertThat(n.get("state").asText()).isEqualTo("MISSING");
      assertThat(n.get("lastSeenAt").asText()).isNotBlank();
    });
    Cli forgot = f.cli("agents", "forget", "agent-3", "--coordinator", coordinator);
    assertThat(forgot.out()).as(forgot.err()).isEqualTo("forgot agent agent-3\n");
    Cli after = f.cli("snapshot", "create", "--wait", "-o", "json", "--coordinator", coordinator);
    assertThat(after.exit()).as(after.err()).isEqualTo(ExitCodes.OK);
    assertThat(new ObjectMapper().readTree(after.out()).get("missingAgents")).as("a retired agent is not missing")
        .isEmpty();
  }

  int transactions() {
    return f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
        .getSnapshotsCount();
  }

  @Test
  void aNextSnapshot_afterAnAbort_commits() throws Exception {
    f.writers.get("agent-2").prepareAnswer = WriterResult.retryable("busy");
    assertThat(f.create().getState()).isEqualTo(GroupSnapshotState.ABORTED);
    f.writers.get("agent-2").prepareAnswer = WriterResult.OK;
    GroupSnapshot g = f.create();
    assertThat(g.getState()).as("%s: %s (member %s)", g.getId(), g.getAbortReason(), g.getAbortMember())
        .isEqualTo(GroupSnapshotState.COMMITTED);
    f.assertNoOrphans(List.of(g.getId()));
  }

  /**
   * Issue 13's metrics test: the endpoints of the coordinator and of every agent, scraped over HTTP around real group
   * snapshots, moved as they should — a commit, a NO at prepare, a broken hold, and a hold its lease ended.
   */
  @Test
  void metrics_moveAsRealGroupSnapshotsCommitAbortAndBreakHolds() throws Exception {
    ClusterMetrics start = ClusterMetrics.scrape(f);
    assertThat(start.coordinator().sum("groupsnap_coordinator_leader")).isEqualTo(1);
    assertThat(start.coordinator().sum("groupsnap_coordinator_epoch")).isPositive();
    assertThat(start.coordinator().sum("groupsnap_zookeeper_connected")).isEqualTo(1);
    start.agents().values().forEach(a -> assertThat(a.sum("groupsnap_zookeeper_connected")).isEqualTo(1));
    String freeze = AgentServiceGrpc.getFreezeMethod().getFullMethodName();

    GroupSnapshot committed = f.create();
    assertThat(committed.getState()).as(committed.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    ClusterMetrics one = ClusterMetrics.scrape(f);
    assertThat(one.coordinatorDelta(start, "groupsnap_group_snapshots_total", "result", "committed")).isEqualTo(1);
    assertThat(one.coordinatorDelta(start, "groupsnap_group_snapshots_total", "result", "aborted")).isZero();
    assertThat(one.coordinatorDelta(start, "groupsnap_freeze_window_seconds_count", "result", "committed"))
        .isEqualTo(1);
    assertThat(one.coordinatorDelta(start, "groupsnap_freeze_window_seconds_sum", "result", "committed"))
        .isEqualTo(committed.getFreezeWindowMillis() / 1000.0);
    assertThat(one.coordinatorDelta(start, "groupsnap_time_to_frozen_seconds_count", "result", "committed"))
        .isEqualTo(1);
    assertThat(one.coordinator().sum("groupsnap_last_committed_timestamp_seconds"))
        .isEqualTo(committed.getFinishedAtMillis() / 1000.0);
    for (String agent : f.cluster.agents().keySet()) {
      assertThat(one.agentDelta(start, agent, "groupsnap_agent_holds_total", "release", "thaw")).isEqualTo(1);
      assertThat(one.agentDelta(start, agent, "groupsnap_agent_hold_seconds_count", "release", "thaw")).isEqualTo(1);
      assertThat(one.agentDelta(start, agent, "groupsnap_agent_time_to_frozen_seconds_count")).isEqualTo(1);
      assertThat(one.agents().get(agent).sum("groupsnap_agent_holds_active")).isZero();
      assertThat(one.agentDelta(start, agent, "groupsnap_agent_holds_broken_total")).isZero();
    }
    // the FREEZE call's latency is recorded once its answer is on its way: wait for it rather than race it
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      ClusterMetrics now = ClusterMetrics.scrape(f);
      for (String agent : f.cluster.agents().keySet()) {
        assertThat(now.agentDelta(start, agent, "groupsnap_grpc_server_calls_seconds_count", "method", freeze,
            "code", "OK")).isEqualTo(1);
      }
    });

    f.writers.get("agent-2").prepareAnswer = WriterResult.nonRetryable("replica is 40s behind");
    assertThat(f.create().getAbortCause()).isEqualTo(AbortCause.ABORT_VOTED_NO);
    f.writers.get("agent-2").prepareAnswer = WriterResult.OK;
    ClusterMetrics two = ClusterMetrics.scrape(f);
    assertThat(two.coordinatorDelta(one, "groupsnap_group_snapshots_total", "result", "aborted", "reason",
        "voted_no")).isEqualTo(1);
    assertThat(two.coordinatorDelta(one, "groupsnap_freeze_window_seconds_count")).as("nothing froze").isZero();
    for (String agent : f.cluster.agents().keySet()) {
      assertThat(two.agentDelta(one, agent, "groupsnap_agent_holds_total")).as("nothing froze").isZero();
    }

    f.writers.get("agent-1").thawAnswer = WriterResult.nonRetryable("gave up holding");
    assertThat(f.create().getAbortCause()).isEqualTo(AbortCause.ABORT_BROKEN_HOLD);
    f.writers.get("agent-1").thawAnswer = WriterResult.OK;
    ClusterMetrics three = ClusterMetrics.scrape(f);
    assertThat(three.coordinatorDelta(two, "groupsnap_group_snapshots_total", "result", "aborted", "reason",
        "broken_hold")).isEqualTo(1);
    assertThat(three.coordinatorDelta(two, "groupsnap_freeze_window_seconds_count", "result", "aborted"))
        .isEqualTo(1);
    assertThat(three.agentDelta(two, "agent-1", "groupsnap_agent_holds_broken_total")).isEqualTo(1);
    assertThat(three.agentDelta(two, "agent-2", "groupsnap_agent_holds_broken_total")).isZero();
    three.agents().values().forEach(a -> assertThat(a.sum("groupsnap_agent_holds_active")).isZero());

    // a coordinator gone after FREEZE, played by a stray client: agent-3's lease ends the hold
    ClusterStatusResponse status = f.coordinator.clusterStatus(ClusterStatusRequest.getDefaultInstance());
    TxnHeader header = TxnHeader.newBuilder().setClusterId(status.getClusterId()).setEpoch(status.getEpoch())
        .setTxnId("stray-lease").build();
    // (only a coordinator's PREPARE and FREEZE are obeyed: it dials with the coordinator's certificate)
    ClientChannel ch = ClientChannel.open(f.cluster.coordinatorTransport(),
        f.cluster.agents().get("agent-3").endpoint().toString(), PeerCheck.identity("agent-3", Role.AGENT));
    FreezeResponse frozen;
    try {
      AgentServiceGrpc.AgentServiceBlockingStub agent3 = AgentServiceGrpc.newBlockingStub(ch.channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThat(agent3.prepare(PrepareRequest.newBuilder().setHeader(header).setLeaseMillis(500).build()).getOk())
          .isTrue();
      // frozen, or (on a very slow machine) already past its lease: either way the lease ends the hold
      frozen = agent3.freeze(FreezeRequest.newBuilder().setHeader(header).setLeaseMillis(500).build());
    } finally {
      ch.close();
    }
    FreezeResponse answer = frozen;
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(answer.getFrozen() || answer.getReason().contains("lease")).as(answer.getReason()).isTrue();
      MetricsScrape now = MetricsScrape.fetch(f.cluster.agents().get("agent-3").metricsAddress().orElseThrow());
      assertThat(now.sum("groupsnap_agent_holds_lease_expired_total")
          - three.agents().get("agent-3").sum("groupsnap_agent_holds_lease_expired_total")).isEqualTo(1);
      assertThat(now.sum("groupsnap_agent_holds_active")).isZero();
    });
    f.assertNothingFrozen();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      MetricsScrape c = MetricsScrape.fetch(f.cluster.coordinator().metricsAddress().orElseThrow());
      assertThat(c.sum("groupsnap_agents_registered")).isEqualTo(3);
      assertThat(c.sum("groupsnap_agents_missing")).isZero();
    });
    // a backup run, exported by every agent (the dev cluster's restic targets), moves the run and export metrics
    String coordinator = f.cluster.coordinator().endpoint().toString();
    Cli group = f.cli("group", "create", "metrics", "--selector", "dev=true", "--export-target",
        io.groupsnap.devkit.cluster.DevCluster.EXPORT_TARGET, "--coordinator", coordinator);
    assertThat(group.exit()).as(group.err()).isZero();
    Cli run = f.cli("backup", "run", "metrics", "--wait", "--coordinator", coordinator);
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    ClusterMetrics after = ClusterMetrics.scrape(f);
    assertThat(after.coordinatorDelta(three, "groupsnap_backup_runs_total", "group", "metrics", "result",
        "completed")).isEqualTo(1);
    assertThat(after.coordinatorDelta(three, "groupsnap_backup_last_success_timestamp_seconds", "group", "metrics"))
        .isPositive();
    for (String a : f.cluster.agents().keySet()) {
      assertThat(after.agentDelta(three, a, "groupsnap_agent_exports_total", "kind", "restic", "result", "done"))
          .as("exports ended on %s", a).isEqualTo(1);
    }
    after.assertDocumentedIn(Path.of("../docs/operations.md"));
  }
}
