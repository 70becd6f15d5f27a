package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.proto.v1.GetInPlaceRestoreRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.ListInPlaceRestoresRequest;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.groupsnap.proto.v1.SettleInPlaceRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In-place restores across the three hosts of the multi-host harness, with faults (docs/protocol.md, "In-place
 * restore"; G6): once a restore is settled, every member is on the restored cut or every member is on its previous
 * data; every writer that got pre-restore got post-restore; the workloads resume from whatever their volume holds
 * and keep the ledger whole (the next group snapshot is a consistent cut, which it cannot be if one host came back on
 * another cut than the others).
 *
 * <p>Each test takes a group snapshot, then leaves a marker file in every live volume: after a restore to that group
 * snapshot no volume may hold it; after a cancelled or rolled-back one every volume must. The tests share one cluster.
 */
class InPlaceRestoreIT {
  @RegisterExtension static final ClusterExtension clusters = new ClusterExtension();
  private static final Duration SETTLE = Duration.ofSeconds(120);

  @Test
  void restoresEveryMemberToTheCut_workloadsResumeFromIt_andConfirmDropsThePreviousData() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    GroupSnapshot cut = committedWithMarkers(c);

    InPlaceRestore r = restoreInPlace(c, cut);

    assertThat(r.getState()).as(r.getReason()).isEqualTo(InPlaceState.IN_PLACE_SWITCHED);
    assertOnTheCut(c, cut, r.getRestoreId());
    assertWritersStoppedAndStartedOnce(c, r.getRestoreId(), "true");
    assertWorkloadsResume(c);

    InPlaceRestore confirmed = c.throughLeader(() -> restores(c).confirmInPlaceRestore(
        SettleInPlaceRequest.newBuilder().setRestoreId(r.getRestoreId()).build()));
    assertThat(confirmed.getState()).isEqualTo(InPlaceState.IN_PLACE_CONFIRMED);
    for (AgentHost a : c.agents()) {
      assertThat(siblings(a, r.getRestoreId())).as("%s: nothing kept aside once confirmed", a.id()).isEmpty();
    }
  }

  @Test
  void rollback_putsEveryMemberBackOnItsPreviousData() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    GroupSnapshot cut = committedWithMarkers(c);
    InPlaceRestore r = restoreInPlace(c, cut);
    assertThat(r.getState()).as(r.getReason()).isEqualTo(InPlaceState.IN_PLACE_SWITCHED);

    InPlaceRestore back = c.throughLeader(() -> restores(c).rollbackInPlaceRestore(
        SettleInPlaceRequest.newBuilder().setRestoreId(r.getRestoreId()).build()));

    assertThat(back.getState()).as(back.getReason()).isEqualTo(InPlaceState.IN_PLACE_ROLLED_BACK);
    assertOnPreviousData(c, cut, r.getRestoreId());
    assertWorkloadsResume(c);
  }

  @Test
  void memberFailingToStage_cancels_andNobodySwitches() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    GroupSnapshot cut = committedWithMarkers(c);
    c.failpoints(c.agent(2).agent(), "agent.in-place-stage=fail");

    InPlaceRestore r = restoreInPlace(c, cut);

    assertThat(r.getState()).isEqualTo(InPlaceState.IN_PLACE_CANCELLED);
    assertThat(r.getReason()).contains("agent-2");
    assertOnPreviousData(c, cut, r.getRestoreId());
    for (AgentHost a : c.agents()) {
      assertThat(hookLines(a, r.getRestoreId())).as("%s: no writer is stopped before every member staged", a.id())
          .isEmpty();
    }
  }

  @Test
  void writerRefusingToStop_cancels_andTheOthersStartAgainOnTheirOldData() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    GroupSnapshot cut = committedWithMarkers(c);
    c.agent(2).workload().kill(); // its pre-restore hook finds no application to stop: the writer refuses

    InPlaceRestore r = restoreInPlace(c, cut);

    assertThat(r.getState()).isEqualTo(InPlaceState.IN_PLACE_CANCELLED);
    assertThat(r.getReason()).contains("agent-2");
    assertOnPreviousData(c, cut, r.getRestoreId());
    for (AgentHost a : List.of(c.agent(1), c.agent(3))) {
      List<String> lines = hookLines(a, r.getRestoreId());
      assertThat(lines.stream().filter(l -> l.contains("post-restore")).toList())
          .as("%s: every pre-restore is followed by post-restore restored=false: %s", a.id(), lines)
          .hasSize((int) lines.stream().filter(l -> l.contains("pre-restore")).count())
          .allMatch(l -> l.contains("restored=false"));
    }
    c.agent(2).workload().start();
    await("workload-2 back").atMost(Duration.ofSeconds(60)).until(c.agent(2)::workloadReady);
    assertWorkloadsResume(c);
  }

  @Test
  void leaderKilledWhileAMemberSwitches_isSucceededByOneThatFinishesTheRestore() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    GroupSnapshot cut = committedWithMarkers(c);
    c.failpoints(c.agent(3).agent(), "agent.in-place-switch=delay:15000");
    ManagedProcess leader = c.coordinatorAt(c.leaderEndpoint().orElseThrow()).orElseThrow();

    CompletableFuture<InPlaceRestore> call = CompletableFuture.supplyAsync(() -> restores(c)
        .withDeadlineAfter(SETTLE.toMillis(), TimeUnit.MILLISECONDS)
        .restoreInPlace(RestoreInPlaceRequest.newBuilder().setGroupSnapshotId(cut.getId()).build()));
    await("agent-1 and agent-2 switched while agent-3 is slow to").atMost(SETTLE).pollInterval(Duration.ofMillis(50))
        .until(() -> switched(c.agent(1)) && switched(c.agent(2)));
    leader.kill();
    assertThat(call).failsWithin(SETTLE);

    InPlaceRestore r = awaitSettled(c, cut);
    assertThat(r.getState()).as(r.getReason()).isEqualTo(InPlaceState.IN_PLACE_SWITCHED);
    assertOnTheCut(c, cut, r.getRestoreId());
    assertWritersStoppedAndStartedOnce(c, r.getRestoreId(), "true");
    assertWorkloadsResume(c);
    confirm(c, r);
  }

  @Test
  void agentKilledBetweenItsTwoRenames_comesBackWhollyOnTheCut() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    GroupSnapshot cut = committedWithMarkers(c);
    c.failpoints(c.agent(2).agent(), "agent.in-place-between-renames=once-halt");

    CompletableFuture<InPlaceRestore> call = CompletableFuture.supplyAsync(() -> restores(c)
        .withDeadlineAfter(SETTLE.toMillis(), TimeUnit.MILLISECONDS)
        .restoreInPlace(RestoreInPlaceRequest.newBuilder().setGroupSnapshotId(cut.getId()).build()));
    await("agent-2 halted between its renames").atMost(SETTLE).until(() -> !c.agent(2).agent().isAlive());
    assertThat(Files.exists(c.agent(2).volume())).as("agent-2's live volume is gone between the renames").isFalse();
    c.failpoints(c.agent(2).agent(), "");
    c.restartAgent(2);

    InPlaceRestore r = call.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.getState()).as(r.getReason()).isEqualTo(InPlaceState.IN_PLACE_SWITCHED);
    assertOnTheCut(c, cut, r.getRestoreId());
    assertWritersStoppedAndStartedOnce(c, r.getRestoreId(), "true");
    assertWorkloadsResume(c);
    confirm(c, r);
  }

  // ---- steps ----

  /** A committed group snapshot of every host, then a marker file in every live volume that the cut does not hold. */
  private static GroupSnapshot committedWithMarkers(MultiHostCluster c) throws IOException {
    GroupSnapshot cut = c.awaitCommitted(io.groupsnap.proto.v1.CreateGroupSnapshotRequest.getDefaultInstance(),
        Duration.ofSeconds(60)).snapshot();
    assertThat(cut.getMembersCount()).isEqualTo(c.agents().size());
    for (AgentHost a : c.agents()) {
      Files.writeString(marker(a, cut), "written after " + cut.getId() + "\n");
    }
    return cut;
  }

  private static InPlaceRestore restoreInPlace(MultiHostCluster c, GroupSnapshot cut) {
    InPlaceRestore r = c.throughLeader(() -> restores(c).withDeadlineAfter(SETTLE.toMillis(), TimeUnit.MILLISECONDS)
        .restoreInPlace(RestoreInPlaceRequest.newBuilder().setGroupSnapshotId(cut.getId()).build()));
    HarnessFaultsIT.report("in-place restore " + r.getRestoreId(), r.getState() + " " + r.getReason() + " "
        + (r.getUpdatedAtMillis() - r.getCreatedAtMillis()) + "ms");
    return r;
  }

  /** The restore of {@code cut}, once a leader settled it (SWITCHED, CANCELLED, ...). */
  private static InPlaceRestore awaitSettled(MultiHostCluster c, GroupSnapshot cut) {
    return await("the restore of " + cut.getId() + " settled").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(() -> c.throughLeader(() -> restores(c).listInPlaceRestores(
                ListInPlaceRestoresRequest.getDefaultInstance()).getRestoresList().stream()
            .filter(r -> r.getGroupSnapshotId().equals(cut.getId())).findFirst().orElseThrow()), r -> Stream.of(
            InPlaceState.IN_PLACE_SWITCHED, InPlaceState.IN_PLACE_CANCELLED).anyMatch(s -> s == r.getState()));
  }

  private static void confirm(MultiHostCluster c, InPlaceRestore r) {
    InPlaceRestore confirmed = c.throughLeader(() -> restores(c).confirmInPlaceRestore(
        SettleInPlaceRequest.newBuilder().setRestoreId(r.getRestoreId()).build()));
    assertThat(confirmed.getState()).isEqualTo(InPlaceState.IN_PLACE_CONFIRMED);
    InPlaceRestore again = c.throughLeader(() -> restores(c).getInPlaceRestore(
        GetInPlaceRestoreRequest.newBuilder().setRestoreId(r.getRestoreId()).build()));
    assertThat(again.getState()).isEqualTo(InPlaceState.IN_PLACE_CONFIRMED);
  }

  // ---- what must hold ----

  /** G6, restored side: every live volume is the cut's (no marker), its previous data kept aside with the marker. */
  private static void assertOnTheCut(MultiHostCluster c, GroupSnapshot cut, String restoreId) throws IOException {
    for (AgentHost a : c.agents()) {
      assertThat(Files.exists(marker(a, cut))).as("%s: the live volume still holds data written after the cut",
          a.id()).isFalse();
      Path replaced = a.volume().resolveSibling("." + a.volume().getFileName() + ".groupsnap-replaced-" + restoreId);
      assertThat(replaced.resolve(marker(a, cut).getFileName())).as("%s: the previous data kept aside", a.id())
          .exists();
      assertThat(ledgerLog(a.volume())).as("%s: the live ledger continues the cut's", a.id())
          .startsWith(ledgerLog(capture(cut, a)));
    }
  }

  /** G6, previous side: every live volume holds its marker, nothing staged or replaced is left. */
  private static void assertOnPreviousData(MultiHostCluster c, GroupSnapshot cut, String restoreId)
      throws IOException {
    for (AgentHost a : c.agents()) {
      assertThat(marker(a, cut)).as("%s: back on (or never left) its previous data", a.id()).exists();
      assertThat(siblings(a, restoreId)).as("%s: nothing staged or kept aside", a.id()).isEmpty();
    }
  }

  /** Every host's writer got exactly one pre-restore, then exactly one post-restore with the given flag. */
  private static void assertWritersStoppedAndStartedOnce(MultiHostCluster c, String restoreId, String restored)
      throws IOException {
    for (AgentHost a : c.agents()) {
      List<String> lines = hookLines(a, restoreId);
      assertThat(lines).as("%s's hook runs for %s", a.id(), restoreId).hasSize(2);
      assertThat(lines.get(0)).contains("pre-restore " + restoreId + ": ok");
      assertThat(lines.get(1)).contains("post-restore " + restoreId + " restored=" + restored + ": ok");
    }
  }

  /** Every workload makes progress again, and the next group snapshot is a consistent cut of them all (G1). */
  private static void assertWorkloadsResume(MultiHostCluster c) throws Exception {
    List<Long> before = new ArrayList<>();
    for (AgentHost a : c.agents()) {
      before.add(Long.parseLong(a.workloadStats().get("updates")));
    }
    await("every workload updates its volume again").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
      for (int i = 0; i < c.agents().size(); i++) {
        if (Long.parseLong(c.agents().get(i).workloadStats().get("updates")) <= before.get(i)) {
          return false;
        }
      }
      return true;
    });
    GroupSnapshot next = c.awaitCommitted(io.groupsnap.proto.v1.CreateGroupSnapshotRequest.getDefaultInstance(),
        Duration.ofSeconds(60)).snapshot();
    assertThat(next.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    new Guarantees(c).assertCommittedSnapshotsAreConsistentCuts();
  }

  // ---- files ----

  private static Path marker(AgentHost a, GroupSnapshot cut) {
    return a.volume().resolve("after-" + cut.getId());
  }

  private static Path capture(GroupSnapshot cut, AgentHost a) {
    return cut.getMembersList().stream().filter(m -> m.getAgentId().equals(a.id())).map(MemberRecord::getSnapshotPath)
        .map(Path::of).findFirst().orElseThrow();
  }

  private static String ledgerLog(Path volume) throws IOException {
    Path log = volume.resolve(io.groupsnap.devkit.workload.LedgerWorkload.DIR).resolve("log");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.US_ASCII) : "";
  }

  /** The staged or replaced siblings of a host's live volume that this restore left. */
  private static List<Path> siblings(AgentHost a, String restoreId) throws IOException {
    Path parent = a.volume().getParent();
    try (Stream<Path> s = Files.list(parent)) {
      return s.filter(p -> p.getFileName().toString().startsWith("." + a.volume().getFileName() + ".groupsnap-")
          && p.getFileName().toString().endsWith("-" + restoreId)).toList();
    }
  }

  private static boolean switched(AgentHost a) throws IOException {
    try (Stream<Path> s = Files.list(a.volume().getParent())) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("." + a.volume().getFileName()
          + ".groupsnap-replaced-")) && Files.isDirectory(a.volume());
    }
  }

  /** The writer hook's log lines about this restore, in order. */
  private static List<String> hookLines(AgentHost a, String restoreId) throws IOException {
    if (!Files.exists(a.writerLog())) {
      return List.of();
    }
    return Files.readAllLines(a.writerLog()).stream().filter(l -> l.contains("-restore " + restoreId)).toList();
  }

  private static RestoreServiceGrpc.RestoreServiceBlockingStub restores(MultiHostCluster c) {
    return RestoreServiceGrpc.newBlockingStub(c.leaderChannel());
  }
}
