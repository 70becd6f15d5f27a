package io.groupsnap.coordinator.txn;

import java.util.List;

/** What members answer, as domain values; a failed call is mapped to the negative answer with the failure as reason. */
public final class Replies {
  private Replies() {}

  /** A PREPARE vote. */
  public record PrepareReply(boolean ok, boolean retryable, String reason) {
    public static PrepareReply failed(String reason) {
      return new PrepareReply(false, true, reason);
    }
  }

  /** A volume captured while frozen. */
  public record Captured(String volume, String path, long snapshotMillis) {}

  /** A FREEZE answer: FROZEN with captures, or why not. */
  public record FreezeReply(boolean frozen, String reason, List<Captured> captured, long freezeStartedAtMillis,
      long timeToFrozenMillis) {
    public FreezeReply {
      captured = List.copyOf(captured);
    }

    public static FreezeReply failed(String reason) {
      return new FreezeReply(false, reason, List.of(), 0, 0);
    }
  }

  /** A THAW answer: whether the hold was unbroken since FROZEN. */
  public record ThawReply(boolean unbroken, String reason, long thawedAtMillis, long heldMillis) {
    public static ThawReply failed(String reason) {
      return new ThawReply(false, reason, 0, 0);
    }
  }

  /** A COMMIT or ABORT acknowledgement. */
  public record Ack(boolean ok, String error) {
    public static final Ack OK = new Ack(true, "");
  }
}
