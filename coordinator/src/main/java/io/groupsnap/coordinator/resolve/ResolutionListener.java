package io.groupsnap.coordinator.resolve;

import io.groupsnap.proto.v1.GroupSnapshot;

/**
 * What the {@link Resolver} reports as it goes: the daemon logs it ({@link ResolutionLog}), the simulation counts it.
 * Called on the resolver's lane, one call at a time; a listener must not block. Every method does nothing unless
 * overridden.
 */
public interface ResolutionListener {
  /**
   * One pass over the unfinished records.
   *
   * @param epoch the term's epoch
   * @param kind a new leader's recovery, or the leader's periodic pass
   */
  record Pass(long epoch, Kind kind) {
    /** Why the pass runs. */
    public enum Kind { RECOVERY, PERIODIC }

    public boolean periodic() {
      return kind == Kind.PERIODIC;
    }
  }

  /** An undecided record is being aborted on its members. */
  default void aborting(Pass pass, GroupSnapshot record) {}

  /** COMMIT is sent again to the members of a committed record not yet finalized. */
  default void finishingCommit(Pass pass, GroupSnapshot record) {}

  /** Every member confirmed the commit: the record was written finalized. */
  default void finalized(Pass pass, String id) {}

  /** A deletion left half-way is being finished. */
  default void finishingDeletion(Pass pass, GroupSnapshot record) {}

  /** Every capture of a deleted group snapshot is gone: the record was written DELETED. */
  default void deletionFinished(Pass pass, String id) {}

  /**
   * One record could not be resolved now (an agent did not answer, a write's outcome is unknown, the record cannot be
   * acted on); the others go on, and the next pass tries again.
   *
   * @param what what was tried: "abort", "finish the commit of", "finish the deletion of"
   */
  default void couldNotResolve(Pass pass, String what, String id, Throwable why) {}

  /** The pass ended with this many records left unresolved (more than 0). */
  default void unresolved(Pass pass, int records) {}

  /** A recovery attempt failed (a fenced write, the store unreadable); another follows unless it was the last. */
  default void attemptFailed(Pass pass, int attempt, int attempts, Throwable why) {}

  /** Every recovery attempt failed: the leader gives leadership back. */
  default void gaveUp(Pass pass) {}

  /** A periodic pass ended early (a fenced write, the store unreadable); the next one tries again. */
  default void passFailed(Pass pass, Throwable why) {}
}
