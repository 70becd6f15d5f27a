package io.groupsnap.coordinator.audit;

import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.api.MissingAgentsException;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AuditOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * What an audited call's end is recorded as: the outcome an exception means, and the shape every asynchronous audited
 * call shares ({@link #around}): STARTED recorded before anything is done, then one outcome when the call is refused
 * at once, fails later, or is answered.
 */
public final class AuditOutcomes {
  /** An outcome and its one-line reason. */
  public record Outcome(AuditOutcome outcome, String reason) {}

  /** An answered call's outcome, with the group snapshot it turned out to be about. */
  public record Ended(AuditOutcome outcome, String reason, String groupSnapshotId) {}

  /** One call's work, started once its request is on record. */
  @FunctionalInterface
  public interface Work<T> {
    CompletableFuture<T> start() throws Exception;
  }

  private AuditOutcomes() {}

  public static String reason(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /**
   * For a call refused: bad input (INVALID_ARGUMENT), the cluster's state (REFUSED: a member busy or missing, a
   * damaged record), anything else FAILED.
   */
  public static Outcome of(Throwable e) {
    AuditOutcome o;
    if (e instanceof IllegalArgumentException || e instanceof NotFoundException
        || e instanceof AlreadyExistsException) {
      o = AuditOutcome.AUDIT_INVALID_ARGUMENT;
    } else if (e instanceof IllegalStateException || e instanceof MissingAgentsException
        || e instanceof DamagedRecordException) {
      o = AuditOutcome.AUDIT_REFUSED;
    } else {
      o = AuditOutcome.AUDIT_FAILED;
    }
    return new Outcome(o, reason(e));
  }

  /**
   * Runs {@code work} audited as {@code call}: STARTED first (an audit trail that cannot be written refuses the call,
   * nothing done), then the outcome {@code judge} gives the answer, or {@link #of} the exception it was refused or
   * failed with.
   *
   * @param groupSnapshotId what the request names, for the entries written before an answer
   */
  public static <T> CompletableFuture<T> around(AuditTrail.Call call, String groupSnapshotId, Work<T> work,
      Function<T, Ended> judge) throws Exception {
    call.started(groupSnapshotId);
    CompletableFuture<T> f;
    try {
      f = work.start();
    } catch (Exception e) {
      Outcome o = of(e);
      call.finished(o.outcome(), o.reason(), groupSnapshotId);
      throw e;
    }
    return f.whenComplete((r, e) -> {
      if (e == null) {
        Ended end = judge.apply(r);
        call.finished(end.outcome(), end.reason(), end.groupSnapshotId());
      } else {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        Outcome o = of(t);
        call.finished(o.outcome(), o.reason(), groupSnapshotId);
      }
    });
  }
}
