package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.AgentClient;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's {@link AgentClient} in the simulation: every call goes over the unreliable {@link Network} to the real
 * agent {@code Participant} and ends exactly once, with the answer or the negative reply of a failed call, as {@code
 * GrpcAgentClient}'s futures do. The futures complete on the event loop; answers to a dead process never come.
 */
final class SimAgentClient implements AgentClient {
  private final World w;
  private final Network.Caller owner;

  SimAgentClient(World w, Network.Caller owner) {
    this.w = w;
    this.owner = owner;
  }

  @Override
  public CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member member) {
    return call(new Request(Call.PREPARE, spec, member, ""), PrepareReply.class);
  }

  @Override
  public CompletableFuture<FreezeReply> freeze(TxnSpec spec, Member member) {
    return call(new Request(Call.FREEZE, spec, member, ""), FreezeReply.class);
  }

  @Override
  public CompletableFuture<ThawReply> thaw(TxnSpec spec, Member member) {
    return call(new Request(Call.THAW, spec, member, ""), ThawReply.class);
  }

  @Override
  public CompletableFuture<Ack> commit(TxnSpec spec, Member member) {
    return call(new Request(Call.COMMIT, spec, member, ""), Ack.class);
  }

  @Override
  public CompletableFuture<Ack> abort(TxnSpec spec, Member member, String reason) {
    return call(new Request(Call.ABORT, spec, member, reason), Ack.class);
  }

  @Override
  public CompletableFuture<Replies.Deleted> delete(TxnSpec spec, Member member) {
    return call(new Request(Request.Kind.DELETE, spec, member, ""), Ack.class)
        .thenApply(a -> a.ok() ? Replies.Deleted.of(member.volumes().size())
            : Replies.Deleted.failed(a.failure(), a.error()));
  }

  private <T> CompletableFuture<T> call(Request req, Class<T> type) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    w.network.call(owner, req, req.deadline(), reply -> answer.complete(type.cast(reply)));
    return answer;
  }
}
