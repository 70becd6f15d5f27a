package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.util.concurrent.CompletableFuture;

/**
 * How the leader talks to agents, as domain calls. Each call carries the spec's cluster id, epoch and txn id and is
 * bounded by the spec's deadline for its phase. The futures never fail: a failed or timed-out call completes with the
 * negative answer ({@code failed(...)}) carrying the reason.
 */
public interface AgentClient {
  CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member member);

  CompletableFuture<FreezeReply> freeze(TxnSpec spec, Member member);

  CompletableFuture<ThawReply> thaw(TxnSpec spec, Member member);

  CompletableFuture<Ack> commit(TxnSpec spec, Member member);

  CompletableFuture<Ack> abort(TxnSpec spec, Member member, String reason);
}
