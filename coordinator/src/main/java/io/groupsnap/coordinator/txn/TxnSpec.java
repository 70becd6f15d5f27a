package io.groupsnap.coordinator.txn;

import java.time.Duration;
import java.util.List;

/**
 * What one transaction must do and within which limits.
 *
 * <p>Every phase has one deadline, owned by the transaction's own timer ({@link TxnAction.ArmDeadline}): when it
 * passes, the transaction names the members that had not answered. A call's own deadline ({@link #callDeadline}) is
 * later by {@link #CALL_BACKSTOP}: it only ends a call that nothing else would end, and never races the phase's timer.
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
 * @param missingAgents agents the cluster knows that were not registered and are left out (allowed by the request)
 */
public record TxnSpec(String txnId, String clusterId, long epoch, String coordinator, List<Member> members,
    Duration prepareTimeout, Duration freezeTimeout, Duration lease, Duration thawTimeout, Duration finishTimeout,
    List<String> missingAgents) {
  /** How much later than its phase's deadline a call's own deadline falls. */
  public static final Duration CALL_BACKSTOP = Duration.ofSeconds(2);

  public TxnSpec {
    members = List.copyOf(members);
    missingAgents = List.copyOf(missingAgents);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a transaction needs at least one member");
    }
    if (lease.compareTo(freezeTimeout) <= 0) {
      throw new IllegalArgumentException("lease " + lease.toMillis() + "ms must exceed the freeze timeout "
          + freezeTimeout.toMillis() + "ms");
    }
  }

  /** A transaction that leaves nobody out. */
  public TxnSpec(String txnId, String clusterId, long epoch, String coordinator, List<Member> members,
      Duration prepareTimeout, Duration freezeTimeout, Duration lease, Duration thawTimeout, Duration finishTimeout) {
    this(txnId, clusterId, epoch, coordinator, members, prepareTimeout, freezeTimeout, lease, thawTimeout,
        finishTimeout, List.of());
  }

  /** The phase deadline the transaction's timer enforces for answers to {@code call}. */
  public Duration phaseDeadline(TxnAction.Call call) {
    return switch (call) {
      case PREPARE -> prepareTimeout;
      case FREEZE -> freezeTimeout;
      case THAW -> thawTimeout;
      case COMMIT, ABORT -> finishTimeout;
    };
  }

  /** The deadline of one call: its phase's deadline plus {@link #CALL_BACKSTOP}, so that the phase's timer owns it. */
  public Duration callDeadline(TxnAction.Call call) {
    return phaseDeadline(call).plus(CALL_BACKSTOP);
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
