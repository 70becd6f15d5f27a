package io.groupsnap.coordinator.restores;

import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.audit.AuditArguments;
import io.groupsnap.coordinator.audit.AuditOutcomes;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Restores audited ({@link AuditTrail}, DESIGN.md G7): the request is recorded before anything is asked of an agent
 * (a request that cannot be recorded is refused, nothing done), its outcome once every member finished. On a
 * coordinator that is not the acting leader the call passes through unaudited, to be refused as NOT_LEADER.
 */
public final class AuditedRestores implements RestoreCalls {
  private final RestoreCalls inner;
  private final AuditTrail trail;
  private final Supplier<Identity> caller;
  private final BooleanSupplier leads;

  public AuditedRestores(RestoreCalls inner, AuditTrail trail, Supplier<Identity> caller, BooleanSupplier leads) {
    this.inner = inner;
    this.trail = trail;
    this.caller = caller;
    this.leads = leads;
  }

  @Override
  public CompletableFuture<RestoreGroupSnapshotResponse> restore(RestoreGroupSnapshotRequest req) throws Exception {
    if (!leads.getAsBoolean()) {
      return inner.restore(req);
    }
    AuditArguments args = AuditArguments.of().with("id", req.getGroupSnapshotId())
        .with("run", req.getBackupRunId()).with("to", req.getTo()).with("targets", req.getTargetsCount())
        .flag("verify", req.getVerify());
    return AuditOutcomes.around(trail.call(caller.get(), "RestoreGroupSnapshot", args), req.getGroupSnapshotId(),
        () -> inner.restore(req), r -> new AuditOutcomes.Ended(r.getOk() ? AuditOutcome.AUDIT_SUCCEEDED
            : AuditOutcome.AUDIT_FAILED, req.getVerify()
            ? (r.getOk() ? "VERIFIED " : "FAILED: " + r.getVerificationReason() + " ") + "(" + r.getRestoreId() + ")"
            : r.getOk() ? "restored " + r.getMembersCount() + " members (" + r.getRestoreId() + ")"
            : "some members failed (" + r.getRestoreId() + ")", r.getGroupSnapshotId()));
  }
}
