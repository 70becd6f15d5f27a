package io.groupsnap.coordinator.inplace;

import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.audit.AuditArguments;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * In-place restores audited ({@link AuditTrail}, DESIGN.md G7), as {@code AuditedRestores} audits restores: a
 * request (restore, confirm, rollback) is recorded before anything is asked of an agent (one that cannot be recorded
 * is refused, nothing done), its outcome once the call is answered. Reads pass through. On a coordinator that is not
 * the acting leader the call passes through unaudited, to be refused as NOT_LEADER.
 */
public final class AuditedInPlace implements InPlaceCalls {
  /** One audited call's work. */
  @FunctionalInterface
  private interface Work {
    CompletableFuture<InPlaceRestore> start() throws Exception;
  }

  private final InPlaceCalls inner;
  private final AuditTrail trail;
  private final Supplier<Identity> caller;
  private final BooleanSupplier leads;

  public AuditedInPlace(InPlaceCalls inner, AuditTrail trail, Supplier<Identity> caller, BooleanSupplier leads) {
    this.inner = inner;
    this.trail = trail;
    this.caller = caller;
    this.leads = leads;
  }

  @Override
  public CompletableFuture<InPlaceRestore> restore(RestoreInPlaceRequest req) throws Exception {
    AuditArguments args = AuditArguments.of().with("id", req.getGroupSnapshotId()).with("run", req.getBackupRunId())
        .with("keep_seconds", req.getKeepSeconds()).flag("dry_run", req.getDryRun());
    return audited("RestoreInPlace", args, req.getGroupSnapshotId(), () -> inner.restore(req));
  }

  @Override
  public InPlaceRestore get(String restoreId) throws Exception {
    return inner.get(restoreId);
  }

  @Override
  public Listing<InPlaceRestore> list() throws Exception {
    return inner.list();
  }

  @Override
  public CompletableFuture<InPlaceRestore> confirm(String restoreId) throws Exception {
    return audited("ConfirmInPlaceRestore", AuditArguments.of().with("restore_id", restoreId), "",
        () -> inner.confirm(restoreId));
  }

  @Override
  public CompletableFuture<InPlaceRestore> rollback(String restoreId) throws Exception {
    return audited("RollbackInPlaceRestore", AuditArguments.of().with("restore_id", restoreId), "",
        () -> inner.rollback(restoreId));
  }

  private CompletableFuture<InPlaceRestore> audited(String method, AuditArguments args, String groupSnapshotId,
      Work work) throws Exception {
    if (!leads.getAsBoolean()) {
      return work.start();
    }
    AuditTrail.Call call = trail.call(caller.get(), method, args);
    call.started(groupSnapshotId);
    CompletableFuture<InPlaceRestore> f;
    try {
      f = work.start();
    } catch (Exception e) {
      call.finished(outcome(e), String.valueOf(e.getMessage()), groupSnapshotId);
      throw e;
    }
    return f.whenComplete((r, e) -> {
      if (e == null) {
        boolean failed = r.getState() == InPlaceState.IN_PLACE_CANCELLED;
        String what = r.getRestoreId().isEmpty() ? "checked (dry run)" : InPlaceStates.label(r.getState())
            + (r.getReason().isEmpty() || !failed ? "" : ": " + r.getReason()) + " (" + r.getRestoreId() + ")";
        call.finished(failed ? AuditOutcome.AUDIT_FAILED : AuditOutcome.AUDIT_SUCCEEDED, what,
            r.getGroupSnapshotId());
      } else {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        call.finished(outcome(t), String.valueOf(t.getMessage()), groupSnapshotId);
      }
    });
  }

  private static AuditOutcome outcome(Throwable e) {
    return e instanceof IllegalArgumentException || e instanceof NotFoundException
        ? AuditOutcome.AUDIT_INVALID_ARGUMENT : AuditOutcome.AUDIT_FAILED;
  }
}
