package io.groupsnap.coordinator.restores;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.groupcheck.GroupCheckRunner;
import io.groupsnap.coordinator.groupcheck.GroupChecks;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test restore with a group check, against scripted agents and a real command: the agents keep their checked
 * copies, the command runs once with every member's copy when every member passed, and every agent discards its
 * copies afterwards whatever the outcome.
 */
class GroupCheckRestoreTest {
  @TempDir Path tmp;
  final GroupCheckRunner runner = new GroupCheckRunner();

  /** Agents that verify every volume (but those told to fail) at a scratch path, keeping it when asked. */
  final class Agents implements RestoreClient {
    final List<Order> orders = Collections.synchronizedList(new ArrayList<>());
    final List<String> discarded = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> failing = new ConcurrentHashMap<>();
    final Map<String, List<MemberRestore>> started = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Answer> start(String agentId, Order o) {
      orders.add(o);
      List<MemberRestore> running = o.volumes().stream().map(v -> MemberRestore.newBuilder().setAgentId(agentId)
          .setVolume(v.getVolume()).setPath(tmp.resolve(agentId).resolve(v.getVolume()).toString())
          .setState(o.dryRun() ? RestoreState.RESTORE_CHECKED : RestoreState.RESTORE_RUNNING).build()).toList();
      if (!o.dryRun()) {
        started.put(agentId, running.stream().map(m -> {
          String why = failing.get(agentId + ":" + m.getVolume());
          return m.toBuilder().setState(RestoreState.RESTORE_DONE).setScratchRemoved(!o.keepScratch())
              .setVerification(why == null ? Verification.VERIFIED : Verification.VERIFICATION_FAILED)
              .setVerificationReason(why == null ? "read back" : why).build();
        }).toList());
      }
      return CompletableFuture.completedFuture(Answer.answered(running));
    }

    @Override
    public CompletableFuture<Answer> get(String agentId, String restoreId) {
      return CompletableFuture.completedFuture(Answer.answered(started.get(agentId)));
    }

    @Override
    public CompletableFuture<Answer> discard(String agentId, String restoreId) {
      discarded.add(agentId);
      return CompletableFuture.completedFuture(Answer.answered(started.get(agentId).stream()
          .map(m -> m.toBuilder().setScratchRemoved(true).build()).toList()));
    }
  }

  final Agents agents = new Agents();
  final List<String> recorded = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    runner.close();
  }

  private GroupRestore restore(GroupChecks checks) {
    return new GroupRestore("cluster", () -> 4, id -> GroupRestoreTest.COMMITTED, new io.groupsnap.coordinator.runs
        .RunCatalog() {
          @Override
          public Optional<BackupRun> find(String id) {
            return Optional.of(BackupRun.newBuilder().setId(id).setGroup("ledger").setGroupSnapshotId("gs-1")
                .build());
          }

          @Override
          public Listing<BackupRun> list(String group) {
            throw new UnsupportedOperationException();
          }
        }, () -> List.of(AgentRegistration.newBuilder().setAgentId("a1").build(),
            AgentRegistration.newBuilder().setAgentId("a2").build()), agents, Runnable::run, Duration.ZERO,
        Duration.ofSeconds(1), (runId, verdict, at) -> recorded.add(runId + " " + verdict.getVerification() + " "
            + verdict.getVerificationReason()), checks, runner);
  }

  /** A check that writes its arguments, one a line, to {@code args}, prints {@code says} and exits {@code code}. */
  private GroupChecks.Check script(String key, String says, int code, Duration timeout) throws Exception {
    Path s = tmp.resolve("check-" + key.replace("*", "any") + ".sh");
    Files.writeString(s, "for a in \"$@\"; do echo \"$a\" >> \"" + tmp.resolve("args") + "\"; done\n"
        + (says.isEmpty() ? "" : "echo '" + says + "'\n") + "exit " + code + "\n");
    return new GroupChecks.Check(key, List.of("/bin/sh", s.toString(), "--members", GroupChecks.PATHS), timeout);
  }

  private RestoreGroupSnapshotResponse verifyRun(GroupChecks checks) throws Exception {
    return restore(checks).restore(RestoreGroupSnapshotRequest.newBuilder().setBackupRunId("run-3").setVerify(true)
        .build()).get(30, TimeUnit.SECONDS);
  }

  private List<String> args() throws Exception {
    Path a = tmp.resolve("args");
    return Files.exists(a) ? Files.readAllLines(a) : List.of();
  }

  @Test
  void aPassingGroupCheck_seesEveryMembersCopy_isVerified_andEveryAgentDiscards() throws Exception {
    RestoreGroupSnapshotResponse r = verifyRun(new GroupChecks(Map.of("ledger", script("ledger", "", 0,
        Duration.ofSeconds(30)))));
    assertThat(r.getVerification()).as(r.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(r.getGroupCheck().getRan()).isTrue();
    assertThat(r.getGroupCheck().getVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(r.getGroupCheck().getConfigKey()).isEqualTo("ledger");
    assertThat(args()).containsExactly("--members", "a1:db=" + tmp.resolve("a1/db"),
        "a1:logs=" + tmp.resolve("a1/logs"), "a2:db=" + tmp.resolve("a2/db"));
    assertThat(agents.orders).allSatisfy(o -> assertThat(o.keepScratch()).isTrue());
    assertThat(agents.discarded).containsExactlyInAnyOrder("a1", "a2");
    assertThat(r.getMembersList()).allSatisfy(m -> assertThat(m.getScratchRemoved()).isTrue());
    assertThat(recorded).containsExactly("run-3 VERIFIED ");
  }

  @Test
  void aFailingGroupCheck_failsTheVerdict_withItsFirstLine_andEveryAgentStillDiscards() throws Exception {
    RestoreGroupSnapshotResponse r = verifyRun(new GroupChecks(Map.of("*", script("*",
        "a2:db: balance 7 does not match its log", 1, Duration.ofSeconds(30)))));
    assertThat(r.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(r.getOk()).isFalse();
    assertThat(r.getVerificationReason()).isEqualTo("group check *: a2:db: balance 7 does not match its log");
    assertThat(r.getGroupCheck().getOutputTail()).contains("balance 7");
    assertThat(r.getMembersList()).allSatisfy(m -> {
      assertThat(m.getVerification()).isEqualTo(Verification.VERIFIED); // each member passed its own checks
      assertThat(m.getScratchRemoved()).isTrue();
    });
    assertThat(agents.discarded).containsExactlyInAnyOrder("a1", "a2");
    assertThat(recorded).containsExactly("run-3 VERIFICATION_FAILED group check *: a2:db: balance 7 does not match"
        + " its log");
  }

  @Test
  void aSilentFailure_namesTheExitCode_andACheckThatHangs_isKilledAtItsTimeout() throws Exception {
    RestoreGroupSnapshotResponse silent = verifyRun(new GroupChecks(Map.of("ledger", script("ledger", "", 3,
        Duration.ofSeconds(30)))));
    assertThat(silent.getVerificationReason()).isEqualTo("group check ledger: exit code 3");

    Path hang = tmp.resolve("hang.sh");
    Files.writeString(hang, "exec sleep 600\n");
    RestoreGroupSnapshotResponse hung = verifyRun(new GroupChecks(Map.of("ledger", new GroupChecks.Check("ledger",
        List.of("/bin/sh", hang.toString(), GroupChecks.PATHS), Duration.ofSeconds(1)))));
    assertThat(hung.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(hung.getVerificationReason()).startsWith("group check ledger: timed out after 1");
    assertThat(agents.discarded).hasSize(4);
  }

  @Test
  void aMemberFailingItsOwnCheck_skipsTheGroupCheck_namesTheMember_andEveryAgentDiscards() throws Exception {
    agents.failing.put("a2:db", "contents differ");
    RestoreGroupSnapshotResponse r = verifyRun(new GroupChecks(Map.of("ledger", script("ledger", "", 0,
        Duration.ofSeconds(30)))));
    assertThat(r.getVerificationReason()).isEqualTo("a2:db: contents differ");
    assertThat(r.getGroupCheck().getRan()).isFalse();
    assertThat(r.getGroupCheck().getReason()).contains("not run");
    assertThat(args()).isEmpty();
    assertThat(agents.discarded).containsExactlyInAnyOrder("a1", "a2");
  }

  @Test
  void withoutACheckForTheGroup_nothingIsKept_andABareSnapshotGetsOnlyTheDefault() throws Exception {
    RestoreGroupSnapshotResponse other = verifyRun(new GroupChecks(Map.of("payments", script("payments", "", 1,
        Duration.ofSeconds(30)))));
    assertThat(other.getVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(other.hasGroupCheck()).isFalse();
    assertThat(agents.orders).allSatisfy(o -> assertThat(o.keepScratch()).isFalse());
    assertThat(agents.discarded).isEmpty();

    // a group snapshot no backup run took has no group: its own group's entry cannot apply, "*" does
    GroupRestore bare = restore(new GroupChecks(Map.of("ledger", script("ledger", "", 1, Duration.ofSeconds(30)),
        "*", script("*", "", 0, Duration.ofSeconds(30)))));
    RestoreGroupSnapshotResponse r = bare.restore(RestoreGroupSnapshotRequest.newBuilder().setGroupSnapshotId("gs-1")
        .setVerify(true).build()).get(30, TimeUnit.SECONDS);
    assertThat(r.getGroupCheck().getConfigKey()).isEqualTo("*");
    assertThat(r.getVerification()).isEqualTo(Verification.VERIFIED);
  }
}
