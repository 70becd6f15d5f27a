package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Deletes a finished run (`backup delete`, retention): first its exports — ForgetExport on every agent that exported,
 * each member FORGOTTEN once its agent confirmed — then its group snapshot through the two-phase deletion; then the
 * record says DELETED (local_deleted, export_deleted). Each step is written as it lands, fenced by the acting term,
 * so a deletion cut short is finished by running it again; a deleted run is answered as it is. Writes on the lane.
 */
public final class RunDeletion {
  private final RunStore store;
  private final ExportClient exports;
  private final GroupSnapshots snapshots;
  private final Scheduler lane;
  private final Clock clock;
  private final String clusterId;
  private final String coordinatorId;

  public RunDeletion(RunStore store, ExportClient exports, GroupSnapshots snapshots, Scheduler lane, Clock clock,
      String clusterId, String coordinatorId) {
    this.store = store;
    this.exports = exports;
    this.snapshots = snapshots;
    this.lane = lane;
    this.clock = clock;
    this.clusterId = clusterId;
    this.coordinatorId = coordinatorId;
  }

  /** Deletes the run {@code id} in {@code term}. */
  public CompletableFuture<BackupRun> delete(String id, Leadership.Term term) throws Exception {
    BackupRun r = finished(id);
    if (r.getState() == RunState.RUN_DELETED) {
      return CompletableFuture.completedFuture(r);
    }
    return forget(r, term).thenCompose(after -> deleteLocal(after, term));
  }

  /**
   * Retention: removes a finished run's exports ({@code export}) and/or its group snapshot ({@code local}) and keeps
   * its record; once neither is left the run is DELETED. Idempotent like {@link #delete}.
   */
  public CompletableFuture<BackupRun> expire(String id, Leadership.Term term, boolean local, boolean export)
      throws Exception {
    BackupRun r = finished(id);
    if (r.getState() == RunState.RUN_DELETED) {
      return CompletableFuture.completedFuture(r);
    }
    CompletableFuture<BackupRun> exported = export && !r.getExportDeleted() ? forget(r, term)
        : CompletableFuture.completedFuture(r);
    if (local && !r.getLocalDeleted()) {
      return exported.thenCompose(after -> deleteLocal(after, term));
    }
    return exported.thenApplyAsync(after -> after.getLocalDeleted() && !holdsExports(after)
        ? write(after.toBuilder().setState(RunState.RUN_DELETED), term) : after, lane);
  }

  private BackupRun finished(String id) throws Exception {
    BackupRun r = store.adopt(id).orElseThrow(() -> new NotFoundException("no backup run '" + id + "'"));
    if (r.getState() != RunState.RUN_DELETED && !RunRecords.ended(r.getState())) {
      throw new IllegalStateException("backup run " + id + " is " + RunDriver.label(r.getState())
          + ": only a finished run can be deleted");
    }
    return r;
  }

  /** Whether some export of the run may still be in its repository. */
  static boolean holdsExports(BackupRun r) {
    return !r.getExportDeleted() && r.getExportsList().stream().anyMatch(e -> e.getState() == ExportState.EXPORT_DONE
        || (e.getState() == ExportState.EXPORT_FAILED && !e.getRepositorySnapshotId().isEmpty()));
  }

  private CompletableFuture<BackupRun> forget(BackupRun r, Leadership.Term term) {
    Map<String, List<String>> byAgent = new LinkedHashMap<>();
    for (MemberExport e : r.getExportsList()) {
      if (e.getState() == ExportState.EXPORT_DONE || (e.getState() == ExportState.EXPORT_FAILED
          && !e.getRepositorySnapshotId().isEmpty())) {
        byAgent.computeIfAbsent(e.getAgentId(), k -> new ArrayList<>());
        if (!e.getRepositorySnapshotId().isEmpty()) {
          byAgent.get(e.getAgentId()).add(e.getRepositorySnapshotId());
        }
      }
    }
    Map<String, CompletableFuture<ExportClient.Answer>> asked = new LinkedHashMap<>();
    byAgent.forEach((agent, ids) -> asked.put(agent, exports.forget(agent, new ExportClient.Order(clusterId,
        term.epoch(), r.getGroupSnapshotId(), r.getId(), r.getGroup(), r.getExportTarget(),
        ExportStep.membersOf(r, agent).stream().map(MemberExport::getVolume).toList()), ids)));
    return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new))
        .thenApplyAsync(x -> forgotten(r, asked, term), lane);
  }

  private BackupRun forgotten(BackupRun r, Map<String, CompletableFuture<ExportClient.Answer>> asked,
      Leadership.Term term) {
    BackupRun.Builder b = r.toBuilder();
    List<String> failed = new ArrayList<>();
    asked.forEach((agent, f) -> {
      ExportClient.Answer a = f.join();
      if (a.kind() != ExportClient.Kind.ANSWERED) {
        failed.add(a.reason());
        return;
      }
      for (int i = 0; i < b.getExportsCount(); i++) {
        if (b.getExports(i).getAgentId().equals(agent)) {
          b.setExports(i, b.getExports(i).toBuilder().setState(ExportState.EXPORT_FORGOTTEN));
        }
      }
      RunRecords.event(b, clock.millis(), "exports of agent " + agent + " forgotten in the repository");
    });
    if (failed.isEmpty()) {
      b.setExportDeleted(true);
    }
    BackupRun next = write(b, term);
    if (!failed.isEmpty()) {
      throw new IllegalStateException(RunRecords.line("could not forget the exports of backup run " + r.getId()
          + ": " + String.join("; ", failed) + "; run the deletion again"));
    }
    return next;
  }

  private CompletableFuture<BackupRun> deleteLocal(BackupRun r, Leadership.Term term) {
    CompletableFuture<?> gone;
    if (r.getGroupSnapshotId().isEmpty() || r.getLocalDeleted()) {
      gone = CompletableFuture.completedFuture(null);
    } else {
      try {
        gone = snapshots.delete(r.getGroupSnapshotId());
      } catch (NotFoundException e) {
        gone = CompletableFuture.completedFuture(null);
      } catch (Exception e) {
        gone = CompletableFuture.failedFuture(e);
      }
    }
    return gone.handleAsync((x, e) -> {
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (t != null && !(t instanceof NotFoundException)) {
        throw new IllegalStateException(RunRecords.line("could not delete group snapshot " + r.getGroupSnapshotId()
            + " of backup run " + r.getId() + ": " + SnapshotStep.message(t) + "; run the deletion again"), t);
      }
      BackupRun.Builder b = r.toBuilder().setLocalDeleted(true);
      if (holdsExports(r)) {
        RunRecords.event(b, clock.millis(), "group snapshot " + r.getGroupSnapshotId() + " deleted (exports kept)");
      } else {
        b.setState(RunState.RUN_DELETED);
        RunRecords.event(b, clock.millis(), "run deleted"
            + (r.getGroupSnapshotId().isEmpty() ? "" : " (group snapshot " + r.getGroupSnapshotId() + " deleted)"));
      }
      return write(b, term);
    }, lane);
  }

  private BackupRun write(BackupRun.Builder b, Leadership.Term term) {
    BackupRun next = b.setEpoch(term.epoch()).setCoordinator(coordinatorId).build();
    try {
      store.update(next, term.fence());
    } catch (Exception e) {
      throw new CompletionException(e);
    }
    return next;
  }
}
