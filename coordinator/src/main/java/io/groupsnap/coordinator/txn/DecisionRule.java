package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.Failure;
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
   * @param abort why not (null when committing)
   */
  record Verdict(boolean commit, AbortReason abort) {
    public static final Verdict COMMIT = new Verdict(true, null);

    public static Verdict abort(AbortReason why) {
      return new Verdict(false, why);
    }

    /** Why not, for the operator; empty when committing. */
    public String reason() {
      return commit ? "" : abort.sentence();
    }

    /** The agent that caused the abort, or empty. */
    public String member() {
      return commit ? "" : abort.member();
    }
  }

  Verdict decide(List<Member> members, Map<String, FreezeReply> frozen, Map<String, ThawReply> thawed);

  /** Commit iff every member answered FROZEN and then unbroken. */
  DecisionRule STRICT = (members, frozen, thawed) -> {
    for (Member m : members) {
      String id = m.agentId();
      FreezeReply f = frozen.get(id);
      if (f == null) {
        return Verdict.abort(AbortReason.noAnswer(TxnState.FREEZING, id, Failure.TIMED_OUT, "no FROZEN answer"));
      }
      if (!f.frozen()) {
        return Verdict.abort(f.failure() != Failure.NONE ? AbortReason.noAnswer(TxnState.FREEZING, id, f.failure(),
            f.reason()) : AbortReason.notFrozen(id, f.reason()));
      }
      ThawReply t = thawed.get(id);
      if (t == null) {
        return Verdict.abort(AbortReason.noAnswer(TxnState.THAWING, id, Failure.TIMED_OUT, "no THAW answer"));
      }
      if (!t.unbroken()) {
        return Verdict.abort(t.failure() != Failure.NONE ? AbortReason.noAnswer(TxnState.THAWING, id, t.failure(),
            t.reason()) : AbortReason.brokenHold(id, t.reason()));
      }
    }
    return Verdict.COMMIT;
  };
}
