package io.groupsnap.coordinator;

import io.groupsnap.common.LeaseLimits;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.proto.v1.AgentRegistration;
import java.time.Duration;
import java.util.List;

/**
 * Checks a group snapshot against the limits its members' agents registered, before any record is written: a lease
 * an agent would refuse at PREPARE is refused up front, as bad input, so it never becomes an ABORTED entry. The rule
 * and its wording are {@link LeaseLimits}, which the CLI applies too before it sends the create.
 */
final class AgentLimits {
  private AgentLimits() {}

  /**
   * @param lease the lease the group snapshot would ask for
   * @param derivedFrom null when the caller chose the lease; else how it was derived, for the message
   * @throws IllegalArgumentException naming every agent (up to {@link LeaseLimits#NAMED}) whose registered
   *     maxFreezeLease is shorter, and its limit; agents that registered no limit (older ones) are left to refuse at
   *     PREPARE
   */
  static void checkLease(Duration lease, String derivedFrom, List<Member> members, List<AgentRegistration> agents) {
    LeaseLimits.refusal(lease, derivedFrom, members.stream().map(Member::agentId).distinct().toList(), agents)
        .ifPresent(refusal -> {
          throw new IllegalArgumentException(refusal);
        });
  }
}
