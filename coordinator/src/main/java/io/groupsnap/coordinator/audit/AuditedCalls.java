package io.groupsnap.coordinator.audit;

import io.groupsnap.common.GroupSnapshotIds;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.api.MissingAgentsException;
import io.groupsnap.coordinator.scrub.Scrubber;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.MemberSelector;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The coordinator's calls with every mutating one audited ({@link AuditTrail}): the request is recorded before the
 * call is made (when that fails, the call is refused with {@link AuditUnavailableException} and nothing is done), its
 * outcome once it has ended. Reads pass through unaudited.
 *
 * <p>A create without an id is given one here, so that its STARTED entry names the group snapshot. Its outcome is
 * recorded on the audit lane once the transaction is final (a failure after the call began acting is FAILED, with
 * the error as its reason) — after the decision and the thaw, never on the
 * transaction's lane — and the caller's future completes after that write. A call made to a coordinator that is not
 * the acting leader goes through unaudited: it is refused as NOT_LEADER without acting, and the CLI sends it on to
 * the leader, which records it. {@link #call} is the entry point for calls to come (groups, schedules, restores).
 * Thread-safe.
 */
public final class AuditedCalls implements CoordinatorCalls {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A call's body, run after its STARTED entry is on record. */
  @FunctionalInterface
  public interface Body<T> {
    T run() throws Exception;
  }

  private final CoordinatorCalls inner;
  private final AuditTrail trail;
  private final Supplier<Identity> caller;
  private final BooleanSupplier leads;
  private final Executor auditLane;

  /**
   * @param caller who is calling, read on the calling thread (the gRPC edge passes {@code Callers::current})
   * @param leads whether this process is the acting leader now (else mutating calls are passed on unaudited)
   * @param auditLane where outcome entries of asynchronous calls are written (never a transaction's lane)
   */
  public AuditedCalls(CoordinatorCalls inner, AuditTrail trail, Supplier<Identity> caller, BooleanSupplier leads,
      Executor auditLane) {
    this.inner = inner;
    this.trail = trail;
    this.caller = caller;
    this.leads = leads;
    this.auditLane = auditLane;
  }

  /**
   * Runs a synchronous mutating call audited: STARTED, then the body, then SUCCEEDED or the outcome its exception
   * means ({@link Outcomes}).
   *
   * @param groupSnapshotId the group snapshot it is about, or empty
   * @param reason the reason recorded for a result (e.g. "forgotten"), or null
   */
  public <T> T call(String method, AuditArguments arguments, String groupSnapshotId, Body<T> body,
      java.util.function.Function<T, String> reason) throws Exception {
    if (!leads.getAsBoolean()) {
      return body.run();
    }
    AuditTrail.Call call = trail.call(caller.get(), method, arguments);
    call.started(groupSnapshotId);
    T result;
    try {
      result = body.run();
    } catch (Exception e) {
      AuditOutcomes.Outcome o = AuditOutcomes.of(e);
      call.finished(o.outcome(), o.reason(), groupSnapshotId);
      throw e;
    }
    call.finished(AuditOutcome.AUDIT_SUCCEEDED, reason == null ? "" : reason.apply(result), groupSnapshotId);
    return result;
  }

  @Override
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(String id, List<MemberSelector> selectors,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, boolean allowMissing,
      TransactionDriver.Progress progress) throws Exception {
    if (!leads.getAsBoolean()) {
      return inner.createGroupSnapshot(id, selectors, freezeTimeout, lease, prepareTimeout, allowMissing, progress);
    }
    String txnId = id == null || id.isEmpty() ? GroupSnapshotIds.mint(trail.clock().instant(), RANDOM) : id;
    AuditTrail.Call call = trail.call(caller.get(), "CreateGroupSnapshot", AuditArguments.of()
        .with("id", id).with("members", members(selectors)).flag("allow_missing", allowMissing)
        .with("freeze_timeout_ms", millis(freezeTimeout)).with("lease_ms", millis(lease))
        .with("prepare_timeout_ms", millis(prepareTimeout)));
    call.started(txnId);
    CompletableFuture<GroupSnapshot> result;
    try {
      result = inner.createGroupSnapshot(txnId, selectors, freezeTimeout, lease, prepareTimeout, allowMissing,
          progress);
    } catch (Exception e) {
      AuditOutcomes.Outcome o = AuditOutcomes.of(e);
      call.finished(o.outcome(), o.reason(), txnId);
      throw e;
    }
    return decided(result, call, txnId);
  }

  @Override
  public CompletableFuture<GroupSnapshot> createGroupSnapshotOfGroup(String id, String group, String runId,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, TransactionDriver.Progress progress)
      throws Exception {
    if (!leads.getAsBoolean()) {
      return inner.createGroupSnapshotOfGroup(id, group, runId, freezeTimeout, lease, prepareTimeout, progress);
    }
    String txnId = id == null || id.isEmpty() ? GroupSnapshotIds.mint(trail.clock().instant(), RANDOM) : id;
    AuditTrail.Call call = trail.call(caller.get(), "CreateGroupSnapshot", AuditArguments.of()
        .with("id", id).with("group", group).with("run_id", runId)
        .with("freeze_timeout_ms", millis(freezeTimeout)).with("lease_ms", millis(lease))
        .with("prepare_timeout_ms", millis(prepareTimeout)));
    call.started(txnId);
    CompletableFuture<GroupSnapshot> result;
    try {
      result = inner.createGroupSnapshotOfGroup(txnId, group, runId, freezeTimeout, lease, prepareTimeout, progress);
    } catch (Exception e) {
      AuditOutcomes.Outcome o = AuditOutcomes.of(e);
      call.finished(o.outcome(), o.reason(), txnId);
      throw e;
    }
    return decided(result, call, txnId);
  }

  /** {@code result}, completed once its outcome (committed, aborted, failed) is on record. */
  private CompletableFuture<GroupSnapshot> decided(CompletableFuture<GroupSnapshot> result, AuditTrail.Call call,
      String txnId) {
    return afterwards(result, g -> {
      switch (g.getState()) {
        case COMMITTED -> call.finished(AuditOutcome.AUDIT_COMMITTED, "", g.getId());
        case ABORTED -> call.finished(AuditOutcome.AUDIT_ABORTED, g.getAbortReason(), g.getId());
        // leadership lost before the end: the record decides, and the next leader finishes it
        default -> call.finished(AuditOutcome.AUDIT_FAILED, g.getAbortReason(), g.getId());
      }
    }, e -> call.finished(AuditOutcome.AUDIT_FAILED, AuditOutcomes.reason(e), txnId));
  }

  @Override
  public CompletableFuture<DeleteGroupSnapshotResponse> deleteGroupSnapshot(String id) throws Exception {
    if (!leads.getAsBoolean()) {
      return inner.deleteGroupSnapshot(id);
    }
    AuditTrail.Call call = trail.call(caller.get(), "DeleteGroupSnapshot", AuditArguments.of().with("id", id));
    call.started(id);
    CompletableFuture<DeleteGroupSnapshotResponse> result;
    try {
      result = inner.deleteGroupSnapshot(id);
    } catch (Exception e) {
      AuditOutcomes.Outcome o = AuditOutcomes.of(e);
      call.finished(o.outcome(), o.reason(), id);
      throw e;
    }
    return afterwards(result,
        r -> call.finished(AuditOutcome.AUDIT_DELETED, r.getDeletedCaptures() + " capture(s) deleted", id),
        e -> call.finished(AuditOutcome.AUDIT_FAILED, AuditOutcomes.reason(e), id));
  }

  @Override
  public boolean forgetAgent(String agentId) throws Exception {
    return call("ForgetAgent", AuditArguments.of().with("agent_id", agentId), "",
        () -> inner.forgetAgent(agentId), forgotten -> forgotten ? "forgotten" : "was not known");
  }

  @Override
  public Scrubber.Result checkGroupSnapshot(String id, boolean checksum) throws Exception {
    return call("CheckGroupSnapshot", AuditArguments.of().with("id", id).flag("checksum", checksum), id,
        () -> inner.checkGroupSnapshot(id, checksum),
        r -> (r.damaged() ? "damaged" : "no damage found") + (r.complete() ? "" : "; some captures not checked"));
  }

  /**
   * {@code result}, completed only after {@code ok} or {@code failed} ran on the audit lane: the caller learns the
   * outcome once it is on record.
   */
  private <T> CompletableFuture<T> afterwards(CompletableFuture<T> result, java.util.function.Consumer<T> ok,
      java.util.function.Consumer<Throwable> failed) {
    CompletableFuture<T> out = new CompletableFuture<>();
    result.whenCompleteAsync((r, err) -> {
      if (err == null) {
        ok.accept(r);
        out.complete(r);
      } else {
        failed.accept(err instanceof CompletionException c && c.getCause() != null ? c.getCause() : err);
        out.completeExceptionally(err);
      }
    }, auditLane);
    return out;
  }

  private static String members(List<MemberSelector> selectors) {
    if (selectors.isEmpty()) {
      return "";
    }
    return selectors.stream().map(s -> s.getVolume().isEmpty() ? s.getAgentId() : s.getAgentId() + ":" + s.getVolume())
        .collect(Collectors.joining(","));
  }

  private static long millis(Duration d) {
    return d == null ? 0 : d.toMillis();
  }

  // ---- reads: unaudited ----

  @Override
  public GroupSnapshot getGroupSnapshot(String id) throws Exception {
    return inner.getGroupSnapshot(id);
  }

  @Override
  public Listing<GroupSnapshot> listGroupSnapshots(boolean includeAll) throws Exception {
    return inner.listGroupSnapshots(includeAll);
  }

  @Override
  public Listing<AgentRegistration> listAgents() throws Exception {
    return inner.listAgents();
  }

  @Override
  public List<KnownAgent> missingAgents() throws Exception {
    return inner.missingAgents();
  }

  @Override
  public ClusterStatusResponse clusterStatus() throws Exception {
    return inner.clusterStatus();
  }

  @Override
  public ListAuditResponse listAudit(long sinceMillis, int limit, String pageToken) throws Exception {
    return inner.listAudit(sinceMillis, limit, pageToken);
  }
}
