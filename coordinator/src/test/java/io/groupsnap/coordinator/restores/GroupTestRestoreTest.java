package io.groupsnap.coordinator.restores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.MemberTarget;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The leader's half of a test restore against scripted agents: the verdict across members, and where it is kept. */
class GroupTestRestoreTest {
  /** Agents that verify every volume but those told to fail, at the first poll. */
  static final class Agents implements RestoreClient {
    final List<RestoreClient.Order> orders = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> failing = new ConcurrentHashMap<>();
    final Map<String, List<MemberRestore>> started = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Answer> start(String agentId, Order o) {
      orders.add(o);
      List<MemberRestore> running = o.volumes().stream().map(v -> MemberRestore.newBuilder().setAgentId(agentId)
          .setVolume(v.getVolume()).setState(o.dryRun() ? RestoreState.RESTORE_CHECKED
              : RestoreState.RESTORE_RUNNING).build()).toList();
      if (!o.dryRun()) {
        started.put(agentId, running);
      }
      return CompletableFuture.completedFuture(Answer.answered(running));
    }

    @Override
    public CompletableFuture<Answer> get(String agentId, String restoreId) {
      return CompletableFuture.completedFuture(Answer.answered(started.get(agentId).stream().map(m -> {
        String why = failing.get(agentId + ":" + m.getVolume());
        return m.toBuilder().setState(RestoreState.RESTORE_DONE).setScratchRemoved(true)
            .setVerification(why == null ? Verification.VERIFIED : Verification.VERIFICATION_FAILED)
            .setVerificationReason(why == null ? "2 files read back" : why).build();
      }).toList()));
    }
  }

  final Agents agents = new Agents();
  final List<String> recorded = Collections.synchronizedList(new ArrayList<>());

  private GroupRestore restore(String runOfSnapshot) {
    return new GroupRestore("cluster", () -> 4, id -> GroupRestoreTest.COMMITTED.toBuilder().setRunId(runOfSnapshot)
        .build(), new io.groupsnap.coordinator.runs.RunCatalog() {
          @Override
          public Optional<BackupRun> find(String id) {
            return Optional.of(BackupRun.newBuilder().setId(id).setGroupSnapshotId("gs-1").build());
          }

          @Override
          public Listing<BackupRun> list(String group) {
            throw new UnsupportedOperationException();
          }
        }, () -> List.of(AgentRegistration.newBuilder().setAgentId("a1").build(),
            AgentRegistration.newBuilder().setAgentId("a2").build()), agents, Runnable::run, Duration.ZERO,
        Duration.ofSeconds(1), (runId, verdict, at) -> recorded.add(runId + " " + verdict.getVerification() + " "
            + verdict.getVerificationReason()));
  }

  @Test
  void everyMemberVerified_isVerified_recordedOnTheRunThatTookTheSnapshot() throws Exception {
    RestoreGroupSnapshotResponse r = restore("run-7").restore(RestoreGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId("gs-1").setVerify(true).build()).get(10, TimeUnit.SECONDS);
    assertThat(r.getVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(r.getOk()).isTrue();
    assertThat(r.getRecordedOnRun()).isEqualTo("run-7");
    assertThat(r.getRestoreId()).startsWith("verify-");
    assertThat(recorded).containsExactly("run-7 VERIFIED ");
    // every agent was asked for a test restore, with no target of the leader's choosing
    assertThat(agents.orders).allSatisfy(o -> {
      assertThat(o.verify()).isTrue();
      assertThat(o.volumes()).allSatisfy(v -> assertThat(v.getTarget()).isEmpty());
    });
  }

  @Test
  void oneMemberFailing_failsTheGroup_namingTheMemberAndWhy() throws Exception {
    agents.failing.put("a2:db", "verify command /bin/check exited 3: ledger does not balance");
    agents.failing.put("a1:logs", "contents differ");
    RestoreGroupSnapshotResponse r = restore("").restore(RestoreGroupSnapshotRequest.newBuilder()
        .setBackupRunId("run-3").setVerify(true).build()).get(10, TimeUnit.SECONDS);
    assertThat(r.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(r.getOk()).isFalse();
    assertThat(r.getVerificationReason()).isEqualTo("a1:logs: contents differ (and 1 more)");
    assertThat(recorded).containsExactly("run-3 VERIFICATION_FAILED a1:logs: contents differ (and 1 more)");
  }

  @Test
  void aSnapshotOfNoRun_isAnsweredButNotRecorded() throws Exception {
    RestoreGroupSnapshotResponse r = restore("").restore(RestoreGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId("gs-1").setVerify(true).build()).get(10, TimeUnit.SECONDS);
    assertThat(r.getVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(r.getRecordedOnRun()).isEmpty();
    assertThat(recorded).isEmpty();
  }

  @Test
  void targetsWithATestRestore_areRefused_beforeAnyAgentIsAsked() {
    assertThatThrownBy(() -> restore("").restore(RestoreGroupSnapshotRequest.newBuilder().setGroupSnapshotId("gs-1")
        .setVerify(true).addTargets(MemberTarget.newBuilder().setAgentId("a1").setVolume("db").setPath("/x"))
        .build())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scratch");
    assertThat(agents.orders).isEmpty();
  }
}
