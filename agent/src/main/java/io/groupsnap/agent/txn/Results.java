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

  /** What an abort undid. */
  public record AbortResult(int deleted, boolean wasFrozen) {}
}
