package io.groupsnap.coordinator.txn;

import io.groupsnap.proto.v1.MemberState;
import java.util.List;

/**
 * What members answer, as domain values. A call that brought no answer is mapped to the negative answer whose
 * {@link Failure} says why (a missed call deadline, an unreachable agent, an error status) and whose reason carries
 * the details: a failed call is never mistaken for a vote.
 */
public final class Replies {
  private Replies() {}

  /** Why a call brought no answer from the agent; {@link #NONE} when the agent answered. */
  public enum Failure {
    /** The agent answered. */
    NONE,
    /** The call's own deadline passed before an answer came. */
    TIMED_OUT,
    /** The agent could not be reached: connection refused, not registered, circuit open, too many calls. */
    UNREACHABLE,
    /** The agent answered with an error status: the wrong phase, a stale epoch, a local failure. */
    REFUSED
  }

  /** A PREPARE vote, or ({@code failure != NONE}) no vote at all. */
  public record PrepareReply(boolean ok, boolean retryable, String reason, Failure failure) {
    /** A vote the agent gave. */
    public PrepareReply(boolean ok, boolean retryable, String reason) {
      this(ok, retryable, reason, Failure.NONE);
    }

    public static PrepareReply failed(Failure failure, String reason) {
      return new PrepareReply(false, true, reason, failure);
    }
  }

  /** A volume captured while frozen. */
  public record Captured(String volume, String path, long snapshotMillis) {}

  /** A FREEZE answer: FROZEN with captures, or why not; {@code failure != NONE}: no answer at all. */
  public record FreezeReply(boolean frozen, String reason, List<Captured> captured, long freezeStartedAtMillis,
      long timeToFrozenMillis, Failure failure) {
    public FreezeReply {
      captured = List.copyOf(captured);
    }

    /** An answer the agent gave. */
    public FreezeReply(boolean frozen, String reason, List<Captured> captured, long freezeStartedAtMillis,
        long timeToFrozenMillis) {
      this(frozen, reason, captured, freezeStartedAtMillis, timeToFrozenMillis, Failure.NONE);
    }

    public static FreezeReply failed(Failure failure, String reason) {
      return new FreezeReply(false, reason, List.of(), 0, 0, failure);
    }
  }

  /** A THAW answer: whether the hold was unbroken since FROZEN; {@code failure != NONE}: no answer at all. */
  public record ThawReply(boolean unbroken, String reason, long thawedAtMillis, long heldMillis, Failure failure) {
    /** An answer the agent gave. */
    public ThawReply(boolean unbroken, String reason, long thawedAtMillis, long heldMillis) {
      this(unbroken, reason, thawedAtMillis, heldMillis, Failure.NONE);
    }

    public static ThawReply failed(Failure failure, String reason) {
      return new ThawReply(false, reason, 0, 0, failure);
    }
  }

  /**
   * What an agent told of its hold when it confirmed an ABORT: the furthest phase it reached and its timings.
   * {@link #NONE} when it knew nothing of the transaction (never prepared there, or forgotten by a restart).
   *
   * @param reached PREPARED, FROZEN, THAWED or ABORTED; UNSPECIFIED when it knew nothing
   * @param heldMillis from accepting FREEZE until the hold ended; 0 when it never froze
   * @param leaseExpired the hold ended because its lease ran out
   */
  public record Held(MemberState reached, long freezeStartedAtMillis, long timeToFrozenMillis, long heldMillis,
      boolean leaseExpired) {
    public static final Held NONE = new Held(MemberState.MEMBER_STATE_UNSPECIFIED, 0, 0, 0, false);

    public boolean known() {
      return reached != MemberState.MEMBER_STATE_UNSPECIFIED;
    }
  }

  /**
   * A COMMIT or ABORT acknowledgement. {@code ok} false: not confirmed, {@code error} says why and {@code failure}
   * whether the call failed. An ABORT's acknowledgement carries the agent's {@link Held} report.
   */
  public record Ack(boolean ok, String error, Failure failure, Held held) {
    public static final Ack OK = new Ack(true, "", Failure.NONE, Held.NONE);

    /** An ABORT confirmed with what the agent knew of its hold. */
    public static Ack aborted(Held held) {
      return new Ack(true, "", Failure.NONE, held);
    }

    /** Not confirmed: the agent answered, but not as asked (e.g. kept fewer captures than it was asked to). */
    public static Ack refused(String error) {
      return new Ack(false, error, Failure.NONE, Held.NONE);
    }

    /** No answer: the call failed. */
    public static Ack failed(Failure failure, String error) {
      return new Ack(false, error, failure, Held.NONE);
    }
  }

  /**
   * A DELETE answer: how many captures the agent deleted ({@code ok}), or why it did not ({@code error}; {@code
   * failure != NONE} when the call brought no answer). Deleting what is already gone is a success with 0.
   */
  public record Deleted(boolean ok, int captures, String error, Failure failure) {
    public static Deleted of(int captures) {
      return new Deleted(true, captures, "", Failure.NONE);
    }

    public static Deleted failed(Failure failure, String error) {
      return new Deleted(false, 0, error, failure);
    }
  }
}
