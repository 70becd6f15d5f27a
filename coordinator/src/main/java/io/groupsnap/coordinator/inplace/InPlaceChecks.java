package io.groupsnap.coordinator.inplace;

import io.groupsnap.common.Names;
import io.groupsnap.coordinator.restores.GroupRestore;
import io.groupsnap.coordinator.restores.RestoreClient;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * CHECK of an in-place restore, before anything is written anywhere: the group snapshot (or the backup run's) is known
 * and COMMITTED, every member's agent is registered, nothing else holds a member ({@link Overlaps}), and every agent
 * accepts a dry run of its StageInPlace. A refusal is one line naming the member: NotFoundException for an unknown id,
 * IllegalStateException (FAILED_PRECONDITION) for a group snapshot not committed, an agent down or a member taken,
 * IllegalArgumentException for malformed input or a volume an agent cannot restore in place. Thread-safe.
 */
final class InPlaceChecks {
  /**
   * What was checked: the group snapshot, the run it came through (may be empty), each agent's volumes as the agents
   * are asked to stage them, and the record's members.
   */
  record Plan(GroupSnapshot snapshot, String runId, Map<String, List<VolumeTarget>> parts,
      List<InPlaceMember> members) {
    Set<String> agents() {
      return parts.keySet();
    }
  }

  private final GroupRestore.Snapshots snapshots;
  private final RunCatalog runs;
  private final RunDriver.Agents agents;
  private final Overlaps overlaps;
  private final InPlaceClient client;

  InPlaceChecks(GroupRestore.Snapshots snapshots, RunCatalog runs, RunDriver.Agents agents, Overlaps overlaps,
      InPlaceClient client) {
    this.snapshots = snapshots;
    this.runs = runs;
    this.agents = agents;
    this.overlaps = overlaps;
    this.client = client;
  }

  /** Everything that needs no agent, on the caller's thread. */
  Plan plan(RestoreInPlaceRequest req) throws Exception {
    if (req.getKeepSeconds() < 0) {
      throw new IllegalArgumentException("keep_seconds: " + req.getKeepSeconds() + " is negative");
    }
    String runId = req.getBackupRunId();
    GroupSnapshot g = snapshots.get(groupSnapshotId(req));
    if (g.getState() != GroupSnapshotState.COMMITTED) {
      throw new IllegalStateException("group snapshot " + g.getId() + " is " + g.getState()
          + ": only a committed group snapshot can be restored in place");
    }
    List<String> altered = g.getMembersList().stream().filter(m -> m.hasCheck()
        && m.getCheck().getCondition() == CaptureCondition.CAPTURE_ALTERED)
        .map(m -> m.getAgentId() + ":" + m.getVolume() + " (" + m.getCheck().getDetail() + ")").toList();
    if (!altered.isEmpty()) {
      // A capture a check found altered is no longer the cut: putting it over live data would lose data for a copy
      // that is not what was committed. (A missing one is refused by its agent unless an export stands in for it.)
      throw new IllegalStateException("group snapshot " + g.getId() + " is DAMAGED: the capture of "
          + String.join(", ", altered) + " differs from what was committed, so it is not restored in place; "
          + "restore it to a new place to inspect it, or restore another group snapshot");
    }
    Map<String, List<VolumeTarget>> parts = new TreeMap<>();
    List<InPlaceMember> members = new ArrayList<>();
    for (MemberRecord m : g.getMembersList()) {
      parts.computeIfAbsent(m.getAgentId(), a -> new ArrayList<>())
          .add(VolumeTarget.newBuilder().setVolume(m.getVolume()).build());
      members.add(InPlaceMember.newBuilder().setAgentId(m.getAgentId()).setVolume(m.getVolume()).build());
    }
    String exportsRun = !runId.isEmpty() ? runId : g.getRunId();
    Optional<BackupRun> exports = exportsRun.isEmpty() ? Optional.empty() : runs.find(exportsRun)
        .filter(r -> r.getGroupSnapshotId().equals(g.getId()) && !r.getExportTarget().isEmpty()
            && !r.getExportDeleted());
    parts = GroupRestore.withExports(parts, exports);
    Set<String> registered = agents.registered().stream().map(AgentRegistration::getAgentId)
        .collect(Collectors.toSet());
    List<String> down = parts.keySet().stream().filter(a -> !registered.contains(a)).toList();
    if (!down.isEmpty()) {
      throw new IllegalStateException("agent" + (down.size() > 1 ? "s " : " ") + String.join(", ", down)
          + (down.size() > 1 ? " are" : " is") + " not registered (down?): nothing was restored");
    }
    requireFree(parts.keySet(), "");
    return new Plan(g, exportsRun, parts, members);
  }

  /** FAILED_PRECONDITION when anything else holds one of {@code agents} now. */
  void requireFree(Set<String> agentIds, String exceptRestore) throws Exception {
    Optional<String> held = overlaps.anyHolding(agentIds, exceptRestore);
    if (held.isPresent()) {
      throw new IllegalStateException(held.get());
    }
  }

  /**
   * Every agent's StageInPlace dry run, in parallel; completes with the members as the agents described them
   * (stage RESTORE_CHECKED), or exceptionally with the first refusal (nothing was written).
   */
  CompletableFuture<List<InPlaceMember>> dryRun(Plan plan, InPlaceClient.Header h) {
    Map<String, CompletableFuture<RestoreClient.Answer>> calls = new TreeMap<>();
    plan.parts().forEach((agent, volumes) -> calls.put(agent, client.stage(agent, h, volumes, true)));
    return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(x -> {
      Map<String, MemberRestore> answered = new TreeMap<>();
      calls.forEach((agent, f) -> {
        RestoreClient.Answer a = f.join();
        switch (a.kind()) {
          case ANSWERED -> a.volumes().forEach(v -> answered.put(agent + ":" + v.getVolume(), v));
          case REFUSED -> throw new IllegalArgumentException(a.reason() + " (nothing was restored)");
          default -> throw new IllegalStateException(a.reason() + " (nothing was restored)");
        }
      });
      return plan.members().stream().map(m -> {
        MemberRestore v = answered.get(m.getAgentId() + ":" + m.getVolume());
        InPlaceMember.Builder b = m.toBuilder().setStage(RestoreState.RESTORE_CHECKED);
        if (v != null) {
          b.setKind(v.getKind()).setLive(v.getLive()); // the agent's path is where it would stage
        }
        return b.build();
      }).toList();
    });
  }

  private String groupSnapshotId(RestoreInPlaceRequest req) throws Exception {
    boolean byId = !req.getGroupSnapshotId().isEmpty();
    boolean byRun = !req.getBackupRunId().isEmpty();
    if (byId == byRun) {
      throw new IllegalArgumentException("give either group_snapshot_id or backup_run_id");
    }
    if (byId) {
      return Names.require("group_snapshot_id", req.getGroupSnapshotId());
    }
    Names.require("backup_run_id", req.getBackupRunId());
    BackupRun run = runs.find(req.getBackupRunId()).orElseThrow(() -> new NotFoundException("no backup run "
        + req.getBackupRunId()));
    if (run.getGroupSnapshotId().isEmpty()) {
      throw new IllegalStateException("backup run " + run.getId() + " has no group snapshot");
    }
    return run.getGroupSnapshotId();
  }
}
