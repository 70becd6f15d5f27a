package io.groupsnap.coordinator;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.proto.v1.AgentRegistration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a group snapshot against the limits its members' agents registered, before any record is written: a lease
 * an agent would refuse at PREPARE is refused up front, as bad input, so it never becomes an ABORTED entry.
 */
final class AgentLimits {
  /** How many agents a refusal names before it counts the rest. */
  static final int NAMED = 5;

  private AgentLimits() {}

  /**
   * @param lease the lease the group snapshot would ask for
   * @param derivedFrom null when the caller chose the lease; else how it was derived, for the message
   * @throws IllegalArgumentException naming every agent (up to {@link #NAMED}) whose registered maxFreezeLease is
   *     shorter, and its limit; agents that registered no limit (older ones) are left to refuse at PREPARE
   */
  static void checkLease(Duration lease, String derivedFrom, List<Member> members, List<AgentRegistration> agents) {
    Map<String, AgentRegistration> byId = agents.stream()
        .collect(Collectors.toMap(AgentRegistration::getAgentId, Function.identity(), (a, b) -> a));
    List<String> refusing = new ArrayList<>();
    for (Member m : members) {
      AgentRegistration a = byId.get(m.agentId());
      long max = a == null ? 0 : a.getMaxFreezeLeaseMillis();
      if (max > 0 && lease.toMillis() > max) {
        refusing.add(m.agentId() + " (" + max + "ms)");
      }
    }
    if (refusing.isEmpty()) {
      return;
    }
    String named = String.join(", ", refusing.subList(0, Math.min(NAMED, refusing.size())));
    if (refusing.size() > NAMED) {
      named += " and " + (refusing.size() - NAMED) + " more";
    }
    throw new IllegalArgumentException("lease " + lease.toMillis() + "ms"
        + (derivedFrom == null ? "" : " (" + derivedFrom + ")") + " is longer than the maxFreezeLease of " + named);
  }
}
