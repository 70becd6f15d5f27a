package io.groupsnap.coordinator.runs;

import io.groupsnap.common.GroupSnapshotIds;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.SnapshotAttempt;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * SNAPSHOTTING: takes the run's group snapshot, one attempt at a time. An attempt is written into the record (with
 * its id) before it starts, so a successor finds it. An aborted attempt is kept with its reason and retried after the
 * group's backoff ({@link RunRecords#backoff}) until its attempts are used up (FAILED). An attempt whose outcome this
 * leader did not see (it lost track, or a predecessor started it) is looked up in ZooKeeper every poll interval until
 * the resolver has decided it, or its snapshot deadline passed. On the driver's lane.
 */
final class SnapshotStep {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RunDriver d;
  private final GroupSnapshots snapshots;
  private final ExportStep exports;

  SnapshotStep(RunDriver d, GroupSnapshots snapshots, ExportStep exports) {
    this.d = d;
    this.snapshots = snapshots;
    this.exports = exports;
  }

  /** Starts or takes up the run's snapshotting where its record says it is. */
  void begin(ActiveRun a) {
    BackupRun r = a.run;
    if (r.getAttemptsCount() > 0) {
      SnapshotAttempt last = r.getAttempts(r.getAttemptsCount() - 1);
      if (!isFinal(last.getState())) {
        await(a, last.getGroupSnapshotId(), null);
        return;
      }
      if (last.getState() == GroupSnapshotState.COMMITTED) {
        snapshots(a, last.getGroupSnapshotId()).ifPresent(g -> committed(a, g));
        return;
      }
    }
    long wait = r.getNextAttemptAtMillis() - d.clock.millis();
    if (wait > 0) {
      d.later(a, Duration.ofMillis(wait), () -> attempt(a));
    } else {
      attempt(a);
    }
  }

  private Optional<GroupSnapshot> snapshots(ActiveRun a, String txnId) {
    try {
      Optional<GroupSnapshot> g = snapshots.find(txnId);
      if (g.isEmpty()) {
        aborted(a, txnId, "its committed group snapshot " + txnId + " is gone");
      }
      return g;
    } catch (Exception e) {
      d.later(a, d.options.pollInterval(), () -> begin(a));
      return Optional.empty();
    }
  }

  private void attempt(ActiveRun a) {
    long now = d.clock.millis();
    String txnId = GroupSnapshotIds.mint(d.clock.instant(), RANDOM);
    int n = a.run.getAttemptsCount() + 1;
    BackupRun.Builder b = a.run.toBuilder().setNextAttemptAtMillis(0).addAttempts(SnapshotAttempt.newBuilder()
        .setGroupSnapshotId(txnId).setState(GroupSnapshotState.PREPARING).setStartedAtMillis(now));
    RunRecords.event(b, now, "snapshot attempt " + n + ": group snapshot " + txnId);
    if (!d.save(a, b)) {
      return;
    }
    CompletableFuture<GroupSnapshot> f;
    try {
      f = snapshots.start(txnId, a.run.getGroup(), a.id());
    } catch (Exception e) {
      aborted(a, txnId, "could not start: " + message(e));
      return;
    }
    f.whenComplete((g, e) -> d.onLane(a, () -> outcome(a, txnId, g, e)));
  }

  private void outcome(ActiveRun a, String txnId, GroupSnapshot g, Throwable e) {
    if (e == null && g != null && g.getState() == GroupSnapshotState.COMMITTED) {
      committed(a, g);
    } else if (e == null && g != null && isFinal(g.getState())) {
      aborted(a, txnId, g.getAbortReason().isEmpty() ? "aborted" : g.getAbortReason());
    } else {
      await(a, txnId, e == null ? null : message(e));
    }
  }

  /** Looks the attempt's outcome up until it is known or its deadline passed. */
  private void await(ActiveRun a, String txnId, String startError) {
    Optional<GroupSnapshot> g;
    try {
      g = snapshots.find(txnId);
    } catch (Exception e) {
      g = null;
    }
    if (g != null && g.isPresent() && g.get().getState() == GroupSnapshotState.COMMITTED) {
      committed(a, g.get());
      return;
    }
    if (g != null && g.isPresent() && isFinal(g.get().getState())) {
      aborted(a, txnId, g.get().getAbortReason().isEmpty() ? g.get().getState().name() : g.get().getAbortReason());
      return;
    }
    if (g != null && g.isEmpty()) {
      aborted(a, txnId, startError != null ? startError
          : "the group snapshot was never begun (the leader changed before it started)");
      return;
    }
    long started = lastAttempt(a).getStartedAtMillis();
    if (d.clock.millis() - started >= d.options.snapshotDeadline().toMillis()) {
      aborted(a, txnId, "no outcome within " + d.options.snapshotDeadline().toMinutes() + "m");
      return;
    }
    d.later(a, d.options.pollInterval(), () -> await(a, txnId, startError));
  }

  private void committed(ActiveRun a, GroupSnapshot g) {
    long now = d.clock.millis();
    BackupRun.Builder b = a.run.toBuilder().setGroupSnapshotId(g.getId()).setNextAttemptAtMillis(0);
    settleLast(b, GroupSnapshotState.COMMITTED, "", now);
    RunRecords.event(b, now, "group snapshot " + g.getId() + " committed");
    if (a.run.getExportTarget().isEmpty()) {
      d.end(a, b, RunState.RUN_COMPLETED, "");
      return;
    }
    b.setState(RunState.RUN_EXPORTING).clearExports().addAllExports(RunRecords.exportsOf(g));
    RunRecords.event(b, now, "exporting " + b.getExportsCount() + " member(s) to " + a.run.getExportTarget());
    if (d.save(a, b)) {
      exports.begin(a);
    }
  }

  private void aborted(ActiveRun a, String txnId, String reason) {
    long now = d.clock.millis();
    String why = RunRecords.line(reason);
    BackupRun.Builder b = a.run.toBuilder();
    settleLast(b, GroupSnapshotState.ABORTED, why, now);
    RetryPolicy p = d.retryOf(a.run.getGroup());
    int done = b.getAttemptsCount();
    int max = RunRecords.maxAttempts(p);
    if (done >= max) {
      d.end(a, b, RunState.RUN_FAILED, "no group snapshot committed in " + done + " attempt(s); last: " + why);
      return;
    }
    Duration pause = RunRecords.backoff(p, done);
    b.setNextAttemptAtMillis(now + pause.toMillis());
    RunRecords.event(b, now, "group snapshot " + txnId + " aborted: " + why + "; attempt " + (done + 1) + " of "
        + max + " in " + pause.toMillis() / 1000.0 + "s");
    if (d.save(a, b)) {
      d.later(a, pause, () -> attempt(a));
    }
  }

  private static void settleLast(BackupRun.Builder b, GroupSnapshotState s, String reason, long now) {
    int last = b.getAttemptsCount() - 1;
    if (last >= 0) {
      b.setAttempts(last, b.getAttempts(last).toBuilder().setState(s).setReason(reason).setFinishedAtMillis(now));
    }
  }

  private static SnapshotAttempt lastAttempt(ActiveRun a) {
    return a.run.getAttempts(a.run.getAttemptsCount() - 1);
  }

  private static boolean isFinal(GroupSnapshotState s) {
    return s == GroupSnapshotState.COMMITTED || s == GroupSnapshotState.ABORTED || s == GroupSnapshotState.DELETED
        || s == GroupSnapshotState.DELETING;
  }

  static String message(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return RunRecords.line(t.getMessage() == null ? t.toString() : t.getMessage());
  }
}
