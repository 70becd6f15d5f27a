package io.groupsnap.agent.txn;

import java.nio.file.Path;
import java.util.List;

/** The agent's answers to each phase, as domain values (the gRPC adapter maps them to messages). */
public final class Results {
  private Results() {}

  /** The vote at prepare. */
  public record PrepareResult(boolean ok, boolean retryable, String reason, List<String> volumes) {
    static PrepareResult yes(List<String> volumes) {
      return new PrepareResult(true, false, "", volumes);
    }

    static PrepareResult no(boolean retryable, String reason) {
      return new PrepareResult(false, retryable, reason, List.of());
    }
  }

  /** One volume captured while frozen. */
  public record Capture(String volume, Path path, long snapshotMillis) {}

  /** FROZEN with the captures, or why not. */
  public record FreezeResult(boolean frozen, boolean retryable, String reason, List<Capture> captures,
      long freezeStartedAtMillis, long timeToFrozenMillis) {}

  /** Whether the hold lasted, unbroken, from the FROZEN answer until this thaw. */
  public record ThawResult(boolean unbroken, String brokenReason, long thawedAtMillis, long heldMillis,
      long thawMillis) {}

  /**
   * What this agent knew of a transaction's hold when the ABORT came, so that a leader aborting a transaction its
   * predecessor left undecided can record it. {@link #NONE} when it knew nothing (never prepared here, forgotten).
   *
   * @param reached how far it got here: PREPARED, FREEZING (FREEZE accepted, not yet frozen), FROZEN, THAWED,
   *     ABORTED; null with NONE
   * @param freezeStartedAtMillis wall clock when it accepted FREEZE; 0 when it never did
   * @param heldMillis from accepting FREEZE until the hold ended (or until now, if this ABORT ends it)
   * @param leaseExpired the hold ended because its lease ran out
   */
  public record HoldReport(AgentTxnState reached, long freezeStartedAtMillis, long timeToFrozenMillis,
      long heldMillis, boolean leaseExpired) {
    public static final HoldReport NONE = new HoldReport(null, 0, 0, 0, false);
  }

  /** What an abort undid, and what the agent knew of the transaction's hold. */
  public record AbortResult(int deleted, boolean wasFrozen, HoldReport report) {
    public AbortResult(int deleted, boolean wasFrozen) {
      this(deleted, wasFrozen, HoldReport.NONE);
    }
  }
}
