package io.groupsnap.coordinator.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.VerifyPolicy;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A group is checked before it is stored; each error is one line naming the field. */
class GroupSpecsTest {
  static final GroupSpec OK = GroupSpec.newBuilder().setName("db")
      .addMembers(GroupMember.newBuilder().setAgentId("db-1").setVolume("data"))
      .addSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "db")).build();

  private static void refused(UnaryOperator<GroupSpec.Builder> change, String message) {
    assertThatThrownBy(() -> GroupSpecs.validate(change.apply(OK.toBuilder()).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aGoodGroup_passes() {
    assertThat(GroupSpecs.validate(OK)).isSameAs(OK);
    GroupSpec full = OK.toBuilder().setExportTarget("offsite").setTimeZone("Europe/Berlin")
        .setFreezeTimeoutMillis(5000).setLeaseMillis(20000).setDescription("the databases")
        .setLocalRetention(RetentionPolicy.newBuilder().setKeepDaily(7).setKeepWithinMillis(3600_000))
        .setRetry(RetryPolicy.newBuilder().setMaxAttempts(5).setInitialBackoffMillis(1000).setMaxBackoffMillis(60000))
        .build();
    assertThat(GroupSpecs.validate(full)).isSameAs(full);
  }

  @Test
  void aVerifyPolicy_isNoneOrWithinItsBounds_andAnErrorNamesTheField() {
    for (long ok : new long[] {0, 60_000, 86_400_000L, GroupSpecs.MAX_VERIFY_EVERY.toMillis()}) {
      GroupSpec g = OK.toBuilder().setVerify(VerifyPolicy.newBuilder().setEveryMillis(ok)).build();
      assertThat(GroupSpecs.validate(g)).as("%d ms", ok).isSameAs(g);
    }
    refused(b -> b.setVerify(VerifyPolicy.newBuilder().setEveryMillis(-1)), "verify.every_millis -1 must not be "
        + "negative");
    refused(b -> b.setVerify(VerifyPolicy.newBuilder().setEveryMillis(59_999)), "verify.every_millis 59999 is "
        + "outside 1m..366d (0: no scheduled verification)");
    refused(b -> b.setVerify(VerifyPolicy.newBuilder().setEveryMillis(GroupSpecs.MAX_VERIFY_EVERY.toMillis() + 1)),
        "verify.every_millis " + (GroupSpecs.MAX_VERIFY_EVERY.toMillis() + 1) + " is outside 1m..366d");
  }

  @Test
  void badNames_areRefused_namingTheField() {
    refused(b -> b.setName("../x"), "name '../x' is not a valid name");
    refused(b -> b.setName(""), "name is missing");
    refused(b -> b.setMembers(0, GroupMember.newBuilder().setAgentId("a b")), "members[0].agent_id 'a b'");
    refused(b -> b.setMembers(0, GroupMember.newBuilder().setAgentId("a").setVolume("/etc")), "members[0].volume");
    refused(b -> b.addMembers(GroupMember.newBuilder().setAgentId("db-1").setVolume("data").setOptional(true)),
        "members[1] db-1:data is listed twice");
    refused(b -> b.setExportTarget("a/b"), "export_target 'a/b'");
  }

  @Test
  void aGroupNeedsAMemberOrASelector_andASelectorNeedsALabel() {
    refused(b -> b.clearMembers().clearSelectors(), "group db needs at least one member or selector");
    refused(b -> b.addSelectors(LabelSelector.getDefaultInstance()), "selectors[1] needs at least one label");
    refused(b -> b.addSelectors(LabelSelector.newBuilder().putMatchLabels("bad key", "x")),
        "selectors[1] label key 'bad key'");
    refused(b -> b.addSelectors(LabelSelector.newBuilder().putMatchLabels("k", "")), "selectors[1] label k is empty");
    refused(b -> b.addSelectors(LabelSelector.newBuilder().putMatchLabels("k", "a\nb")), "control characters");
    refused(b -> b.addSelectors(LabelSelector.newBuilder().putMatchLabels("k", "v").setVolume("..")),
        "selectors[1].volume");
  }

  @Test
  void policiesAndBudgets_areBounded() {
    refused(b -> b.setLocalRetention(RetentionPolicy.newBuilder().setKeepDaily(-1)),
        "local_retention.keep_daily -1 must not be negative");
    refused(b -> b.setExportRetention(RetentionPolicy.newBuilder().setKeepWithinMillis(-5)),
        "export_retention.keep_within_millis");
    refused(b -> b.setRetry(RetryPolicy.newBuilder().setMaxAttempts(101)), "retry.max_attempts 101 is outside");
    refused(b -> b.setRetry(RetryPolicy.newBuilder().setInitialBackoffMillis(5000).setMaxBackoffMillis(1000)),
        "retry.initial_backoff_millis 5000 is longer than retry.max_backoff_millis 1000");
    refused(b -> b.setTimeZone("Mars/Olympus"), "time_zone 'Mars/Olympus' is not an IANA time zone id");
    refused(b -> b.setTimeZone("+02:00"), "time_zone");
    refused(b -> b.setFreezeTimeoutMillis(50), "freeze_timeout 50ms is outside 100ms..10m");
    refused(b -> b.setFreezeTimeoutMillis(11 * 60_000), "is outside 100ms..10m");
    refused(b -> b.setLeaseMillis(2 * 3600_000), "lease 7200000ms is longer than 60m");
    refused(b -> b.setFreezeTimeoutMillis(5000).setLeaseMillis(5000), "must be longer than the freeze timeout");
    refused(b -> b.setDescription("x".repeat(600)), "description is too long");
  }
}
