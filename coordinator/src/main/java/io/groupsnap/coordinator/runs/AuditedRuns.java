package io.groupsnap.coordinator.runs;

import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.audit.AuditArguments;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.BackupRun;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The backup calls with StartBackupRun and DeleteBackupRun audited ({@link AuditTrail}): the request is recorded
 * before the call acts (a request that cannot be recorded is refused, nothing done), its outcome once it ended. On a
 * coordinator that is not the acting leader they pass through unaudited (refused as NOT_LEADER without acting).
 * Reads pass through. Thread-safe.
 */
public final class AuditedRuns implements BackupCalls {
  private final BackupCalls inner;
  private final AuditTrail trail;
  private final Supplier<Identity> caller;
  private final BooleanSupplier leads;

  public AuditedRuns(BackupCalls inner, AuditTrail trail, Supplier<Identity> caller, BooleanSupplier leads) {
    this.inner = inner;
    this.trail = trail;
    this.caller = caller;
    this.leads = leads;
  }

  @Override
  public BackupRun start(String group, String runId) throws Exception {
    if (!leads.getAsBoolean()) {
      return inner.start(group, runId);
    }
    AuditTrail.Call call = trail.call(caller.get(), "StartBackupRun",
        AuditArguments.of().with("group", group).with("id", runId));
    call.started("");
    try {
      BackupRun r = inner.start(group, runId);
      call.finished(AuditOutcome.AUDIT_SUCCEEDED, "started run " + r.getId(), "");
      return r;
    } catch (Exception e) {
      call.finished(outcome(e), reason(e), "");
      throw e;
    }
  }

  @Override
  public BackupRun get(String id) throws Exception {
    return inner.get(id);
  }

  @Override
  public Listing<BackupRun> list(String group, boolean includeDeleted) throws Exception {
    return inner.list(group, includeDeleted);
  }

  @Override
  public CompletableFuture<BackupRun> delete(String id) throws Exception {
    if (!leads.getAsBoolean()) {
      return inner.delete(id);
    }
    AuditTrail.Call call = trail.call(caller.get(), "DeleteBackupRun", AuditArguments.of().with("id", id));
    call.started("");
    CompletableFuture<BackupRun> f;
    try {
      f = inner.delete(id);
    } catch (Exception e) {
      call.finished(outcome(e), reason(e), "");
      throw e;
    }
    return f.whenComplete((r, e) -> {
      if (e == null) {
        call.finished(AuditOutcome.AUDIT_SUCCEEDED, "deleted", r.getGroupSnapshotId());
      } else {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        call.finished(AuditOutcome.AUDIT_FAILED, reason(t), "");
      }
    });
  }

  private static AuditOutcome outcome(Throwable e) {
    if (e instanceof IllegalArgumentException || e instanceof NotFoundException
        || e instanceof AlreadyExistsException) {
      return AuditOutcome.AUDIT_INVALID_ARGUMENT;
    }
    if (e instanceof IllegalStateException || e instanceof DamagedRecordException) {
      return AuditOutcome.AUDIT_REFUSED;
    }
    return AuditOutcome.AUDIT_FAILED;
  }

  private static String reason(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
