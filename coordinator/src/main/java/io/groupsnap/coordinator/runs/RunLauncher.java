package io.groupsnap.coordinator.runs;

import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.RunTrigger;

/**
 * Starts backup runs on the leader: what schedules (and the backup service) call. The run then proceeds on its own
 * (group snapshot with retries, exports, its end state); its record in {@code runs/<id>} says how far it is.
 */
public interface RunLauncher {
  /**
   * Starts a run of a group with the given id. Checks everything that can be checked before a freeze: an unknown
   * group, a required member not registered, a member without the export target fail here, and nothing starts.
   *
   * @param runId the run's id (run-YYYYMMDD-HHMMSS-xxxxxx); a schedule derives it from its tick so that a tick
   *     launched twice (a leader lost between launching and recording the tick) starts one run
   * @param scheduledForMillis the schedule's tick, 0 for a manual run
   * @return the run's first record
   * @throws RunInProgressException when a run of the group is still going (a schedule counts the tick as skipped)
   * @throws io.groupsnap.coordinator.api.AlreadyExistsException when {@code runId} exists already
   * @throws IllegalArgumentException for an unknown group or a problem found before the freeze (one line, naming it)
   * @throws io.groupsnap.coordinator.api.NotLeaderException when this coordinator is not the recovered leader
   */
  BackupRun launch(String group, String runId, RunTrigger trigger, long scheduledForMillis) throws Exception;

  /** Thrown when a group's previous run has not ended. */
  final class RunInProgressException extends IllegalStateException {
    private final String runId;

    public RunInProgressException(String group, String runId) {
      super("a run of group " + group + " is still going: " + runId);
      this.runId = runId;
    }

    public String runId() {
      return runId;
    }
  }
}
