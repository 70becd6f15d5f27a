package io.groupsnap.coordinator.inplace;

import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.audit.AuditArguments;
import io.groupsnap.coordinator.audit.AuditOutcomes;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * In-place restores audited ({@link AuditTrail}, DESIGN.md G7), as {@code AuditedRestores} audits restores: a
 * request (restore, confirm, rollback) is recorded before anything is asked of an agent (one that cannot be recorded
 * is refused, nothing done), its outcome once the call is answered. Reads pass through. On a coordinator that is not
 * the acting leader the call passes through unaudited, to be refused as NOT_LEADER.
 */
public final class AuditedInPlace implements InPlaceCalls {
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
      AuditOutcomes.Work<InPlaceRestore> work) throws Exception {
    if (!leads.getAsBoolean()) {
      return work.start();
    }
    return AuditOutcomes.around(trail.call(caller.get(), method, args), groupSnapshotId, work, r -> {
      boolean failed = r.getState() == InPlaceState.IN_PLACE_CANCELLED;
      String what = r.getRestoreId().isEmpty() ? "checked (dry run)" : InPlaceStates.label(r.getState())
          + (r.getReason().isEmpty() || !failed ? "" : ": " + r.getReason()) + " (" + r.getRestoreId() + ")";
      return new AuditOutcomes.Ended(failed ? AuditOutcome.AUDIT_FAILED : AuditOutcome.AUDIT_SUCCEEDED, what,
          r.getGroupSnapshotId());
    });
  }
}
