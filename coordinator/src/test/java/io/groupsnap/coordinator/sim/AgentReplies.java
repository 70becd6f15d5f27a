package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.rpc.AgentGrpcService;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results;
import io.groupsnap.agent.txn.WrongPhaseException;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.Held;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.io.IOException;

/**
 * What the leader makes of a {@link Participant} call: the agent's gRPC edge and the leader's client, without the
 * wire. Results become the domain replies (a COMMIT is confirmed only if the agent kept a capture of every volume
 * asked for); a refused call becomes the negative reply carrying the status, as GrpcAgentClient maps it. A PREPARE or
 * FREEZE of a transaction the agent already aborted fails with ABORTED at the edge: a final NO (a vote), or an error
 * answer to FREEZE ({@link Failure#REFUSED}).
 */
final class AgentReplies {
  private AgentReplies() {}

  /** Calls the participant; its exceptions are left to the caller, which maps them with {@link #failed}. */
  static Object invoke(Participant p, Request r) throws FencedException, WrongPhaseException, IOException {
    String who = "agent " + r.member().agentId() + ": ";
    return switch (r.kind()) {
      case PREPARE -> {
        Results.PrepareResult x = p.prepare(r.ref(), r.member().volumes(), r.spec().lease(),
            r.spec().freezeWithin());
        yield x.vote() == Results.Vote.ABORTED ? new PrepareReply(false, false, who + "ABORTED " + x.reason())
            : new PrepareReply(x.ok(), x.ok() || x.retryable(), x.reason());
      }
      case FREEZE -> {
        Results.FreezeResult x = p.freeze(r.ref(), r.spec().lease());
        if (x.outcome() == Results.FreezeOutcome.ABORTED) {
          yield FreezeReply.failed(Failure.REFUSED, who + "ABORTED " + x.reason());
        }
        yield new FreezeReply(x.frozen(), x.reason(), x.captures().stream()
            .map(c -> new Captured(c.volume(), c.path().toString(), c.snapshotMillis())).toList(),
            x.freezeStartedAtMillis(), x.timeToFrozenMillis());
      }
      case THAW -> {
        Results.ThawResult x = p.thaw(r.ref());
        yield new ThawReply(x.unbroken(), x.brokenReason(), x.thawedAtMillis(), x.heldMillis());
      }
      case COMMIT -> {
        int kept = p.commit(r.ref());
        int asked = r.member().volumes().size();
        yield kept >= asked ? Ack.OK : Ack.refused("agent " + r.member().agentId() + " kept " + kept + " of "
            + asked + " captures");
      }
      case ABORT -> {
        Results.HoldReport h = p.abort(r.ref()).report();
        yield Ack.aborted(new Held(AgentGrpcService.reached(h.reached()), h.freezeStartedAtMillis(),
            h.timeToFrozenMillis(), h.heldMillis(), h.leaseExpired()));
      }
      case DELETE -> {
        p.deleteSnapshot(r.ref());
        yield Ack.OK;
      }
    };
  }

  /** The negative reply of {@code kind}, as a call that brought no answer produces it ({@code GrpcAgentClient}). */
  static Object failed(Request.Kind kind, Failure failure, String why) {
    return switch (kind) {
      case PREPARE -> PrepareReply.failed(failure, why);
      case FREEZE -> FreezeReply.failed(failure, why);
      case THAW -> ThawReply.failed(failure, why);
      case COMMIT, ABORT, DELETE -> Ack.failed(failure, why);
    };
  }

  /** A reply in a few words, for the trace. */
  static String describe(Object reply) {
    if (reply instanceof PrepareReply p) {
      return p.ok() ? "OK" : "NO: " + shorten(p.reason());
    } else if (reply instanceof FreezeReply f) {
      return f.frozen() ? "FROZEN" : "not frozen: " + shorten(f.reason());
    } else if (reply instanceof ThawReply t) {
      return t.unbroken() ? "unbroken" : "BROKEN: " + shorten(t.reason());
    } else if (reply instanceof Ack a) {
      return a.ok() ? "ok" : "failed: " + shorten(a.error());
    }
    return String.valueOf(reply);
  }

  private static String shorten(String s) {
    return s.length() <= 90 ? s : s.substring(0, 87) + "...";
  }
}
