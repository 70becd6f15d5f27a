package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.resolve.ResolutionListener;
import io.groupsnap.proto.v1.GroupSnapshot;

/**
 * What one coordinator process's production {@code Resolver} does, counted in {@link SimStats} and noted in the
 * trace: the simulation's {@link ResolutionListener}.
 */
final class SimResolutions implements ResolutionListener {
  private final World w;
  private final String owner;

  SimResolutions(World w, String owner) {
    this.w = w;
    this.owner = owner;
  }

  @Override
  public void aborting(Pass pass, GroupSnapshot record) {
    acted(pass, SimStats.Outcome.RECOVERY_ABORTS);
    w.note(owner + " aborts " + record.getId() + " left " + record.getState() + " by epoch " + record.getEpoch()
        + by(pass));
  }

  @Override
  public void finishingCommit(Pass pass, GroupSnapshot record) {
    acted(pass, SimStats.Outcome.RECOVERY_COMMITS_RESENT);
    w.note(owner + " finishes the commit of " + record.getId() + by(pass));
  }

  @Override
  public void finalized(Pass pass, String id) {
    w.stats.count(SimStats.Outcome.RECOVERY_FINALIZED);
    w.note(owner + ": every member confirmed the commit of " + id + "; finalized");
  }

  @Override
  public void finishingDeletion(Pass pass, GroupSnapshot record) {
    if (pass.periodic()) {
      w.stats.count(SimStats.Outcome.RESOLVED_BY_THE_LEADER_PERIODICALLY);
    }
    w.note(owner + " finishes the deletion of " + record.getId() + by(pass));
  }

  @Override
  public void deletionFinished(Pass pass, String id) {
    w.stats.count(SimStats.Outcome.RECOVERY_DELETIONS_FINISHED);
    w.note(owner + ": deletion of " + id + " finished");
  }

  @Override
  public void couldNotResolve(Pass pass, String what, String id, Throwable why) {
    w.note(owner + ": could not " + what + " " + id + " now: " + why.getMessage());
  }

  @Override
  public void unresolved(Pass pass, int records) {
    w.note(owner + ": " + records + " record(s) left unresolved at epoch " + pass.epoch());
  }

  @Override
  public void attemptFailed(Pass pass, int attempt, int attempts, Throwable why) {
    if (attempt < attempts) {
      w.stats.count(SimStats.Outcome.RECOVERY_RETRIES);
    }
    w.note(owner + ": recovery attempt " + attempt + " of " + attempts + " failed (" + why.getMessage() + ")");
  }

  @Override
  public void gaveUp(Pass pass) {
    w.stats.count(SimStats.Outcome.LEADERSHIP_GIVEN_BACK);
    w.note(owner + ": recovery at epoch " + pass.epoch() + " kept failing; gives leadership back");
  }

  @Override
  public void passFailed(Pass pass, Throwable why) {
    w.note(owner + ": periodic resolution failed (" + why.getMessage() + ")");
  }

  private void acted(Pass pass, SimStats.Outcome what) {
    w.stats.count(what);
    if (pass.periodic()) {
      w.stats.count(SimStats.Outcome.RESOLVED_BY_THE_LEADER_PERIODICALLY);
    }
  }

  private static String by(Pass pass) {
    return pass.periodic() ? " (periodic resolution)" : " (recovery)";
  }
}
