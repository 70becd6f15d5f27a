package io.groupsnap.common;

import io.groupsnap.proto.v1.AgentRegistration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The freeze lease a group snapshot asks for, against the {@code maxFreezeLease} its members' agents registered: one
 * rule and one wording for the CLI, which refuses before it sends the create, and the coordinator, which refuses
 * before it writes a record. Stateless; thread-safe.
 */
public final class LeaseLimits {
  /** How many agents a refusal names before it counts the rest. */
  public static final int NAMED = 5;

  private LeaseLimits() {}

  /**
   * Why the lease cannot be asked of these agents, if it cannot.
   *
   * @param lease the lease the group snapshot would ask for
   * @param derivedFrom null when the operator chose the lease; else how it was derived, for the message
   * @param agentIds the member agents, each once, in the order to name them
   * @param registered the registrations; an agent without one, or one that published no limit (an older agent), is
   *     left to refuse at PREPARE
   * @return empty when every member admits the lease; else one line naming each agent (up to {@link #NAMED}) whose
   *     limit is shorter, and its limit
   */
  public static Optional<String> refusal(Duration lease, String derivedFrom, Collection<String> agentIds,
      List<AgentRegistration> registered) {
    Map<String, AgentRegistration> byId = registered.stream()
        .collect(Collectors.toMap(AgentRegistration::getAgentId, Function.identity(), (a, b) -> a));
    List<String> refusing = new ArrayList<>();
    for (String id : agentIds) {
      AgentRegistration a = byId.get(id);
      long max = a == null ? 0 : a.getMaxFreezeLeaseMillis();
      if (max > 0 && lease.toMillis() > max) {
        refusing.add(id + " (" + max + "ms)");
      }
    }
    if (refusing.isEmpty()) {
      return Optional.empty();
    }
    String named = String.join(", ", refusing.subList(0, Math.min(NAMED, refusing.size())));
    if (refusing.size() > NAMED) {
      named += " and " + (refusing.size() - NAMED) + " more";
    }
    return Optional.of("lease " + lease.toMillis() + "ms" + (derivedFrom == null ? "" : " (" + derivedFrom + ")")
        + " is longer than the maxFreezeLease of " + named);
  }
}
