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
 * @param group the named group it is taken of, or empty
 * @param runId the backup run taking it, or empty
 */
public record TxnSpec(String txnId, String clusterId, long epoch, String coordinator, List<Member> members,
    Duration prepareTimeout, Duration freezeTimeout, Duration lease, Duration thawTimeout, Duration finishTimeout,
    List<String> missingAgents, String group, String runId) {
  /** How much later than its phase's deadline a call's own deadline falls. */
  public static final Duration CALL_BACKSTOP = Duration.ofSeconds(2);

  public TxnSpec {
    members = List.copyOf(members);
    missingAgents = List.copyOf(missingAgents);
    group = group == null ? "" : group;
    runId = runId == null ? "" : runId;
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a transaction needs at least one member");
    }
    if (lease.compareTo(freezeTimeout) <= 0) {
      throw new IllegalArgumentException("lease " + lease.toMillis() + "ms must exceed the freeze timeout "
          + freezeTimeout.toMillis() + "ms");
    }
  }

  /** A transaction of no named group. */
  public TxnSpec(String txnId, String clusterId, long epoch, String coordinator, List<Member> members,
      Duration prepareTimeout, Duration freezeTimeout, Duration lease, Duration thawTimeout, Duration finishTimeout,
      List<String> missingAgents) {
    this(txnId, clusterId, epoch, coordinator, members, prepareTimeout, freezeTimeout, lease, thawTimeout,
        finishTimeout, missingAgents, "", "");
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

  /** A DELETE's deadline: deleting captures may take longer than finishing a transaction, so three finish timeouts. */
  public Duration deleteDeadline() {
    return finishTimeout.multipliedBy(3);
  }

  /**
   * How long each agent keeps this transaction prepared waiting for its FREEZE, counted from the PREPARE's arrival;
   * then it aborts it on its own: the prepare timeout, plus the freeze call's deadline ({@link #callDeadline}: the
   * freeze timeout and {@link #CALL_BACKSTOP}).
   *
   * <p>The agent must never refuse a FREEZE this leader could still act on. The FREEZEs go out at the latest when the
   * prepare deadline passes, and each FREEZE call lives (in flight, or retried on UNAVAILABLE) until its own deadline,
   * the freeze timeout plus the backstop later. So the last moment any FREEZE of this transaction can reach an agent
   * is the prepare timeout plus the freeze call's deadline after the PREPAREs were sent, which is no later than that
   * long after one arrived. Without the backstop the agent's deadline would end with the leader's freeze deadline
   * exactly, and race it: the prepare timer is armed just after the PREPAREs are sent (one may arrive first), and the
   * two hosts' monotonic clocks need not run at the same rate. With it, the agent refuses only a FREEZE whose call
   * has ended anyway; the price is that a PREPARE whose leader vanished keeps an agent busy 2 s longer.
   */
  public Duration freezeWithin() {
    return prepareTimeout.plus(callDeadline(TxnAction.Call.FREEZE));
  }
}
