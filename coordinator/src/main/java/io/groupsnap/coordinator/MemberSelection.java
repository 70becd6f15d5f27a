package io.groupsnap.coordinator;

import io.groupsnap.common.Names;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.VolumeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns an operator's member selectors into transaction members, against the registered agents. */
final class MemberSelection {
  private MemberSelection() {}

  /**
   * Empty selectors select every volume of every registered agent. A selector without a volume selects all of the
   * agent's volumes.
   *
   * @throws IllegalArgumentException naming the unknown agent or volume and what exists
   * @throws IllegalStateException when no agent is registered
   */
  static List<Member> resolve(List<MemberSelector> selectors, List<AgentRegistration> agents) {
    Map<String, AgentRegistration> byId = new LinkedHashMap<>();
    agents.forEach(a -> byId.put(a.getAgentId(), a));
    if (byId.isEmpty()) {
      throw new IllegalStateException("no agents are registered in this cluster");
    }
    Map<String, Set<String>> chosen = new LinkedHashMap<>();
    if (selectors.isEmpty()) {
      agents.forEach(a -> chosen.put(a.getAgentId(), new LinkedHashSet<>()));
    }
    for (int i = 0; i < selectors.size(); i++) {
      MemberSelector s = selectors.get(i);
      Names.require("members[" + i + "].agent", s.getAgentId());
      AgentRegistration a = byId.get(s.getAgentId());
      if (a == null) {
        throw new IllegalArgumentException("members[" + i + "]: unknown agent '" + s.getAgentId()
            + "' (registered: " + String.join(", ", byId.keySet()) + ")");
      }
      Set<String> vols = chosen.computeIfAbsent(a.getAgentId(), k -> new LinkedHashSet<>());
      if (!s.getVolume().isEmpty()) {
        Names.require("members[" + i + "].volume", s.getVolume());
        List<String> names = a.getVolumesList().stream().map(VolumeInfo::getName).toList();
        if (!names.contains(s.getVolume())) {
          throw new IllegalArgumentException("members[" + i + "]: agent " + a.getAgentId() + " has no volume '"
              + s.getVolume() + "' (has: " + String.join(", ", names) + ")");
        }
        vols.add(s.getVolume());
      }
    }
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : chosen.entrySet()) {
      AgentRegistration a = byId.get(e.getKey());
      List<String> vols = e.getValue().isEmpty()
          ? a.getVolumesList().stream().map(VolumeInfo::getName).toList() : List.copyOf(e.getValue());
      if (vols.isEmpty()) {
        throw new IllegalArgumentException("agent " + a.getAgentId() + " has no volumes");
      }
      out.add(new Member(a.getAgentId(), a.getEndpoint(), vols, a.getStartedAtMillis()));
    }
    return out;
  }

  /**
   * The agents a request without selectors would leave out: known to the cluster, seen since {@code sinceMillis},
   * and not registered now. (Agents unseen for longer are forgotten; explicit selectors name their members and leave
   * nobody out.)
   */
  static List<KnownAgent> missing(List<KnownAgent> known, List<AgentRegistration> registered, long sinceMillis) {
    Set<String> present = registered.stream().map(AgentRegistration::getAgentId).collect(Collectors.toSet());
    return known.stream().filter(k -> !present.contains(k.getAgentId()) && k.getLastSeenAtMillis() >= sinceMillis)
        .toList();
  }
}
