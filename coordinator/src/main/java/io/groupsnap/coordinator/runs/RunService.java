package io.groupsnap.coordinator.runs;

import io.groupsnap.common.Names;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.RunTrigger;
import java.util.concurrent.CompletableFuture;

/**
 * {@link BackupCalls} answered by the run driver (start), the run records (reads) and {@link RunDeletion} (delete).
 * Knows nothing of gRPC. Thread-safe.
 */
public final class RunService implements BackupCalls {
  private final RunLauncher launcher;
  private final RunStore store;
  private final RunDeletion deletion;
  private final RunDriver.Leader leader;

  public RunService(RunLauncher launcher, RunStore store, RunDeletion deletion, RunDriver.Leader leader) {
    this.launcher = launcher;
    this.store = store;
    this.deletion = deletion;
    this.leader = leader;
  }

  @Override
  public BackupRun start(String group, String runId) throws Exception {
    return launcher.launch(group, runId, RunTrigger.RUN_MANUAL, 0);
  }

  @Override
  public BackupRun get(String id) throws Exception {
    Names.require("run id", id);
    return store.find(id).orElseThrow(() -> new NotFoundException("no backup run '" + id + "'"));
  }

  @Override
  public Listing<BackupRun> list(String group, boolean includeDeleted) throws Exception {
    boolean all = group == null || group.isEmpty();
    if (!all) {
      Names.require("group", group);
    }
    Listing<BackupRun> l = store.list(all ? null : group);
    return includeDeleted ? l : new Listing<>(l.records().stream()
        .filter(r -> r.getState() != RunState.RUN_DELETED).toList(), l.damaged());
  }

  @Override
  public CompletableFuture<BackupRun> delete(String id) throws Exception {
    Leadership.Term term = leader.acting().orElseThrow(() -> RunDriver.notLeader(leader));
    Names.require("run id", id);
    return deletion.delete(id, term);
  }
}
