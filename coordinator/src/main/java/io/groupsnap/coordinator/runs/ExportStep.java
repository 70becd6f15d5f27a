package io.groupsnap.coordinator.runs;

import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.SnapshotAttempt;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * EXPORTING: each agent of the committed group snapshot exports its captures, at most
 * {@link RunOptions#maxConcurrentExports} agents at once across every run ({@link ExportSlots}). An agent is sent
 * StartExport (again, after a leader change: idempotent on the agent), then asked for its progress every poll
 * interval until each of its members is DONE or FAILED. An agent that cannot be reached is tried again at every poll
 * until the export deadline (counted from the commit); past it, what is not finished fails with the reason. Member
 * state changes are written at once, progress at most every {@link RunOptions#progressWriteInterval}. On the lane.
 */
final class ExportStep {
  private final RunDriver d;
  private final ExportSlots slots;

  ExportStep(RunDriver d, ExportSlots slots) {
    this.d = d;
    this.slots = slots;
  }

  void begin(ActiveRun a) {
    if (finishIfDone(a)) {
      return;
    }
    long left = deadline(a) - d.clock.millis();
    if (left <= 0) {
      expire(a);
      return;
    }
    d.later(a, Duration.ofMillis(left), () -> expire(a));
    for (String agent : agents(a.run)) {
      List<MemberExport> of = membersOf(a.run, agent);
      if (of.stream().allMatch(e -> RunRecords.finished(e.getState()))) {
        continue;
      }
      boolean wasRunning = of.stream().anyMatch(e -> e.getState() == ExportState.EXPORT_RUNNING);
      slots.request(key(a, agent), wasRunning, () -> d.onLane(a, () -> {
        a.slots.add(agent);
        start(a, agent);
      }));
    }
  }

  /** The run stopped here: its slots go to others. */
  void released(ActiveRun a) {
    slots.releaseAll(a.id() + "/");
    a.slots.clear();
  }

  private void start(ActiveRun a, String agent) {
    List<String> volumes = membersOf(a.run, agent).stream().map(MemberExport::getVolume).toList();
    ExportClient.Order order = new ExportClient.Order(d.clusterId, a.term.epoch(), a.run.getGroupSnapshotId(),
        a.id(), a.run.getGroup(), a.run.getExportTarget(), volumes);
    d.exports.start(agent, order).whenComplete((ans, e) -> d.onLane(a, () -> started(a, agent, answer(ans, e))));
  }

  private void started(ActiveRun a, String agent, ExportClient.Answer ans) {
    if (ans.kind() == ExportClient.Kind.ANSWERED) {
      BackupRun.Builder b = a.run.toBuilder();
      for (int i = 0; i < b.getExportsCount(); i++) {
        MemberExport e = b.getExports(i);
        if (e.getAgentId().equals(agent) && e.getState() == ExportState.EXPORT_PENDING) {
          b.setExports(i, e.toBuilder().setState(ExportState.EXPORT_RUNNING).setAttempts(e.getAttempts() + 1));
        }
      }
      RunRecords.event(b, d.clock.millis(), "export started on agent " + agent);
      a.unreachable.remove(agent);
      if (d.save(a, b)) {
        merge(a, agent, ans.exports());
      }
      return;
    }
    answeredOtherwise(a, agent, ans, () -> start(a, agent));
  }

  private void poll(ActiveRun a, String agent) {
    d.exports.get(agent, a.id()).whenComplete((ans, e) -> d.onLane(a, () -> polled(a, agent, answer(ans, e))));
  }

  private void polled(ActiveRun a, String agent, ExportClient.Answer ans) {
    switch (ans.kind()) {
      case ANSWERED -> merge(a, agent, ans.exports());
      case UNKNOWN_RUN -> {
        note(a, agent, "agent " + agent + " does not know the run (" + ans.reason() + "); starting it again");
        start(a, agent);
      }
      default -> answeredOtherwise(a, agent, ans, () -> poll(a, agent));
    }
  }

  private void answeredOtherwise(ActiveRun a, String agent, ExportClient.Answer ans, Runnable retry) {
    if (ans.kind() == ExportClient.Kind.REFUSED) {
      fail(a, agent, ans.reason());
      return;
    }
    if (!ans.reason().equals(a.unreachable.put(agent, ans.reason()))) {
      note(a, agent, "agent " + agent + " unreachable: " + ans.reason() + "; trying again until the export deadline");
    }
    d.later(a, d.options.pollInterval(), retry);
  }

  private void note(ActiveRun a, String agent, String message) {
    BackupRun.Builder b = a.run.toBuilder();
    RunRecords.event(b, d.clock.millis(), message);
    d.save(a, b);
  }

  /** Copies an agent's answer into the record; writes at once on a state change, else at most every interval. */
  private void merge(ActiveRun a, String agent, List<MemberExport> answer) {
    BackupRun.Builder b = a.run.toBuilder();
    boolean changed = false;
    boolean progressed = false;
    for (MemberExport got : answer) {
      for (int i = 0; i < b.getExportsCount(); i++) {
        MemberExport e = b.getExports(i);
        if (!e.getAgentId().equals(agent) || !e.getVolume().equals(got.getVolume())
            || RunRecords.finished(e.getState())) {
          continue;
        }
        MemberExport next = e.toBuilder().setState(got.getState() == ExportState.EXPORT_STATE_UNSPECIFIED
                ? e.getState() : got.getState())
            .setBytesDone(got.getBytesDone()).setBytesTotal(got.getBytesTotal()).setFilesDone(got.getFilesDone())
            .setFilesTotal(got.getFilesTotal()).setStartedAtMillis(got.getStartedAtMillis())
            .setFinishedAtMillis(got.getFinishedAtMillis()).setRepositorySnapshotId(got.getRepositorySnapshotId())
            .setError(RunRecords.line(got.getError())).build();
        if (next.getState() != e.getState()) {
          changed = true;
          RunRecords.event(b, d.clock.millis(), "export of " + agent + ":" + e.getVolume() + " "
              + next.getState().name().substring("EXPORT_".length()).toLowerCase(java.util.Locale.ROOT)
              + (next.getError().isEmpty() ? "" : ": " + next.getError()));
        } else if (!next.equals(e)) {
          progressed = true;
        }
        b.setExports(i, next);
      }
    }
    boolean agentDone = membersOf(b.build(), agent).stream().allMatch(e -> RunRecords.finished(e.getState()));
    boolean due = d.clock.millis() - a.lastWriteMillis >= d.options.progressWriteInterval().toMillis();
    if (changed || agentDone || (progressed && due)) {
      if (!d.save(a, b)) {
        return;
      }
    } else if (progressed) {
      a.run = b.build(); // kept here, written with the next state change or once the interval passed
    }
    if (agentDone) {
      done(a, agent);
    } else {
      d.later(a, d.options.pollInterval(), () -> poll(a, agent));
    }
  }

  private void fail(ActiveRun a, String agent, String reason) {
    BackupRun.Builder b = a.run.toBuilder();
    failMembers(b, agent, reason);
    RunRecords.event(b, d.clock.millis(), "export on agent " + agent + " failed: " + reason);
    if (d.save(a, b)) {
      done(a, agent);
    }
  }

  private void failMembers(BackupRun.Builder b, String agent, String reason) {
    for (int i = 0; i < b.getExportsCount(); i++) {
      MemberExport e = b.getExports(i);
      if ((agent == null || e.getAgentId().equals(agent)) && !RunRecords.finished(e.getState())) {
        b.setExports(i, e.toBuilder().setState(ExportState.EXPORT_FAILED).setError(RunRecords.line(reason))
            .setFinishedAtMillis(d.clock.millis()));
      }
    }
  }

  private void done(ActiveRun a, String agent) {
    a.slots.remove(agent);
    slots.release(key(a, agent));
    finishIfDone(a);
  }

  private boolean finishIfDone(ActiveRun a) {
    if (!a.run.getExportsList().stream().allMatch(e -> RunRecords.finished(e.getState()))) {
      return false;
    }
    var end = RunRecords.endOf(a.run.getExportsList());
    d.end(a, a.run.toBuilder(), end, end == io.groupsnap.proto.v1.RunState.RUN_COMPLETED ? ""
        : RunRecords.failureReason(a.run.getExportsList()));
    return true;
  }

  /** The export deadline passed: what is not finished fails, naming why. */
  private void expire(ActiveRun a) {
    long hours = d.options.exportDeadline().toMinutes();
    String why = "not finished within the export deadline (" + hours + "m after the commit)";
    BackupRun.Builder b = a.run.toBuilder();
    for (int i = 0; i < b.getExportsCount(); i++) {
      MemberExport e = b.getExports(i);
      String last = a.unreachable.get(e.getAgentId());
      if (!RunRecords.finished(e.getState())) {
        b.setExports(i, e.toBuilder().setState(ExportState.EXPORT_FAILED).setFinishedAtMillis(d.clock.millis())
            .setError(RunRecords.line(last == null ? why : why + "; agent unreachable: " + last)));
      }
    }
    RunRecords.event(b, d.clock.millis(), "export deadline passed");
    if (d.save(a, b)) {
      released(a);
      finishIfDone(a);
    }
  }

  private long deadline(ActiveRun a) {
    long committedAt = a.run.getAttemptsList().stream()
        .filter(x -> x.getGroupSnapshotId().equals(a.run.getGroupSnapshotId()))
        .mapToLong(SnapshotAttempt::getFinishedAtMillis).findFirst().orElse(a.run.getCreatedAtMillis());
    return committedAt + d.options.exportDeadline().toMillis();
  }

  private static ExportClient.Answer answer(ExportClient.Answer ans, Throwable e) {
    if (e != null || ans == null) {
      return ExportClient.Answer.unreachable(e == null ? "no answer" : SnapshotStep.message(e));
    }
    return ans;
  }

  private static Set<String> agents(BackupRun r) {
    Set<String> out = new LinkedHashSet<>();
    r.getExportsList().forEach(e -> out.add(e.getAgentId()));
    return out;
  }

  static List<MemberExport> membersOf(BackupRun r, String agent) {
    return r.getExportsList().stream().filter(e -> e.getAgentId().equals(agent)).toList();
  }

  private static String key(ActiveRun a, String agent) {
    return a.id() + "/" + agent;
  }
}
