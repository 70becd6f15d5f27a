package io.groupsnap.coordinator.txn;

import java.time.Duration;
import java.util.List;

/**
 * What one transaction must do and within which limits.
 *
 * @param txnId the group snapshot id
 * @param clusterId the cluster's UUID, sent with every request
 * @param epoch the leader's epoch, sent with every request
 * @param coordinator the leader's id, recorded
 * @param members agents and their volumes
 * @param prepareTimeout deadline for every PREPARE vote
 * @param freezeTimeout deadline for every FROZEN answer, counted from the first FREEZE sent
 * @param lease how long each agent may hold, from accepting FREEZE; longer than the freeze timeout
 * @param thawTimeout deadline for every THAW answer
 * @param finishTimeout deadline for COMMIT and ABORT acknowledgements
 */
public record TxnSpec(String txnId, String clusterId, long epoch, String coordinator, List<Member> members,
    Duration prepareTimeout, Duration freezeTimeout, Duration lease, Duration thawTimeout, Duration finishTimeout) {
  public TxnSpec {
    members = List.copyOf(members);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a transaction needs at least one member");
    }
    if (lease.compareTo(freezeTimeout) <= 0) {
      throw new IllegalArgumentException("lease " + lease.toMillis() + "ms must exceed the freeze timeout "
          + freezeTimeout.toMillis() + "ms");
    }
  }

  /**
   * How long each agent keeps this transaction prepared waiting for its FREEZE, counted from the PREPARE's arrival;
   * then it aborts it on its own. The FREEZE is sent at the latest when the prepare timeout ends, and one older than
   * the freeze timeout is refused by its own call deadline: no FREEZE that can still be acted upon comes later.
   */
  public Duration freezeWithin() {
    return prepareTimeout.plus(freezeTimeout);
  }
}
