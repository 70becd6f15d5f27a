package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.util.concurrent.CompletableFuture;

/**
 * How the leader talks to agents, as domain calls. Each call carries the spec's cluster id, epoch and txn id and is
 * bounded by {@link TxnSpec#callDeadline} for its phase (later than the phase's own deadline, which the transaction's
 * timer enforces). The futures never fail: a call that brought no answer completes with the negative answer ({@code
 * failed(...)}) whose {@link Replies.Failure} says why, carrying the details as its reason.
 */
public interface AgentClient {
  CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member member);

  CompletableFuture<FreezeReply> freeze(TxnSpec spec, Member member);

  CompletableFuture<ThawReply> thaw(TxnSpec spec, Member member);

  CompletableFuture<Ack> commit(TxnSpec spec, Member member);

  CompletableFuture<Ack> abort(TxnSpec spec, Member member, String reason);

  /**
   * Deletes the member's captures of the committed group snapshot {@code spec.txnId()} (a deletion runs under the
   * leader's epoch in {@code spec}); bounded by {@link TxnSpec#deleteDeadline}.
   */
  CompletableFuture<Replies.Deleted> delete(TxnSpec spec, Member member);
}
