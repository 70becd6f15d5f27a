package io.groupsnap.coordinator.restores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.MemberTarget;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The leader's half of a restore against scripted agents: everything checked before any agent writes. */
class GroupRestoreTest {
  static final GroupSnapshot COMMITTED = GroupSnapshot.newBuilder().setId("gs-1")
      .setState(GroupSnapshotState.COMMITTED)
      .addMembers(MemberRecord.newBuilder().setAgentId("a1").setVolume("db"))
      .addMembers(MemberRecord.newBuilder().setAgentId("a1").setVolume("logs"))
      .addMembers(MemberRecord.newBuilder().setAgentId("a2").setVolume("db")).build();

  /** Agents that accept everything (unless told to refuse one) and finish at the first poll. */
  static final class Agents implements RestoreClient {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Order> orders = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Answer> dryRunAnswers = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, List<MemberRestore>> started = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Answer> start(String agentId, Order o) {
      orders.add(o);
      calls.add((o.dryRun() ? "check " : "start ") + agentId + " " + o.volumes().stream()
          .map(v -> v.getVolume() + "=" + v.getTarget()).toList());
      if (o.dryRun()) {
        return CompletableFuture.completedFuture(dryRunAnswers.getOrDefault(agentId, Answer.answered(List.of())));
      }
      List<MemberRestore> running = o.volumes().stream().map(v -> MemberRestore.newBuilder().setAgentId(agentId)
          .setVolume(v.getVolume()).setPath(v.getTarget()).setState(RestoreState.RESTORE_RUNNING).build()).toList();
      started.put(agentId, running);
      return CompletableFuture.completedFuture(Answer.answered(running));
    }

    @Override
    public CompletableFuture<Answer> get(String agentId, String restoreId) {
      return CompletableFuture.completedFuture(Answer.answered(started.get(agentId).stream().map(m -> m.toBuilder()
          .setState(RestoreState.RESTORE_DONE).setBytes(7).build()).toList()));
    }
  }

  final Agents agents = new Agents();
  List<String> registered = List.of("a1", "a2");

  /** What holds members now (an unsettled in-place restore, in the coordinator). */
  io.groupsnap.coordinator.api.MemberGuard held = io.groupsnap.coordinator.api.MemberGuard.NONE;

  private GroupRestore restore(GroupSnapshot g) {
    return new GroupRestore("cluster", () -> 4, id -> {
      if (!id.equals(g.getId())) {
        throw new NotFoundException("no group snapshot " + id);
      }
      return g;
    }, new io.groupsnap.coordinator.runs.RunCatalog() {
      @Override
      public Optional<BackupRun> find(String id) {
        return id.equals("run-1") ? Optional.of(BackupRun.newBuilder().setId(id).setGroupSnapshotId("gs-1")
            .setExportTarget("offsite")
            .addExports(MemberExport.newBuilder().setAgentId("a1").setVolume("db").setState(ExportState.EXPORT_DONE)
                .setRepositorySnapshotId("abc123").setBytesTotal(42).setBytesDone(42))
            .addExports(MemberExport.newBuilder().setAgentId("a2").setVolume("db")
                .setState(ExportState.EXPORT_FAILED)).build())
            : Optional.empty();
      }

      @Override
      public io.groupsnap.coordinator.store.Listing<BackupRun> list(String group) {
        throw new UnsupportedOperationException();
      }
    }, () -> registered.stream().map(a -> AgentRegistration.newBuilder().setAgentId(a).build()).toList(), agents,
        Runnable::run, Duration.ZERO, Duration.ofSeconds(1),
        io.groupsnap.coordinator.restores.VerdictLog.NONE, io.groupsnap.coordinator.groupcheck.GroupChecks.NONE,
        null, agentIds -> held.requireFree(agentIds));
  }

  private static RestoreGroupSnapshotRequest.Builder req() {
    return RestoreGroupSnapshotRequest.newBuilder().setGroupSnapshotId("gs-1");
  }

  @Test
  void everyMemberIsCheckedFirst_thenAllStart_withTargetsUnderToOrOverridden() throws Exception {
    RestoreGroupSnapshotResponse r = restore(COMMITTED).restore(req().setTo("/r")
        .addTargets(MemberTarget.newBuilder().setAgentId("a2").setVolume("db").setPath("/elsewhere/x"))
        .build()).get(10, TimeUnit.SECONDS);
    assertThat(agents.calls).containsExactly(
        "check a1 [db=/r/a1/db, logs=/r/a1/logs]", "check a2 [db=/elsewhere/x]",
        "start a1 [db=/r/a1/db, logs=/r/a1/logs]", "start a2 [db=/elsewhere/x]");
    assertThat(r.getOk()).isTrue();
    assertThat(r.getGroupSnapshotId()).isEqualTo("gs-1");
    assertThat(r.getMembersList()).extracting(m -> m.getAgentId() + ":" + m.getVolume() + " " + m.getState())
        .containsExactly("a1:db RESTORE_DONE", "a1:logs RESTORE_DONE", "a2:db RESTORE_DONE");
  }

  @Test
  void withoutTo_eachAgentUsesItsDefault_andARunIdNamesItsGroupSnapshot() throws Exception {
    restore(COMMITTED).restore(RestoreGroupSnapshotRequest.newBuilder().setBackupRunId("run-1").build())
        .get(10, TimeUnit.SECONDS);
    assertThat(agents.calls).contains("check a1 [db=, logs=]", "start a2 [db=]");
  }

  @Test
  void theRunsDoneExports_areNamedToTheAgents_forMembersWhoseCaptureIsGone() throws Exception {
    restore(COMMITTED.toBuilder().setRunId("run-1").build()).restore(req().build()).get(10, TimeUnit.SECONDS);
    List<io.groupsnap.proto.v1.VolumeTarget> started = agents.orders.stream().filter(o -> !o.dryRun())
        .flatMap(o -> o.volumes().stream()).toList();
    assertThat(started).extracting(v -> v.getVolume() + " " + v.getExportTarget() + " "
        + v.getRepositorySnapshotId() + " " + v.getExportBytes())
        .containsExactlyInAnyOrder("db offsite abc123 42", "logs   0", "db   0");
  }

  @Test
  void oneAgentRefusingItsTarget_failsTheCall_andNoAgentStarts() {
    agents.dryRunAnswers.put("a2", RestoreClient.Answer.of(RestoreClient.Kind.REFUSED,
        "agent a2: volume db: target /r/a2/db overlaps volume db"));
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().setTo("/r").build()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalArgumentException.class)
        .hasMessage("agent a2: volume db: target /r/a2/db overlaps volume db (nothing was restored)");
    assertThat(agents.calls).noneMatch(c -> c.startsWith("start"));
  }

  @Test
  void badInput_isRefusedBeforeAnyAgentIsAsked() {
    for (GroupSnapshotState s : List.of(GroupSnapshotState.ABORTED, GroupSnapshotState.DELETING,
        GroupSnapshotState.DELETED)) {
      assertThatThrownBy(() -> restore(COMMITTED.toBuilder().setState(s).build()).restore(req().build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("group snapshot gs-1 is " + s + ": only a committed group snapshot can be restored");
    }
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().setGroupSnapshotId("gs-9").build()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().setTo("relative").build()))
        .hasMessage("to: relative is not an absolute path");
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().setTo("/r/../etc").build()))
        .hasMessage("to: /r/../etc contains '..'");
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().addTargets(MemberTarget.newBuilder()
        .setAgentId("a3").setVolume("db").setPath("/x")).build()))
        .hasMessage("targets[0]: a3:db is not a member of group snapshot gs-1");
    registered = List.of("a1");
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().build()))
        .hasMessage("agent a2 is not registered (down?): nothing was restored");
    assertThat(agents.calls).isEmpty();
  }

  @Test
  void aMemberUnderAnUnsettledInPlaceRestore_refusesTheRestoreAndTestRestore_beforeAnyAgentIsAsked() {
    held = agentIds -> {
      if (agentIds.contains("a2")) {
        throw new IllegalStateException("agent a2 under in-place restore inplace-1 (SWITCHING): retry once it has "
            + "settled");
      }
    };
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().build())).isInstanceOf(IllegalStateException.class)
        .hasMessage("agent a2 under in-place restore inplace-1 (SWITCHING): retry once it has settled");
    assertThatThrownBy(() -> restore(COMMITTED).restore(req().setVerify(true).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("inplace-1");
    assertThat(agents.calls).isEmpty();
  }
}
