package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.proto.v1.AbortCause;
import java.time.Duration;
import java.util.List;

/**
 * Why a transaction aborted, as a type: the {@link AbortCause}, the phase it happened in and the member(s) it
 * concerns, with the one sentence an operator reads. Sentences are made here and nowhere else, so that a timeout is
 * always told as a timeout and a vote as a vote.
 *
 * @param cause what kind of failure
 * @param phase the leader's state when it happened
 * @param members the agents it concerns, first the one recorded as {@code abort_member}; may be empty
 * @param sentence the reason for people
 */
public record AbortReason(AbortCause cause, TxnState phase, List<String> members, String sentence) {
  public AbortReason {
    members = List.copyOf(members);
  }

  /** The member recorded as having caused the abort, or empty. */
  public String member() {
    return members.isEmpty() ? "" : members.get(0);
  }

  /** A member voted NO at PREPARE. */
  public static AbortReason votedNo(String member, boolean retryable, String why) {
    return new AbortReason(AbortCause.ABORT_VOTED_NO, TxnState.PREPARING, List.of(member),
        "member " + member + " voted NO at prepare (" + (retryable ? "retryable" : "final") + "): " + why);
  }

  /** The phase's own deadline (the transaction's timer) passed without an answer from {@code late}. */
  public static AbortReason timedOut(TxnState phase, Duration limit, List<String> late) {
    String sentence = switch (phase) {
      case PREPARING -> "no PREPARE answer within " + limit.toMillis() + "ms from " + late;
      case FREEZING -> "no FROZEN answer within the freeze timeout of " + limit.toMillis() + "ms from " + late;
      case THAWING -> "no THAW answer within " + limit.toMillis() + "ms from " + late;
      default -> "no answer within " + limit.toMillis() + "ms at " + phase + " from " + late;
    };
    return new AbortReason(AbortCause.ABORT_TIMED_OUT, phase, late, sentence);
  }

  /** A call to {@code member} brought no answer ({@code failure} is not {@link Failure#NONE}). */
  public static AbortReason noAnswer(TxnState phase, String member, Failure failure, String why) {
    String call = call(phase);
    return switch (failure) {
      case TIMED_OUT -> new AbortReason(AbortCause.ABORT_TIMED_OUT, phase, List.of(member),
          "member " + member + " did not answer " + call + " in time: " + why);
      case UNREACHABLE -> new AbortReason(AbortCause.ABORT_UNREACHABLE, phase, List.of(member),
          "member " + member + " could not be reached for " + call + ": " + why);
      case REFUSED, NONE -> new AbortReason(AbortCause.ABORT_REFUSED, phase, List.of(member),
          "member " + member + " refused " + call + ": " + why);
    };
  }

  /** A member answered FREEZE without freezing (or without a capture of every volume). */
  public static AbortReason notFrozen(String member, String why) {
    return new AbortReason(AbortCause.ABORT_NOT_FROZEN, TxnState.FREEZING, List.of(member),
        "member " + member + " could not freeze: " + why);
  }

  /** A member's hold ended before THAW. */
  public static AbortReason brokenHold(String member, String why) {
    return new AbortReason(AbortCause.ABORT_BROKEN_HOLD, TxnState.THAWING, List.of(member),
        "hold on " + member + " was broken: " + why);
  }

  /** The leader could not write the record of {@code phase} (BEGINNING: the transaction; COMMITTING: the commit). */
  public static AbortReason recordNotWritten(TxnState phase, String error) {
    return new AbortReason(AbortCause.ABORT_RECORD_NOT_WRITTEN, phase, List.of(),
        (phase == TxnState.COMMITTING ? "could not record the commit: " : "could not record the transaction: ")
            + error);
  }

  /**
   * A record left undecided, found by the leader of {@code epoch}: its leader (of {@code recordEpoch}) was lost before
   * the decision — or, the same epoch, this leader's own transaction ended on a record write whose outcome was unknown
   * (the commit's, say) and that did not land.
   */
  public static AbortReason leftUndecided(long recordEpoch, long epoch) {
    if (recordEpoch == epoch) {
      return new AbortReason(AbortCause.ABORT_RECORD_NOT_WRITTEN, TxnState.IN_DOUBT, List.of(),
          "no decision was recorded (a record write's outcome was unknown and it did not land); the leader of epoch "
              + epoch + " aborted it");
    }
    return new AbortReason(AbortCause.ABORT_LEADER_LOST, TxnState.IN_DOUBT, List.of(),
        "leader changed before the decision (the leader of epoch " + recordEpoch + " was lost; epoch " + epoch
            + " aborted it)");
  }

  private static String call(TxnState phase) {
    return switch (phase) {
      case PREPARING -> "PREPARE";
      case FREEZING -> "FREEZE";
      case THAWING -> "THAW";
      case FINALIZING -> "COMMIT";
      case ABORTING -> "ABORT";
      default -> phase.name();
    };
  }
}
