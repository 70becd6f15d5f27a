package io.groupsnap.coordinator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.runs.Fakes;
import io.groupsnap.coordinator.runs.ManualLane;
import io.groupsnap.coordinator.runs.RunDeletion;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.coordinator.runs.ZkRuns;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.RetentionDecision;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetentionScope;
import io.groupsnap.proto.v1.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's retention pass against a real ZooKeeper: runs recorded there, the real {@link RetentionPlans} and
 * {@link RunDeletion}, the agents and group snapshots scripted ({@link Fakes}).
 */
@org.junit.jupiter.api.Timeout(60)
class RetentionPassTest {
  static final Instant FIRST = Instant.parse("2026-11-20T10:00:00Z");
  ZkRuns zk;
  ManualLane lane = new ManualLane();
  ThreadScheduler runsLane = new ThreadScheduler("test-runs");
  Fakes.Groups groups = new Fakes.Groups();
  Fakes.Snapshots snaps = new Fakes.Snapshots();
  Fakes.Exports exports = new Fakes.Exports();
  Leadership.Term term;
  AtomicReference<Leadership.Term> acting = new AtomicReference<>();
  RetentionPlans plans;
  RetentionPass pass;
  /** The group's completed runs, oldest first, and its failed run (older than all of them). */
  List<String> completed = new ArrayList<>();
  String failed;

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkRuns();
    term = zk.term("A");
    acting.set(term);
    groups.put(Fakes.group("db", "repo", "a1", "a2").toBuilder()
        .setLocalRetention(RetentionPolicy.newBuilder().setKeepLast(2))
        .setExportRetention(RetentionPolicy.newBuilder().setKeepLast(3)).build());
    failed = zk.record(ZkRuns.finished(id(0), "db", FIRST, RunState.RUN_FAILED, "a1", "a2"), term).getId();
    for (int i = 1; i <= 6; i++) {
      completed.add(zk.record(ZkRuns.finished(id(i), "db", FIRST.plus(Duration.ofDays(i)), RunState.RUN_COMPLETED,
          "a1", "a2"), term).getId());
    }
    plans = new RetentionPlans(zk.store, groups, lane);
    RunDeletion deletion = new RunDeletion(new RunStore(zk.zk, zk.layout), exports, snaps, runsLane, lane,
        "cluster-1", "A");
    pass = new RetentionPass(groups, plans, deletion::expire, () -> Optional.ofNullable(acting.get()), lane,
        Duration.ofHours(1));
  }

  @AfterEach
  void tearDown() throws Exception {
    pass.close();
    runsLane.close();
    zk.close();
  }

  static String id(int i) {
    return String.format("run-202611%02d-100000-%06x", 20 + i, i);
  }

  /** What a plan removes, by run and scope, as {@link RetentionPass#passNow} reports it. */
  static Map<String, String> removals(List<RetentionDecision> decisions) {
    Map<String, List<String>> by = new LinkedHashMap<>();
    for (RetentionDecision d : decisions) {
      if (!d.getKeep()) {
        by.computeIfAbsent(d.getRunId(), k -> new ArrayList<>())
            .add(d.getScope() == RetentionScope.RETENTION_LOCAL ? "local" : "export");
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    by.forEach((run, scopes) -> out.put(run, String.join("+", scopes)));
    return out;
  }

  BackupRun run(String id) throws Exception {
    return zk.find(id);
  }

  List<BackupRun> all() throws Exception {
    return zk.store.list(null).records();
  }

  @Test
  void onePass_removesExactlyWhatThePlanRemoves() throws Exception {
    Map<String, String> planned = removals(plans.plan("db").getDecisionsList());
    Map<String, String> told = new LinkedHashMap<>();
    pass.onRemoved((group, run, scope) -> told.put(group + "/" + run, scope));
    Map<String, String> done = pass.passNow();
    assertThat(done).isEqualTo(planned);
    assertThat(told).hasSize(done.size());
    done.forEach((run, scope) -> assertThat(told).containsEntry("db/" + run, scope));

    // the same, worked out independently: keep-last 2 locally, 3 exported, the failed run is older than all
    String c1 = completed.get(0);
    String c2 = completed.get(1);
    String c3 = completed.get(2);
    String c4 = completed.get(3);
    assertThat(done).containsOnlyKeys(c1, c2, c3, c4, failed);
    for (String gone : List.of(c1, c2, c3)) { // the 3 oldest completed lose both: nothing left, deleted
      BackupRun r = run(gone);
      assertThat(r.getLocalDeleted()).as(gone).isTrue();
      assertThat(r.getExportDeleted()).as(gone).isTrue();
      assertThat(r.getState()).as(gone).isEqualTo(RunState.RUN_DELETED);
    }
    BackupRun fourth = run(c4); // loses its local capture only
    assertThat(fourth.getLocalDeleted()).isTrue();
    assertThat(fourth.getExportDeleted()).isFalse();
    assertThat(fourth.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(run(failed).getState()).isEqualTo(RunState.RUN_DELETED);
    for (String kept : completed.subList(4, 6)) { // the 2 newest keep everything
      BackupRun r = run(kept);
      assertThat(r.getLocalDeleted()).as(kept).isFalse();
      assertThat(r.getExportDeleted()).as(kept).isFalse();
      assertThat(r.getState()).as(kept).isEqualTo(RunState.RUN_COMPLETED);
    }
    assertThat(snaps.deleted).containsExactlyInAnyOrder("gs-" + c1, "gs-" + c2, "gs-" + c3, "gs-" + c4,
        "gs-" + failed);
    assertThat(exports.forgotten).containsExactlyInAnyOrder(
        "a1:snap-" + c1 + "-a1", "a2:snap-" + c1 + "-a2", "a1:snap-" + c2 + "-a1", "a2:snap-" + c2 + "-a2",
        "a1:snap-" + c3 + "-a1", "a2:snap-" + c3 + "-a2");

    // the plan is now all keeps, and another pass does nothing
    assertThat(removals(plans.plan("db").getDecisionsList())).isEmpty();
    assertThat(pass.passNow()).isEmpty();
    assertThat(snaps.deleted).hasSize(5);
  }

  @Test
  void notTheActingLeader_removesNothing() throws Exception {
    List<BackupRun> before = all();
    acting.set(null);
    assertThat(pass.passNow()).isEmpty();
    assertThat(all()).isEqualTo(before);
    assertThat(snaps.deleted).isEmpty();
    assertThat(exports.forgotten).isEmpty();
  }

  @Test
  void aFailingRemoval_doesNotStopTheOthers_andIsTriedAgainAtTheNextPass() throws Exception {
    // the oldest completed run exported through agent a3, which is unreachable; the failed run is removed after it
    String oldest = completed.get(0);
    BackupRun own = ZkRuns.finished(oldest, "db", FIRST.plus(Duration.ofDays(1)), RunState.RUN_COMPLETED, "a3");
    RunStore writer = new RunStore(zk.zk, zk.layout);
    writer.adopt(oldest);
    writer.update(own, term.fence());
    exports.unreachable.add("a3");

    Map<String, String> first = pass.passNow();
    assertThat(first).containsOnlyKeys(completed.get(1), completed.get(2), completed.get(3), failed);
    assertThat(run(oldest).getExportDeleted()).isFalse();
    assertThat(run(oldest).getLocalDeleted()).isFalse();
    assertThat(run(oldest).getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(run(failed).getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(snaps.deleted).doesNotContain("gs-" + oldest);

    exports.unreachable.clear();
    assertThat(pass.passNow()).containsExactly(Map.entry(oldest, "local+export"));
    assertThat(run(oldest).getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(exports.forgotten).contains("a3:snap-" + oldest + "-a3");
  }

  @Test
  void aGroupWithAnAllZeroPolicy_isUntouched() throws Exception {
    groups.put(Fakes.group("plain", "repo", "a1").toBuilder()
        .setLocalRetention(RetentionPolicy.getDefaultInstance())
        .setExportRetention(RetentionPolicy.newBuilder().setKeepLast(0)).build());
    List<String> plain = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      plain.add(zk.record(ZkRuns.finished(String.format("run-20261101-10000%d-0000f%d", i, i), "plain",
          FIRST.minus(Duration.ofDays(10 - i)), i == 0 ? RunState.RUN_FAILED : RunState.RUN_COMPLETED, "a1"),
          term).getId());
    }
    List<BackupRun> before = zk.store.list("plain").records();
    Map<String, String> done = pass.passNow();
    assertThat(done).doesNotContainKeys(plain.toArray(String[]::new));
    assertThat(done).isNotEmpty(); // the other group's pass went on
    assertThat(zk.store.list("plain").records()).isEqualTo(before);
    assertThat(snaps.deleted).noneMatch(g -> plain.stream().anyMatch(p -> g.equals("gs-" + p)));
  }
}
