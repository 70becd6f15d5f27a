package io.groupsnap.agent.txn;

/**
 * Told when a {@link FreezeHold} starts and when it has ended (the daemon counts holds in its metrics; tests and the
 * simulation pass {@link #NONE}).
 *
 * <p>{@link #started} runs on the FREEZE's thread as the hold begins, before anything is frozen; {@link #ended} runs
 * once per hold on the releasing thread (THAW's, ABORT's, or the lease watchdog's) after every undo step has run, so
 * after this agent has thawed. Both must be quick, lock-free and free of I/O: another member of the group may still be
 * frozen.
 */
public interface HoldListener {
  /**
   * How a hold ended.
   *
   * @param release what released it
   * @param unbroken released by THAW with every undo step successful
   * @param heldNanos from the hold's start until its undo steps were done
   * @param timeToFrozenNanos from the hold's start until every writer and volume was frozen; -1 when it never was
   */
  record Ended(FreezeHold.Release release, boolean unbroken, long heldNanos, long timeToFrozenNanos) {
    /**
     * Broken: the hold ended before THAW by its lease or a failure, or a THAW's undo step failed. A hold the
     * coordinator ended by ABORT is not broken.
     */
    public boolean broken() {
      return !unbroken && release != FreezeHold.Release.ABORTED;
    }
  }

  void started();

  void ended(Ended how);

  HoldListener NONE = new HoldListener() {
    @Override
    public void started() {}

    @Override
    public void ended(Ended how) {}
  };
}
