package io.groupsnap.coordinator.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ExportTargetInfo;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.VolumeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a group resolves to against the registered agents, and every problem that must stop a run up front. */
class GroupResolverTest {
  static AgentRegistration agent(String id, Map<String, String> labels, String... volumes) {
    AgentRegistration.Builder b = AgentRegistration.newBuilder().setAgentId(id).setEndpoint("127.0.0.1:1")
        .putAllLabels(labels);
    for (String v : volumes) {
      b.addVolumes(VolumeInfo.newBuilder().setName(v).setKind("dir"));
    }
    return b.build();
  }

  static GroupMember member(String agent, String volume, boolean optional) {
    return GroupMember.newBuilder().setAgentId(agent).setVolume(volume).setOptional(optional).build();
  }

  static LabelSelector selector(Map<String, String> labels, String volume) {
    return LabelSelector.newBuilder().putAllMatchLabels(labels).setVolume(volume).build();
  }

  static List<String> names(List<MemberSelector> ms) {
    return ms.stream().map(m -> m.getAgentId() + ":" + m.getVolume()).toList();
  }

  final List<AgentRegistration> agents = List.of(
      agent("db-1", Map.of("env", "prod", "tier", "db"), "data", "wal"),
      agent("db-2", Map.of("env", "prod", "tier", "db"), "data", "wal"),
      agent("web-1", Map.of("env", "prod", "tier", "web"), "www"),
      agent("test-1", Map.of("env", "test", "tier", "db"), "data"));

  @Test
  void explicitMembers_resolveToTheirVolumes_inTheGroupsOrder() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("web-1", "", false))
        .addMembers(member("db-1", "wal", false)).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isTrue();
    assertThat(names(r.members())).containsExactly("web-1:www", "db-1:wal");
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void aRequiredMemberNotRegistered_isAProblemNamingTheHost_andAnOptionalOneIsLeftOut() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("db-1", "", false))
        .addMembers(member("db-9", "", false)).addMembers(member("cache-1", "data", true)).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).singleElement().asString().contains("required member db-9").contains("host db-9");
    assertThat(r.leftOut()).containsExactly("cache-1:data");
    assertThat(names(r.members())).containsExactly("db-1:data", "db-1:wal");
  }

  @Test
  void onlyOptionalMembersMissing_isFine() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("db-1", "data", false))
        .addMembers(member("gone", "", true)).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isTrue();
    assertThat(r.leftOut()).containsExactly("gone");
  }

  @Test
  void aSelector_takesEveryAgentWhoseLabelsIncludeAllOfItsLabels() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("env", "prod", "tier", "db"), ""))
        .build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isTrue();
    assertThat(names(r.members())).containsExactly("db-1:data", "db-1:wal", "db-2:data", "db-2:wal");
  }

  @Test
  void aSelectorWithAVolume_takesThatVolumeOnly() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("tier", "db"), "data")).build();
    assertThat(names(GroupResolver.resolve(g, agents).members()))
        .containsExactly("db-1:data", "db-2:data", "test-1:data");
  }

  @Test
  void aSelectorMatchingNothing_isAProblem_notAnEmptyGroup() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("env", "staging"), "")).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).containsExactly("selectors[0] {env=staging} matches no registered agent");
    assertThat(r.members()).isEmpty();
  }

  @Test
  void aLabelValueMustMatchExactly_andAnAgentWithoutTheKeyDoesNotMatch() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("tier", "DB"), "")).build();
    assertThat(GroupResolver.resolve(g, agents).ok()).isFalse();
    g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("rack", "r1"), "")).build();
    assertThat(GroupResolver.resolve(g, agents).problems()).singleElement().asString().contains("{rack=r1}");
  }

  @Test
  void aSelectorWithoutLabels_matchesNothing() {
    assertThat(GroupResolver.matches(LabelSelector.getDefaultInstance(), agents.get(0))).isFalse();
  }

  @Test
  void aSelectorsVolumeNoMatchedAgentHas_isAProblem() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("tier", "web"), "data")).build();
    assertThat(GroupResolver.resolve(g, agents).problems()).containsExactly(
        "selectors[0] {tier=web}:data matches agents without a volume 'data'");
  }

  @Test
  void overlappingMembersAndSelectors_takeEachVolumeOnce_andEveryVolumeWins() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("db-1", "wal", false))
        .addMembers(member("db-1", "wal", true))
        .addSelectors(selector(Map.of("tier", "db", "env", "prod"), "wal"))
        .addSelectors(selector(Map.of("env", "prod", "tier", "db"), "data"))
        .addSelectors(selector(Map.of("tier", "web"), "")).addSelectors(selector(Map.of("env", "prod"), "www"))
        .build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isTrue();
    assertThat(names(r.members())).containsExactly("db-1:wal", "db-1:data", "db-2:wal", "db-2:data", "web-1:www");
    GroupSpec whole = g.toBuilder().addSelectors(selector(Map.of("tier", "db"), "")).build();
    assertThat(names(GroupResolver.resolve(whole, agents).members())).as("a selector of every volume widens")
        .containsExactly("db-1:data", "db-1:wal", "db-2:data", "db-2:wal", "web-1:www", "test-1:data");
  }

  @Test
  void aVolumeTheAgentDoesNotHave_isAProblemListingWhatItHas() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("web-1", "data", false)).build();
    assertThat(GroupResolver.resolve(g, agents).problems()).containsExactly(
        "member web-1:data: agent web-1 has no volume 'data' (has: www)");
  }

  @Test
  void anExportTarget_mustBeConfiguredOnEveryMembersAgent() {
    List<AgentRegistration> withTargets = List.of(
        agents.get(0).toBuilder().addExportTargets(ExportTargetInfo.newBuilder().setName("offsite").setKind("restic"))
            .build(),
        agents.get(1).toBuilder().addExportTargets(ExportTargetInfo.newBuilder().setName("local").setKind("exec"))
            .build(),
        agents.get(2));
    GroupSpec g = GroupSpec.newBuilder().setName("g").setExportTarget("offsite")
        .addSelectors(selector(Map.of("env", "prod"), "")).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, withTargets);
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).containsExactly("agent db-2 has no export target 'offsite' (has: local)",
        "agent web-1 has no export target 'offsite' (it configures none)");
    GroupSpec onlyDb1 = g.toBuilder().clearSelectors().addMembers(member("db-1", "", false)).build();
    assertThat(GroupResolver.resolve(onlyDb1, withTargets).ok()).isTrue();
  }

  @Test
  void anAgentWithoutVolumes_isAProblem() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("empty", "", false)).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, List.of(agent("empty", Map.of())));
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).containsExactly("agent empty has no volumes");
  }

  @Test
  void noMembersAtAll_isNotOk_andSaysSo() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addMembers(member("gone", "", true)).build();
    GroupResolver.Resolution r = GroupResolver.resolve(g, agents);
    assertThat(r.ok()).isFalse();
    assertThat(r.describeProblems()).isEqualTo("the group resolves to no member");
  }

  @Test
  void theSameInput_alwaysResolvesTheSameWay_whateverTheRegistrationOrder() {
    GroupSpec g = GroupSpec.newBuilder().setName("g").addSelectors(selector(Map.of("env", "prod"), "")).build();
    List<AgentRegistration> reversed = new java.util.ArrayList<>(agents);
    java.util.Collections.reverse(reversed);
    assertThat(GroupResolver.resolve(g, reversed)).isEqualTo(GroupResolver.resolve(g, agents));
  }
}
