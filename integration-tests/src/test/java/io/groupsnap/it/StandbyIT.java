package io.groupsnap.it;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.HostPort;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two coordinators: the standby answers reads, refuses writes naming the leader, and the CLI follows it. */
class StandbyIT {
  @TempDir Path tmp;
  ClusterFixture f;
  Coordinator standby;
  Transport standbyTransport;
  ClientChannel channel;
  CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    f = new ClusterFixture(tmp, 3);
    standbyTransport = f.cluster.coordinatorTransport().open();
    standby = new Coordinator(CoordinatorConfig.defaults("default", f.zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), standbyTransport, DecisionRule.STRICT, FaultPoints.NONE,
        f.cluster.credentials().coordinator()).start();
    channel = ClientChannel.toCoordinator(f.cluster.clientTransport(), standby.endpoint().toString());
    stub = CoordinatorServiceGrpc.newBlockingStub(channel.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.close();
    standby.close();
    standbyTransport.close();
    f.close();
  }

  @Test
  void theStandby_refusesMutations_namingTheLeader() {
    String leader = f.cluster.coordinator().endpoint().toString();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance()).hasNext());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).startsWith("NOT_LEADER").contains(leader);
    assertThat(e.getTrailers().get(CoordinatorGrpcService.LEADER_KEY)).isEqualTo(leader);
    StatusRuntimeException d = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId("gs-x").build()));
    assertThat(d.getTrailers().get(CoordinatorGrpcService.LEADER_KEY)).isEqualTo(leader);
    f.writers.values().forEach(w -> assertThat(w.prepares.get()).isZero());
  }

  @Test
  void theStandby_answersReads_withBothCoordinators() {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getCoordinatorsCount() == 2);
    ClusterStatusResponse s = stub.clusterStatus(ClusterStatusRequest.getDefaultInstance());
    assertThat(s.getLeader()).isEqualTo(f.cluster.coordinator().endpoint().toString());
    assertThat(s.getAnsweredBy()).isEqualTo(standby.endpoint().toString());
    assertThat(s.getAgentsCount()).isEqualTo(3);
    assertThat(s.getEpoch()).isEqualTo(1);
  }

  @Test
  void anOperatorWaitingOnALeaderThatDies_getsTheFinalOutcome_fromTheNextLeader() throws Exception {
    TestWriter slow = f.writers.get("agent-2");
    slow.freezeGate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<Cli> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        f.cli("snapshot", "create", "--wait", "-o", "json", "--zookeeper", f.zk.getConnectString(),
            "--freeze-timeout", "20s"));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> slow.freezes.get() == 1);
    f.cluster.coordinator().close(); // the leader dies mid-FREEZE; the standby takes over and aborts
    slow.freezeGate.countDown();
    Cli r = waiting.get(90, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.err()).isEqualTo(io.groupsnap.cli.support.ExitCodes.ABORTED);
    JsonNode g = new ObjectMapper().readTree(r.out());
    assertThat(g.get("state").asText()).isEqualTo("ABORTED");
    assertThat(r.err()).contains("waiting for the outcome");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(standby::isLeader);
    f.assertNothingFrozen();
    f.assertNoOrphans(java.util.List.of());
  }

  @Test
  void theCli_followsTheStandbysRedirect_andCommits() throws Exception {
    Cli r = f.cli("snapshot", "create", "--wait", "-o", "json", "--coordinator", standby.endpoint().toString());
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode g = new ObjectMapper().readTree(r.out());
    assertThat(g.get("state").asText()).as("%s", g).isEqualTo("COMMITTED");
    assertThat(g.get("coordinator").asText()).isEqualTo(f.cluster.coordinator().endpoint().toString());
  }

  @Test
  void anOperatorWaitingWithoutZooKeeper_seesTheIdAtOnce_andGetsTheOutcomeFromTheStandby() throws Exception {
    String leader = f.cluster.coordinator().endpoint().toString();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getCoordinatorsCount() == 2);
    TestWriter slow = f.writers.get("agent-2");
    slow.freezeGate = new java.util.concurrent.CountDownLatch(1);
    StringWriter err = new StringWriter();
    java.util.concurrent.CompletableFuture<Cli> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        f.cli(new StringWriter(), err, "snapshot", "create", "--wait", "-o", "json", "--coordinator", leader, "--freeze-timeout", "20s",
            "--outcome-timeout", "60s"));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> slow.freezes.get() == 1);
    Matcher started = Pattern.compile("groupsnap: started (gs-\\d{8}-\\d{6}-[0-9a-f]{6}); waiting for its outcome")
        .matcher(err.toString());
    assertThat(started.find()).as("the id is on stderr while the group snapshot runs: %s", err).isTrue();
    f.cluster.coordinator().close(); // the leader dies mid-FREEZE; only the standby is left, and no ZooKeeper given
    slow.freezeGate.countDown();
    Cli r = waiting.get(90, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.err()).isEqualTo(io.groupsnap.cli.support.ExitCodes.ABORTED);
    JsonNode g = new ObjectMapper().readTree(r.out());
    assertThat(g.get("id").asText()).isEqualTo(started.group(1));
    assertThat(g.get("state").asText()).isEqualTo("ABORTED");
    assertThat(r.err()).contains("waiting for the outcome");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(standby::isLeader);
    f.assertNothingFrozen();
    f.assertNoOrphans(java.util.List.of());
  }

  @Test
  void aCreateWhoseLeaderVanishesBeforeTheFirstEvent_findsItsGroupSnapshot_andWaitsForItsOutcome() throws Exception {
    int before = transactions();
    try (VanishingCoordinator dying = new VanishingCoordinator(f.cluster, true)) {
      Cli r = f.cli("snapshot", "create", "--wait", "-o", "json", "--coordinator", dying.endpoint(),
          "--zookeeper", f.zk.getConnectString(), "--outcome-timeout", "60s");
      assertThat(r.exit()).as(r.err()).isZero();
      JsonNode g = new ObjectMapper().readTree(r.out());
      assertThat(dying.forwardedId.get()).as("the request reached the leader").isNotNull();
      assertThat(g.get("id").asText()).isEqualTo(dying.forwardedId.get());
      assertThat(g.get("state").asText()).isEqualTo("COMMITTED");
      assertThat(r.err()).contains("coordinator " + dying.endpoint() + " did not answer")
          .contains("started " + dying.forwardedId.get());
    }
    assertThat(transactions()).as("sent again, started once").isEqualTo(before + 1);
  }

  @Test
  void aCreateLostBeforeReachingTheLeader_isSentToTheLeader_andStartsOnce() throws Exception {
    int before = transactions();
    try (VanishingCoordinator dying = new VanishingCoordinator(f.cluster, false)) {
      Cli r = f.cli("snapshot", "create", "--coordinator", dying.endpoint(), "--zookeeper", f.zk.getConnectString(),
          "--outcome-timeout", "60s");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out().trim()).matches("gs-\\d{8}-\\d{6}-[0-9a-f]{6}");
      assertThat(r.err()).contains("coordinator " + dying.endpoint() + " did not answer");
      assertThat(dying.forwardedId.get()).isNull();
    }
    assertThat(transactions()).isEqualTo(before + 1);
  }

  int transactions() {
    return f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
        .getSnapshotsCount();
  }
}
