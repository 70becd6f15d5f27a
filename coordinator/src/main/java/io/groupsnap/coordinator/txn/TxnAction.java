package io.groupsnap.coordinator.txn;

import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberState;
import java.time.Duration;

/** Outputs of the {@link Transaction} state machine, carried out by a driver that reports back with events. */
public sealed interface TxnAction {
  /** Phases a request to an agent can belong to. */
  enum Call { PREPARE, FREEZE, THAW, COMMIT, ABORT }

  /**
   * Write the transaction record. With {@code state == COMMITTING} the write is the commit point: the record becomes
   * COMMITTED and the manifest is created under {@code snapshots/}, in one fenced multi-op.
   */
  record Persist(TxnState state, GroupSnapshot record) implements TxnAction {}

  /** Send one request to one member; the answer (or the failure) comes back as an event. */
  record Send(Call call, Member member) implements TxnAction {}

  /** Report {@link TxnEvent.DeadlinePassed} for {@code state} after {@code after}. */
  record ArmDeadline(TxnState state, Duration after) implements TxnAction {}

  /** The transaction entered a state; for operators watching. */
  record PhaseChanged(TxnState state, String detail) implements TxnAction {}

  /** A member moved on; for operators watching. */
  record MemberChanged(String agentId, MemberState state, String detail) implements TxnAction {}

  /** The transaction is over (or this leader can do no more): the final record. */
  record Finish(GroupSnapshot result) implements TxnAction {}
}
