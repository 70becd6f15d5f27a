package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import java.time.Duration;

/**
 * One coordinator-to-agent request: the call, the transaction it belongs to (cluster, epoch, id, limits) and the
 * member it is addressed to.
 *
 * @param kind the call
 * @param reason why, for an ABORT; else empty
 */
record Request(Kind kind, TxnSpec spec, Member member, String reason) {
  /** The protocol's calls, and DELETE of a committed group snapshot's captures. */
  enum Kind {
    PREPARE, FREEZE, THAW, COMMIT, ABORT, DELETE;

    static Kind of(Call call) {
      return valueOf(call.name());
    }
  }

  Request(Call call, TxnSpec spec, Member member, String reason) {
    this(Kind.of(call), spec, member, reason);
  }

  TxnRef ref() {
    return new TxnRef(spec.clusterId(), spec.epoch(), spec.txnId());
  }

  /** The call's deadline, as GrpcAgentClient sets it. */
  Duration deadline() {
    return kind == Kind.DELETE ? spec.deleteDeadline() : spec.callDeadline(Call.valueOf(kind.name()));
  }

  @Override
  public String toString() {
    return kind + " " + spec.txnId() + "@e" + spec.epoch();
  }
}
