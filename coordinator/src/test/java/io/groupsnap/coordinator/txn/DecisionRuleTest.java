package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionRuleTest {
  static final List<Member> M = List.of(new Member("a", "x:1", List.of("v")), new Member("b", "y:1", List.of("v")));
  static final FreezeReply FROZEN = new FreezeReply(true, "", List.of(), 1, 1);
  static final ThawReply UNBROKEN = new ThawReply(true, "", 2, 1);

  @Test
  void commits_onlyWhenEveryMemberFrozeAndHeldUnbroken() {
    assertThat(DecisionRule.STRICT.decide(M, Map.of("a", FROZEN, "b", FROZEN), Map.of("a", UNBROKEN, "b", UNBROKEN))
        .commit()).isTrue();
  }

  @Test
  void aborts_onAMissingOrBrokenAnswer_namingTheMember() {
    DecisionRule.Verdict missingThaw = DecisionRule.STRICT.decide(M, Map.of("a", FROZEN, "b", FROZEN),
        Map.of("a", UNBROKEN));
    assertThat(missingThaw.commit()).isFalse();
    assertThat(missingThaw.member()).isEqualTo("b");
    DecisionRule.Verdict broken = DecisionRule.STRICT.decide(M, Map.of("a", FROZEN, "b", FROZEN),
        Map.of("a", new ThawReply(false, "lease expired", 2, 1), "b", UNBROKEN));
    assertThat(broken.commit()).isFalse();
    assertThat(broken.reason()).isEqualTo("hold on a was broken: lease expired");
    DecisionRule.Verdict notFrozen = DecisionRule.STRICT.decide(M,
        Map.of("a", FROZEN, "b", FreezeReply.failed(Replies.Failure.REFUSED, "io error")),
        Map.of("a", UNBROKEN, "b", UNBROKEN));
    assertThat(notFrozen.commit()).isFalse();
    assertThat(notFrozen.member()).isEqualTo("b");
  }
}
