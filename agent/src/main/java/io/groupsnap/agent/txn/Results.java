package io.groupsnap.agent.txn;

import java.nio.file.Path;
import java.util.List;

/** The agent's answers to each phase, as domain values (the gRPC adapter maps them to messages). */
public final class Results {
  private Results() {}

  /** What a PREPARE answers. */
  public enum Vote {
    /** Prepared: the agent waits for FREEZE. */
    YES,
    /** Refused for now; the same request later may succeed. */
    NO_RETRYABLE,
    /** Refused; the same request will be refused again. */
    NO,
    /** The transaction was already aborted on this agent: it cannot be prepared (again). */
    ABORTED
  }

  /** The vote at prepare, with the reason of any refusal and, when YES, the volumes that will be captured. */
  public record PrepareResult(Vote vote, String reason, List<String> volumes) {
    public PrepareResult {
      volumes = List.copyOf(volumes);
    }

    public boolean ok() {
      return vote == Vote.YES;
    }

    /** Whether a refusal may go away if asked again (false for YES). */
    public boolean retryable() {
      return vote == Vote.NO_RETRYABLE;
    }

    static PrepareResult yes(List<String> volumes) {
      return new PrepareResult(Vote.YES, "", volumes);
    }

    static PrepareResult no(boolean retryable, String reason) {
      return new PrepareResult(retryable ? Vote.NO_RETRYABLE : Vote.NO, reason, List.of());
    }

    static PrepareResult aborted(String reason) {
      return new PrepareResult(Vote.ABORTED, reason, List.of());
    }
  }

  /** One volume captured while frozen. */
  public record Capture(String volume, Path path, long snapshotMillis) {}

  /** How a FREEZE ended. */
  public enum FreezeOutcome {
    /** Everything is held and every volume captured. */
    FROZEN,
    /** This FREEZE failed (and released what it held); a later transaction may succeed. */
    FAILED,
    /** The transaction had already been aborted on this agent when this FREEZE came: nothing was done. */
    ABORTED
  }

  /** FROZEN with the captures, or why not. */
  public record FreezeResult(FreezeOutcome outcome, String reason, List<Capture> captures,
      long freezeStartedAtMillis, long timeToFrozenMillis) {
    public FreezeResult {
      captures = List.copyOf(captures);
    }

    public boolean frozen() {
      return outcome == FreezeOutcome.FROZEN;
    }

    /** Whether a failure may go away in a later transaction (false for FROZEN and ABORTED). */
    public boolean retryable() {
      return outcome == FreezeOutcome.FAILED;
    }

    static FreezeResult aborted(String reason) {
      return new FreezeResult(FreezeOutcome.ABORTED, reason, List.of(), 0, 0);
    }
  }

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
