package io.groupsnap.coordinator.groups;

import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ExportTargetInfo;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.VolumeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a named group into the members a group snapshot takes now, against the registered agents. Pure: the same
 * group and registrations always resolve the same way. Everything that would make a run fail and can be known before
 * anything is frozen is a problem here: a required member that is not registered (naming the host), a volume the
 * agent does not have, a selector that matches no registered agent, an agent without the group's export target.
 */
public final class GroupResolver {
  private GroupResolver() {}

  /**
   * What a group resolves to.
   *
   * @param members one selector per (agent, volume), in the group's order, explicit members first
   * @param leftOut optional members that are not registered now, "agent" or "agent:volume"
   * @param problems one line each; a run must not start while there is one
   */
  public record Resolution(List<MemberSelector> members, List<String> leftOut, List<String> problems) {
    public Resolution {
      members = List.copyOf(members);
      leftOut = List.copyOf(leftOut);
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty() && !members.isEmpty();
    }

    /** The problems in one line, for an error message. */
    public String describeProblems() {
      return problems.isEmpty() && members.isEmpty() ? "the group resolves to no member" : String.join("; ", problems);
    }
  }

  public static Resolution resolve(GroupSpec group, List<AgentRegistration> agents) {
    Map<String, AgentRegistration> byId = new TreeMap<>();
    agents.forEach(a -> byId.put(a.getAgentId(), a));
    Map<String, Set<String>> chosen = new LinkedHashMap<>();  // agent -> volumes, empty set: every volume
    List<String> leftOut = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (GroupMember m : group.getMembersList()) {
      String label = m.getVolume().isEmpty() ? m.getAgentId() : m.getAgentId() + ":" + m.getVolume();
      AgentRegistration a = byId.get(m.getAgentId());
      if (a == null) {
        if (m.getOptional()) {
          leftOut.add(label);
        } else {
          problems.add("required member " + label + " is not registered (host " + m.getAgentId() + " down or cut off)");
        }
        continue;
      }
      if (!m.getVolume().isEmpty() && !hasVolume(a, m.getVolume())) {
        problems.add("member " + label + ": agent " + a.getAgentId() + " has no volume '" + m.getVolume()
            + "' (has: " + String.join(", ", volumeNames(a)) + ")");
        continue;
      }
      add(chosen, a.getAgentId(), m.getVolume());
    }
    for (int i = 0; i < group.getSelectorsCount(); i++) {
      LabelSelector s = group.getSelectors(i);
      List<AgentRegistration> matched = byId.values().stream().filter(a -> matches(s, a)).toList();
      if (matched.isEmpty()) {
        problems.add("selectors[" + i + "] " + describe(s) + " matches no registered agent");
        continue;
      }
      boolean any = false;
      for (AgentRegistration a : matched) {
        if (s.getVolume().isEmpty() || hasVolume(a, s.getVolume())) {
          add(chosen, a.getAgentId(), s.getVolume());
          any = true;
        }
      }
      if (!any) {
        problems.add("selectors[" + i + "] " + describe(s) + " matches agents without a volume '" + s.getVolume() + "'");
      }
    }
    List<MemberSelector> members = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : chosen.entrySet()) {
      AgentRegistration a = byId.get(e.getKey());
      if (!group.getExportTarget().isEmpty() && !hasTarget(a, group.getExportTarget())) {
        problems.add("agent " + a.getAgentId() + " has no export target '" + group.getExportTarget() + "'"
            + targetsOf(a));
      }
      List<String> vols = e.getValue().isEmpty() ? volumeNames(a) : List.copyOf(e.getValue());
      if (vols.isEmpty()) {
        problems.add("agent " + a.getAgentId() + " has no volumes");
      }
      for (String v : vols) {
        members.add(MemberSelector.newBuilder().setAgentId(a.getAgentId()).setVolume(v).build());
      }
    }
    return new Resolution(members, leftOut, problems);
  }

  /** Whether the agent's labels include every label of the selector (a selector without labels matches nothing). */
  public static boolean matches(LabelSelector s, AgentRegistration a) {
    if (s.getMatchLabelsCount() == 0) {
      return false;
    }
    return s.getMatchLabelsMap().entrySet().stream()
        .allMatch(e -> e.getValue().equals(a.getLabelsMap().get(e.getKey())));
  }

  /** "{env=prod,tier=db}" (sorted), with ":volume" when it names one. */
  public static String describe(LabelSelector s) {
    StringBuilder b = new StringBuilder("{");
    new TreeMap<>(s.getMatchLabelsMap()).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k)
        .append('=').append(v));
    b.append('}');
    return s.getVolume().isEmpty() ? b.toString() : b + ":" + s.getVolume();
  }

  private static void add(Map<String, Set<String>> chosen, String agent, String volume) {
    Set<String> vols = chosen.get(agent);
    if (vols == null) {
      vols = new LinkedHashSet<>();
      if (!volume.isEmpty()) {
        vols.add(volume);
      }
      chosen.put(agent, vols);
      return;
    }
    if (vols.isEmpty()) {
      return;  // every volume already
    }
    if (volume.isEmpty()) {
      vols.clear();
    } else {
      vols.add(volume);
    }
  }

  private static boolean hasVolume(AgentRegistration a, String volume) {
    return a.getVolumesList().stream().anyMatch(v -> v.getName().equals(volume));
  }

  private static List<String> volumeNames(AgentRegistration a) {
    return a.getVolumesList().stream().map(VolumeInfo::getName).toList();
  }

  private static boolean hasTarget(AgentRegistration a, String target) {
    return a.getExportTargetsList().stream().anyMatch(t -> t.getName().equals(target));
  }

  private static String targetsOf(AgentRegistration a) {
    List<String> names = a.getExportTargetsList().stream().map(ExportTargetInfo::getName).toList();
    return names.isEmpty() ? " (it configures none)" : " (has: " + String.join(", ", names) + ")";
  }
}
