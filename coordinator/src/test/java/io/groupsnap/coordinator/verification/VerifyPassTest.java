package io.groupsnap.coordinator.verification;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.restores.RunVerdicts;
import io.groupsnap.coordinator.runs.Fakes;
import io.groupsnap.coordinator.runs.ManualLane;
import io.groupsnap.coordinator.runs.RunIds;
import io.groupsnap.coordinator.runs.ZkRuns;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.Verification;
import io.groupsnap.proto.v1.VerifyPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader's scheduled test restores against a real ZooKeeper: run records there, verdicts recorded on them by the
 * production {@link RunVerdicts}, time and the pass's timer driven by the test ({@link ManualLane}), the test restores
 * themselves a scripted {@link VerifyPass.Starter} (what reaches the agents is GroupRestore's, tested on its own).
 */
@Timeout(60)
class VerifyPassTest {
  static final Duration EVERY = Duration.ofHours(24);
  static final Duration PASS = Duration.ofMinutes(10);
  ZkRuns zk;
  ManualLane lane = new ManualLane();
  Fakes.Groups groups = new Fakes.Groups();
  Leadership.Term term;
  AtomicReference<Leadership.Term> acting = new AtomicReference<>();
  Restores restores;
  VerifyPass pass;

  /** The test restores asked for, each answered when the test says, its verdict recorded as GroupRestore does. */
  final class Restores implements VerifyPass.Starter {
    final List<String> asked = new ArrayList<>();
    final Map<String, CompletableFuture<RestoreGroupSnapshotResponse>> going = new LinkedHashMap<>();
    final RunVerdicts verdicts = new RunVerdicts(zk.store, () -> term, "A", ok -> { });
    String refuseWith;

    @Override
    public synchronized CompletableFuture<RestoreGroupSnapshotResponse> verify(String group, String runId) {
      asked.add(group + "/" + runId);
      if (refuseWith != null) {
        throw new IllegalArgumentException(refuseWith);
      }
      CompletableFuture<RestoreGroupSnapshotResponse> f = new CompletableFuture<>();
      going.put(runId, f);
      return f;
    }

    /** The verification of {@code runId} reaches {@code verdict}, recorded on the run at the lane's time. */
    void finish(String runId, Verification verdict) throws Exception {
      RestoreGroupSnapshotResponse r = RestoreGroupSnapshotResponse.newBuilder().setRestoreId("verify-" + runId)
          .setVerification(verdict).setOk(verdict == Verification.VERIFIED).setDurationMillis(1234)
          .setVerificationReason(verdict == Verification.VERIFIED ? "" : "a1:data: contents differ").build();
      if (verdicts.record(runId, r, lane.millis())) {
        r = r.toBuilder().setRecordedOnRun(runId).build();
      }
      CompletableFuture<RestoreGroupSnapshotResponse> f;
      synchronized (this) {
        f = going.remove(runId);
      }
      f.complete(r);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkRuns();
    term = zk.term("A");
    acting.set(term);
    restores = new Restores();
    groups.put(withPolicy(Fakes.group("db", "repo", "a1", "a2"), EVERY));
    pass = new VerifyPass(groups, zk.store, restores, () -> Optional.ofNullable(acting.get()), lane, lane, PASS);
  }

  @AfterEach
  void tearDown() throws Exception {
    pass.close();
    zk.close();
  }

  static GroupSpec withPolicy(GroupSpec g, Duration every) {
    return g.toBuilder().setVerify(VerifyPolicy.newBuilder().setEveryMillis(every.toMillis())).build();
  }

  int n;

  /** A run of {@code group} created now (the lane's time) and ended in {@code state}. */
  String run(String group, RunState state) throws Exception {
    String id = RunIds.mint(lane.instant(), new java.util.Random(n++));
    return zk.record(ZkRuns.finished(id, group, lane.instant(), state, "a1", "a2"), term).getId();
  }

  BackupRun record(String id) throws Exception {
    return zk.find(id);
  }

  @Test
  void aFreshCompletedRun_isVerifiedOnce_andNotAgainBeforeTheInterval_butANewerRunIsAfterIt() throws Exception {
    String first = run("db", RunState.RUN_COMPLETED);
    pass.start();
    lane.drain();
    assertThat(restores.asked).containsExactly("db/" + first);

    lane.advance(PASS); // going: not started twice
    assertThat(restores.asked).hasSize(1);
    restores.finish(first, Verification.VERIFIED);
    BackupRun verified = record(first);
    assertThat(verified.getLastVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(verified.getLastVerifiedAtMillis()).isEqualTo(lane.millis());

    lane.advance(EVERY.multipliedBy(2)); // the newest is verified: nothing however long
    assertThat(restores.asked).hasSize(1);

    lane.advance(Duration.ofHours(1));
    String second = run("db", RunState.RUN_COMPLETED);
    assertThat(pass.passNow().get("db").action()).isEqualTo(VerifyPlanner.Action.VERIFY);
    restores.finish(second, Verification.VERIFIED);
    Instant verifiedAt = lane.instant();

    lane.advance(Duration.ofMinutes(1));
    String third = run("db", RunState.RUN_COMPLETED); // within the interval of the last verification
    Map<String, VerifyPlanner.Decision> now = pass.passNow();
    assertThat(now.get("db").action()).isEqualTo(VerifyPlanner.Action.WAIT);
    assertThat(now.get("db").why()).contains("next at " + verifiedAt.plus(EVERY));
    lane.advance(EVERY.minus(Duration.ofMinutes(2)));
    assertThat(restores.asked).containsExactly("db/" + first, "db/" + second);
    lane.advance(PASS);
    assertThat(restores.asked).containsExactly("db/" + first, "db/" + second, "db/" + third);
  }

  @Test
  void aGroupWithoutAPolicy_isNeverVerified() throws Exception {
    groups.put(Fakes.group("logs", "repo", "a1"));
    String logs = run("logs", RunState.RUN_COMPLETED);
    String db = run("db", RunState.RUN_COMPLETED);
    pass.start();
    lane.advance(EVERY.multipliedBy(3));
    assertThat(restores.asked).containsExactly("db/" + db);
    assertThat(pass.passNow()).doesNotContainKey("logs");
    assertThat(record(logs).getLastVerification()).isEqualTo(Verification.VERIFICATION_UNSPECIFIED);
  }

  @Test
  void onlyTheNewestCompletedRun_isVerified_notAFailedOrPartialOne() throws Exception {
    String completed = run("db", RunState.RUN_COMPLETED);
    lane.advance(Duration.ofMinutes(5));
    run("db", RunState.RUN_PARTIALLY_FAILED);
    run("db", RunState.RUN_FAILED);
    assertThat(pass.passNow().get("db").runId()).isEqualTo(completed);
    assertThat(restores.asked).containsExactly("db/" + completed);
  }

  @Test
  void aFailingVerdict_isRecorded_andTriedAgainOnlyAfterTheInterval() throws Exception {
    String id = run("db", RunState.RUN_COMPLETED);
    pass.start();
    lane.drain();
    restores.finish(id, Verification.VERIFICATION_FAILED);
    BackupRun failed = record(id);
    assertThat(failed.getLastVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(failed.getLastVerificationReason()).isEqualTo("a1:data: contents differ");
    Instant failedAt = lane.instant();

    lane.advance(EVERY.minus(PASS)); // every pass in between looks, none starts
    assertThat(restores.asked).containsExactly("db/" + id);
    lane.advance(PASS.multipliedBy(2));
    assertThat(restores.asked).containsExactly("db/" + id, "db/" + id);
    assertThat(lane.instant()).isAfterOrEqualTo(failedAt.plus(EVERY));
  }

  @Test
  void aRefusedAttempt_isTriedAgainAfterAPause_notAtEveryPass() throws Exception {
    String id = run("db", RunState.RUN_COMPLETED);
    restores.refuseWith = "agent a2 is not registered (down?): nothing was restored";
    pass.start();
    lane.drain();
    assertThat(restores.asked).hasSize(1);
    lane.advance(VerifyPass.REFUSED_RETRY.minus(Duration.ofMinutes(1)));
    assertThat(restores.asked).as("not retried at each pass").hasSize(1);
    restores.refuseWith = null;
    lane.advance(PASS);
    assertThat(restores.asked).containsExactly("db/" + id, "db/" + id);
    assertThat(restores.going).containsOnlyKeys(id);
  }

  @Test
  void nothingStarts_whileARunOfTheGroupIsGoing_andItIsVerifiedOnceThatEnds() throws Exception {
    String done = run("db", RunState.RUN_COMPLETED);
    lane.advance(Duration.ofMinutes(1));
    String going = run("db", RunState.RUN_EXPORTING);
    pass.start();
    lane.advance(PASS.multipliedBy(3));
    assertThat(restores.asked).isEmpty();
    Map<String, VerifyPlanner.Decision> now = pass.passNow();
    assertThat(now.get("db").action()).isEqualTo(VerifyPlanner.Action.WAIT);
    assertThat(now.get("db").why()).isEqualTo("backup run " + going + " of the group is going");

    zk.store.adopt(going);
    zk.store.update(record(going).toBuilder().setState(RunState.RUN_COMPLETED).setEpoch(term.epoch()).build(),
        term.fence());
    zk.store.release(going);
    pass.poke(); // as the run's end does
    lane.drain();
    assertThat(restores.asked).containsExactly("db/" + going).doesNotContain("db/" + done);
  }

  @Test
  void aCoordinatorThatDoesNotLead_doesNothing_andASuccessorDecidesFromTheRecords() throws Exception {
    String id = run("db", RunState.RUN_COMPLETED);
    acting.set(null);
    pass.start();
    lane.advance(EVERY);
    assertThat(pass.passNow()).isEmpty();
    assertThat(restores.asked).isEmpty();

    // the predecessor verified a run a moment ago: its successor (a new pass, no memory) waits out the interval
    pass.close();
    acting.set(term);
    lane.advance(Duration.ofMinutes(1));
    String newer = run("db", RunState.RUN_COMPLETED);
    restores.verdicts.record(id, RestoreGroupSnapshotResponse.newBuilder()
        .setVerification(Verification.VERIFIED).build(), lane.millis());
    VerifyPass successor = new VerifyPass(groups, zk.store, restores, () -> Optional.ofNullable(acting.get()), lane,
        lane, PASS);
    try {
      assertThat(successor.passNow().get("db").action()).isEqualTo(VerifyPlanner.Action.WAIT);
      assertThat(restores.asked).isEmpty();
      lane.advance(EVERY);
      assertThat(successor.passNow().get("db").runId()).isEqualTo(newer);
      assertThat(restores.asked).containsExactly("db/" + newer);
    } finally {
      successor.close();
    }
  }

  @Test
  void oneVerificationAtATimePerGroup_butGroupsDoNotWaitForEachOther() throws Exception {
    groups.put(withPolicy(Fakes.group("logs", "repo", "a3"), Duration.ofHours(1)));
    String db = run("db", RunState.RUN_COMPLETED);
    String logs = run("logs", RunState.RUN_COMPLETED);
    pass.start();
    lane.advance(Duration.ofHours(5));
    assertThat(restores.asked).containsExactlyInAnyOrder("db/" + db, "logs/" + logs);
    assertThat(pass.passNow().get("db").why()).isEqualTo("the verification of " + db + " is going");
  }
}
