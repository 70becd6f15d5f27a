package io.groupsnap.coordinator.verification;

import io.groupsnap.coordinator.runs.RunRecords;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.Verification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Decides whether a group's verify policy ({@code GroupSpec.verify}) asks for a test restore now, from the group's
 * run records alone — so that a new leader decides as its predecessor would have. Pure and stateless.
 *
 * <p>The rule: verify the group's newest COMPLETED run when it has no VERIFIED verdict yet (never verified, or its
 * last verdict FAILED) and the group's last verification of any run — scheduled or by {@code groupsnap verify} — is
 * at least {@code verify.every_millis} old. Never while a run of the group is going (its group snapshot is not taken
 * yet, and the members are busy). A newest run already VERIFIED is not verified again: the next one is the next run
 * to complete. A FAILED verdict is tried again once the interval has passed, never sooner.
 */
public final class VerifyPlanner {
  private VerifyPlanner() {}

  /** What a pass does about one group. */
  public enum Action {
    /** Start a test restore of {@link Decision#runId}. */
    VERIFY,
    /** Something to verify, but not now (the reason says until when or what it waits for). */
    WAIT,
    /** Nothing to verify: no policy, no completed run, or the newest one is verified. */
    NOTHING
  }

  /**
   * @param runId the run to verify (VERIFY), or the run the decision is about; empty when none
   * @param why one line, for the log and tests
   */
  public record Decision(Action action, String runId, String why) {
    static Decision nothing(String why) {
      return new Decision(Action.NOTHING, "", why);
    }
  }

  /** The group's interval, or {@link Duration#ZERO} when it has no verify policy. */
  public static Duration every(GroupSpec g) {
    return Duration.ofMillis(Math.max(0, g.getVerify().getEveryMillis()));
  }

  /**
   * @param runs the group's runs, any order (DELETED ones too: their last verification counts)
   * @param now the leader's clock
   */
  public static Decision decide(GroupSpec g, List<BackupRun> runs, Instant now) {
    Duration every = every(g);
    if (every.isZero()) {
      return Decision.nothing("no verify policy");
    }
    BackupRun newest = null;
    long lastVerifiedAt = 0;
    for (BackupRun r : runs) {
      if (RunRecords.going(r.getState())) {
        return new Decision(Action.WAIT, r.getId(), "backup run " + r.getId() + " of the group is going");
      }
      lastVerifiedAt = Math.max(lastVerifiedAt, r.getLastVerifiedAtMillis());
      if (r.getState() == RunState.RUN_COMPLETED && (newest == null || newer(r, newest))) {
        newest = r;
      }
    }
    if (newest == null) {
      return Decision.nothing("no completed backup run");
    }
    if (newest.getLastVerification() == Verification.VERIFIED) {
      return new Decision(Action.NOTHING, newest.getId(), "the newest completed run " + newest.getId()
          + " is verified");
    }
    Instant due = Instant.ofEpochMilli(lastVerifiedAt).plus(every);
    if (lastVerifiedAt > 0 && now.isBefore(due)) {
      return new Decision(Action.WAIT, newest.getId(), "the group was last verified at "
          + Instant.ofEpochMilli(lastVerifiedAt) + "; next at " + due);
    }
    return new Decision(Action.VERIFY, newest.getId(), newest.getLastVerification() == Verification.VERIFICATION_FAILED
        ? "its last verification FAILED at " + Instant.ofEpochMilli(newest.getLastVerifiedAtMillis())
        : "never verified");
  }

  /** Created later, the id breaking ties (ids start with the UTC time). */
  private static boolean newer(BackupRun a, BackupRun b) {
    return a.getCreatedAtMillis() != b.getCreatedAtMillis() ? a.getCreatedAtMillis() > b.getCreatedAtMillis()
        : a.getId().compareTo(b.getId()) > 0;
  }
}
