package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;

/** Inputs of the {@link Transaction} state machine. */
public sealed interface TxnEvent {
  /** A {@link TxnAction.Persist} completed. */
  record Persisted(TxnState state) implements TxnEvent {}

  /**
   * A {@link TxnAction.Persist} failed: definitely not applied (fenced, refused), or — {@code definite} false — with
   * an unknown outcome.
   */
  record PersistFailed(TxnState state, String error, boolean definite) implements TxnEvent {
    public PersistFailed(TxnState state, String error) {
      this(state, error, true);
    }
  }

  record PrepareAnswered(String agentId, PrepareReply reply) implements TxnEvent {}

  record FreezeAnswered(String agentId, FreezeReply reply) implements TxnEvent {}

  record ThawAnswered(String agentId, ThawReply reply) implements TxnEvent {}

  record CommitAnswered(String agentId, Ack ack) implements TxnEvent {}

  record AbortAnswered(String agentId, Ack ack) implements TxnEvent {}

  /** The deadline armed for {@code state} ran out. Ignored unless the transaction is still in that state. */
  record DeadlinePassed(TxnState state) implements TxnEvent {}

  /** This coordinator is no longer the leader: issue nothing more. */
  record LeadershipLost(String why) implements TxnEvent {}
}
