package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import java.time.Duration;

/**
 * One coordinator-to-agent request: the phase, the transaction it belongs to (cluster, epoch, id, limits) and the
 * member it is addressed to.
 *
 * @param reason why, for an ABORT; else empty
 */
record Request(Call call, TxnSpec spec, Member member, String reason) {
  TxnRef ref() {
    return new TxnRef(spec.clusterId(), spec.epoch(), spec.txnId());
  }

  /** The call's deadline, as GrpcAgentClient sets it. */
  Duration deadline() {
    return switch (call) {
      case PREPARE -> spec.prepareTimeout();
      case FREEZE -> spec.freezeTimeout();
      case THAW -> spec.thawTimeout();
      case COMMIT, ABORT -> spec.finishTimeout();
    };
  }

  @Override
  public String toString() {
    return call + " " + spec.txnId() + "@e" + spec.epoch();
  }
}
