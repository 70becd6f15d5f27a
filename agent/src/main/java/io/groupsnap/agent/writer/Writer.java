package io.groupsnap.agent.writer;

import java.time.Instant;
import java.util.Set;

/**
 * An application taking part in group snapshots: it prepares, holds its writes while frozen, and resumes on thaw.
 *
 * <p>Writers are frozen in ascending {@link #tier()} order (applications before file systems) and thawed in reverse.
 * Each call is bounded by the writer's own timeout; the agent's lease watchdog bounds the hold as a whole. Calls for one
 * transaction come from one thread at a time, except {@link #thaw} which the watchdog may call at any moment.
 */
public interface Writer {
  String name();

  String kind();

  int tier();

  /** The volumes this writer writes to; empty means every volume of the agent. */
  Set<String> volumes();

  /** Checks the writer can take part and lets it do slow preparation work (a checkpoint). Nothing is held yet. */
  WriterResult prepare(TxnContext txn);

  /**
   * Returns once the application has completed its in-flight updates and holds its writes. The application must
   * release by itself at {@code leaseDeadline} even if thaw never comes.
   */
  WriterResult freeze(TxnContext txn, Instant leaseDeadline);

  /**
   * Releases the hold. The result is OK only if the writer held without interruption since its freeze answer; any
   * other answer marks the hold as broken.
   */
  WriterResult thaw(TxnContext txn);

  /** The transaction was aborted: release anything prepared or held. Never throws. */
  void abort(TxnContext txn);

  /**
   * The group snapshot was committed: the captures taken while this writer held are kept. Called once per
   * transaction, after its THAW, for writers that want to know (an application that keeps a log of its consistent
   * points); must return quickly and never throw. Does nothing by default.
   */
  default void committed(TxnContext txn) {}

  /**
   * An in-place restore is about to replace the data of the volumes in {@code restore} (those of this writer's that
   * are restored): get the application out of the way — stop it, or have it close its files — and answer OK; any
   * other answer refuses the restore, and no member's data is replaced. Nothing has changed yet. The default
   * refuses: a writer that cannot stop its application must not have the data replaced under it.
   */
  default WriterResult preRestore(RestoreContext restore) {
    return WriterResult.nonRetryable(kind() + " writer " + name() + " cannot stop its application for an in-place "
        + "restore");
  }

  /**
   * The restore ended: {@code restored} true when the volumes now hold the restored data, false when the old data was
   * put back. Start the application again on what is there. Called exactly once after every {@link #preRestore}
   * that was called, whatever it answered. The default does nothing.
   */
  default WriterResult postRestore(RestoreContext restore, boolean restored) {
    return WriterResult.OK;
  }

  /**
   * The transaction being worked on.
   *
   * @param txnId group snapshot id
   * @param epoch the leader's epoch
   * @param volumes the names of the agent's volumes in this transaction
   */
  record TxnContext(String txnId, long epoch, Set<String> volumes) {}

  /**
   * An in-place restore being worked on.
   *
   * @param restoreId the restore's id
   * @param groupSnapshotId the group snapshot whose data is restored
   * @param epoch the leader's epoch
   * @param volumes the names of this agent's volumes being restored
   */
  record RestoreContext(String restoreId, String groupSnapshotId, long epoch, Set<String> volumes) {}
}
