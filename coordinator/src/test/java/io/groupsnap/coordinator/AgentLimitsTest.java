package io.groupsnap.coordinator;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.proto.v1.AgentRegistration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentLimitsTest {
  static AgentRegistration agent(String id, long maxLeaseMillis) {
    return AgentRegistration.newBuilder().setAgentId(id).setEndpoint(id + ":1")
        .setMaxFreezeLeaseMillis(maxLeaseMillis).build();
  }

  static Member member(String id) {
    return new Member(id, id + ":1", List.of("data"));
  }

  @Test
  void aLeaseWithinEveryLimit_orAnAgentWithoutOne_passes() {
    List<AgentRegistration> agents = List.of(agent("a", 60_000), agent("old", 0));
    assertThatCode(() -> AgentLimits.checkLease(Duration.ofSeconds(60), null, List.of(member("a"), member("old")),
        agents)).doesNotThrowAnyException();
  }

  @Test
  void aLeaseAboveALimit_isRefused_namingOnlyTheSelectedAgentsBelowIt() {
    List<AgentRegistration> agents = List.of(agent("a", 60_000), agent("b", 1_200_000), agent("c", 30_000));
    assertThatThrownBy(() -> AgentLimits.checkLease(Duration.ofMinutes(10), null,
        List.of(member("a"), member("b"), member("c")), agents))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lease 600000ms is longer than the maxFreezeLease of a (60000ms), c (30000ms)");
    assertThatCode(() -> AgentLimits.checkLease(Duration.ofMinutes(10), null, List.of(member("b")), agents))
        .doesNotThrowAnyException();
  }

  @Test
  void manyRefusingAgents_areCounted_notAllListed() {
    List<AgentRegistration> agents = new ArrayList<>();
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      agents.add(agent("agent-" + i, 1000));
      members.add(member("agent-" + i));
    }
    assertThatThrownBy(() -> AgentLimits.checkLease(Duration.ofSeconds(15), "the freeze timeout + 5000ms", members,
        agents)).hasMessage("lease 15000ms (the freeze timeout + 5000ms) is longer than the maxFreezeLease of "
        + "agent-1 (1000ms), agent-2 (1000ms), agent-3 (1000ms), agent-4 (1000ms), agent-5 (1000ms) and 3 more");
  }
}
