package io.groupsnap.coordinator.restores;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.runs.RunRecords;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import java.util.Optional;

/**
 * Test restore verdicts recorded on the runs' records ({@code runs/<id>}: last_verification and its time, reason and
 * duration), written like every run record: by the acting leader, fenced by its term. Only a finished run is written
 * (a run still going belongs to its driver, whose next write would otherwise be refused); a retention or deletion
 * that adopted the record just before loses its write and finishes when it runs again. Thread-safe (one write at a
 * time).
 */
public final class RunVerdicts implements VerdictLog {
  private final RunStore store;
  private final Terms term;
  private final String coordinatorId;
  private final java.util.function.Consumer<Boolean> counted;

  /** The acting leader's term; throws when this coordinator does not lead. */
  @FunctionalInterface
  public interface Terms {
    Leadership.Term get() throws Exception;
  }

  /**
   * @param coordinatorId this coordinator, as the records name their last writer
   * @param counted told of every verdict: true for VERIFIED (the metrics)
   */
  public RunVerdicts(RunStore store, Terms term, String coordinatorId, java.util.function.Consumer<Boolean> counted) {
    this.counted = counted;
    this.store = store;
    this.term = term;
    this.coordinatorId = coordinatorId;
  }

  @Override
  public void judged(RestoreGroupSnapshotResponse verdict) {
    counted.accept(verdict.getVerification() == io.groupsnap.proto.v1.Verification.VERIFIED);
  }

  @Override
  public synchronized boolean record(String runId, RestoreGroupSnapshotResponse verdict, long atMillis)
      throws Exception {
    Leadership.Term t = term.get();
    try {
      Optional<BackupRun> run = store.adopt(runId);
      if (run.isEmpty() || !RunRecords.ended(run.get().getState())) {
        return false;
      }
      store.update(run.get().toBuilder().setLastVerification(verdict.getVerification())
          .setLastVerifiedAtMillis(atMillis).setLastVerificationReason(verdict.getVerificationReason())
          .setLastVerificationDurationMillis(verdict.getDurationMillis()).setEpoch(t.epoch())
          .setCoordinator(coordinatorId).build(), t.fence());
      return true;
    } finally {
      store.release(runId);
    }
  }
}
