package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Replies;
import io.groupsnap.coordinator.txn.Transaction;
import io.groupsnap.coordinator.txn.TxnAction;
import io.groupsnap.coordinator.txn.TxnEvent;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.proto.v1.AbortCause;
import java.util.List;

/**
 * Carries out one {@link Transaction}'s actions in the simulation, as {@code TransactionDriver} does for real: sends
 * over the {@link Network}, writes through the process's {@link StoreClient}, arms deadlines on virtual time, and
 * feeds every answer back as an event. Events after the transaction finished are ignored.
 */
final class TxnRun {
  private final World w;
  private final SimCoordinator owner;
  private final Transaction txn;
  private boolean finished;

  TxnRun(World w, SimCoordinator owner, Transaction txn) {
    this.w = w;
    this.owner = owner;
    this.txn = txn;
  }

  void start() {
    apply(txn.start());
  }

  String txnId() {
    return txn.spec().txnId();
  }

  void feed(TxnEvent event) {
    if (!finished && owner.alive()) {
      apply(txn.on(event));
    }
  }

  private void apply(List<TxnAction> actions) {
    String id = txn.spec().txnId();
    for (TxnAction a : actions) {
      if (a instanceof TxnAction.Send s) {
        send(s);
      } else if (a instanceof TxnAction.Persist p) {
        owner.store().persist(p.state(), p.record(), this::feed);
      } else if (a instanceof TxnAction.ArmDeadline d) {
        owner.after(d.after(), id + " deadline for " + d.state(), () -> feed(new TxnEvent.DeadlinePassed(d.state())));
      } else if (a instanceof TxnAction.PhaseChanged p) {
        w.note(owner.name() + ": " + id + " " + p.state() + " (" + p.detail() + ")");
      } else if (a instanceof TxnAction.Finish f) {
        finished = true;
        owner.finished(this);
        count(txn.state());
        w.note(owner.name() + ": " + id + " finished " + txn.state() + " (record " + f.result().getState() + ")");
      }
    }
  }

  private void send(TxnAction.Send s) {
    String agent = s.member().agentId();
    String reason = s.call() == TxnAction.Call.ABORT ? txn.record().getAbortReason() : "";
    Request req = new Request(s.call(), txn.spec(), s.member(), reason);
    w.network.call(owner, req, req.deadline(), reply -> feed(switch (s.call()) {
      case PREPARE -> new TxnEvent.PrepareAnswered(agent, (Replies.PrepareReply) reply);
      case FREEZE -> new TxnEvent.FreezeAnswered(agent, (Replies.FreezeReply) reply);
      case THAW -> new TxnEvent.ThawAnswered(agent, (Replies.ThawReply) reply);
      case COMMIT -> new TxnEvent.CommitAnswered(agent, (Replies.Ack) reply);
      case ABORT -> new TxnEvent.AbortAnswered(agent, (Replies.Ack) reply);
    }));
  }

  private void count(TxnState state) {
    SimStats.Outcome o = switch (state) {
      case COMMITTED -> SimStats.Outcome.COMMITTED;
      case IN_DOUBT -> SimStats.Outcome.IN_DOUBT;
      default -> txn.record().getAbortCause() == AbortCause.ABORT_LEADER_LOST
          ? SimStats.Outcome.ABANDONED_ON_LEADERSHIP_LOSS : SimStats.Outcome.ABORTED;
    };
    w.stats.count(o);
  }
}
