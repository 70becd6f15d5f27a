package io.groupsnap.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.VolumeInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberSelectionTest {
  static AgentRegistration agent(String id, String... volumes) {
    AgentRegistration.Builder b = AgentRegistration.newBuilder().setAgentId(id).setEndpoint(id + ":1");
    for (String v : volumes) {
      b.addVolumes(VolumeInfo.newBuilder().setName(v).setKind("dir"));
    }
    return b.build();
  }

  static final List<AgentRegistration> AGENTS = List.of(agent("a", "data", "logs"), agent("b", "data"));

  static MemberSelector sel(String agent, String volume) {
    return MemberSelector.newBuilder().setAgentId(agent).setVolume(volume).build();
  }

  @Test
  void noSelectors_selectEveryVolumeOfEveryAgent() {
    assertThat(MemberSelection.resolve(List.of(), AGENTS)).containsExactly(
        new Member("a", "a:1", List.of("data", "logs")), new Member("b", "b:1", List.of("data")));
  }

  @Test
  void selectors_pickAgentsAndVolumes() {
    assertThat(MemberSelection.resolve(List.of(sel("a", "logs"), sel("b", "")), AGENTS)).containsExactly(
        new Member("a", "a:1", List.of("logs")), new Member("b", "b:1", List.of("data")));
  }

  @Test
  void unknownAgentsOrVolumes_areRefused_sayingWhatExists() {
    assertThatThrownBy(() -> MemberSelection.resolve(List.of(sel("z", "")), AGENTS))
        .hasMessage("members[0]: unknown agent 'z' (registered: a, b)");
    assertThatThrownBy(() -> MemberSelection.resolve(List.of(sel("b", "logs")), AGENTS))
        .hasMessage("members[0]: agent b has no volume 'logs' (has: data)");
    assertThatThrownBy(() -> MemberSelection.resolve(List.of(sel("../x", "")), AGENTS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("members[0].agent");
    assertThatThrownBy(() -> MemberSelection.resolve(List.of(), List.of()))
        .isInstanceOf(IllegalStateException.class).hasMessage("no agents are registered in this cluster");
  }
}
