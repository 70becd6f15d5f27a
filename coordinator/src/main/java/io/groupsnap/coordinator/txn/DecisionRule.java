package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.util.List;
import java.util.Map;

/**
 * Decides, once every THAW answer is in, whether a transaction commits.
 *
 * <p>{@link #STRICT} is the rule of DESIGN.md §4: commit iff every member answered FROZEN and then "unbroken". Then
 * each member held continuously from its FROZEN answer to its THAW, and THAW is sent only after the last FROZEN
 * arrived, so at that instant every member was frozen in the state it had captured: the captures form one cut (G1),
 * with no clock agreement needed. The rule is an interface so that tests can show that a weaker one is caught.
 */
@FunctionalInterface
public interface DecisionRule {
  /**
   * A decision.
   *
   * @param commit whether to commit
   * @param reason why not, for the operator
   * @param member the agent that caused the abort, or empty
   */
  record Verdict(boolean commit, String reason, String member) {
    public static final Verdict COMMIT = new Verdict(true, "", "");
  }

  Verdict decide(List<Member> members, Map<String, FreezeReply> frozen, Map<String, ThawReply> thawed);

  /** Commit iff every member answered FROZEN and then unbroken. */
  DecisionRule STRICT = (members, frozen, thawed) -> {
    for (Member m : members) {
      FreezeReply f = frozen.get(m.agentId());
      if (f == null || !f.frozen()) {
        return new Verdict(false, "member " + m.agentId() + " did not answer FROZEN"
            + (f == null ? "" : ": " + f.reason()), m.agentId());
      }
      ThawReply t = thawed.get(m.agentId());
      if (t == null || !t.unbroken()) {
        return new Verdict(false, "hold on " + m.agentId() + " was broken"
            + (t == null ? " (no THAW answer)" : ": " + t.reason()), m.agentId());
      }
    }
    return Verdict.COMMIT;
  };
}
