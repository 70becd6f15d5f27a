package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberState;

/**
 * Watches one transaction of a simulated coordinator's real {@code TransactionDriver}, as an operator's CLI does: its
 * phases go into the trace, and once it is over its outcome is counted. The last phase is the transaction's final
 * state (every move is reported); IN_DOUBT is told apart by the record the driver completes with: abandoned before
 * the decision when leadership was lost ({@link AbortCause#ABORT_LEADER_LOST}), else the commit's outcome is unknown.
 * Called on the coordinator's lane; single-threaded like the rest of the simulation.
 */
final class SimTxnProgress implements TransactionDriver.Progress {
  private final World w;
  private final String owner;
  private TxnState last;

  SimTxnProgress(World w, String owner) {
    this.w = w;
    this.owner = owner;
  }

  @Override
  public void phase(String txnId, TxnState state, String detail) {
    last = state;
    w.note(owner + ": " + txnId + " " + state + " (" + detail + ")");
  }

  @Override
  public void member(String txnId, String agentId, MemberState state, String detail) {}

  /** The driver completed {@code txnId} with its final {@code record}: counts and notes the outcome. */
  void finished(String txnId, GroupSnapshot record) {
    w.stats.count(outcome(record));
    w.note(owner + ": " + txnId + " finished " + last + " (record " + record.getState() + ")");
  }

  private SimStats.Outcome outcome(GroupSnapshot record) {
    if (last == null || !last.isFinal()) {
      throw new IllegalStateException("transaction " + record.getId() + " finished in phase " + last);
    }
    return switch (last) {
      case COMMITTED -> SimStats.Outcome.COMMITTED;
      case ABORTED -> SimStats.Outcome.ABORTED;
      default -> record.getAbortCause() == AbortCause.ABORT_LEADER_LOST
          ? SimStats.Outcome.ABANDONED_ON_LEADERSHIP_LOSS : SimStats.Outcome.IN_DOUBT;
    };
  }
}
