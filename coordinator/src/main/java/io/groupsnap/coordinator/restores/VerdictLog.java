package io.groupsnap.coordinator.restores;

import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;

/**
 * Where the leader keeps a test restore's verdict: on a backup run's record, and counted (production:
 * {@link RunVerdicts}).
 */
@FunctionalInterface
public interface VerdictLog {
  /** Records nothing. */
  VerdictLog NONE = (runId, verdict, atMillis) -> false;

  /**
   * Records the verdict (verification, reason, duration) as the run's last verification.
   *
   * @return whether it was recorded (false: no such run, or the run has not finished, so its driver still writes it)
   */
  boolean record(String runId, RestoreGroupSnapshotResponse verdict, long atMillis) throws Exception;

  /** Every verdict reached, recorded or not (for the metrics); by default nothing. */
  default void judged(RestoreGroupSnapshotResponse verdict) {}
}
