package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.groups.GroupResolver;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link GroupSnapshots} over a coordinator's own calls: {@code createGroupSnapshotOfGroup} (the record names the
 * group and the run), the record read back by id, the two-phase deletion. Until named-group snapshots are wired in
 * the coordinator core it resolves the group itself ({@link GroupResolver}) and takes a group snapshot of those
 * members with the group's timeouts.
 */
public final class CoordinatorSnapshots implements GroupSnapshots {
  private final CoordinatorCalls calls;
  private final GroupCatalog groups;
  private final RunDriver.Agents agents;

  /** @param calls the coordinator's calls, unaudited (the run's start is the audited request) */
  public CoordinatorSnapshots(CoordinatorCalls calls, GroupCatalog groups, RunDriver.Agents agents) {
    this.calls = calls;
    this.groups = groups;
    this.agents = agents;
  }

  @Override
  public CompletableFuture<GroupSnapshot> start(String txnId, String group, String runId) throws Exception {
    try {
      return calls.createGroupSnapshotOfGroup(txnId, group, runId, null, null, null,
          TransactionDriver.Progress.NONE);
    } catch (UnsupportedOperationException notYet) {
      GroupSpec spec = groups.find(group).orElseThrow(() -> new IllegalArgumentException("no group '" + group + "'"));
      GroupResolver.Resolution r = GroupResolver.resolve(spec, agents.registered());
      if (!r.ok()) {
        throw new IllegalArgumentException(r.describeProblems());
      }
      return calls.createGroupSnapshot(txnId, r.members(), millis(spec.getFreezeTimeoutMillis()),
          millis(spec.getLeaseMillis()), null, false, TransactionDriver.Progress.NONE);
    }
  }

  private static Duration millis(long ms) {
    return ms > 0 ? Duration.ofMillis(ms) : null;
  }

  @Override
  public Optional<GroupSnapshot> find(String txnId) throws Exception {
    try {
      return Optional.of(calls.getGroupSnapshot(txnId));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public CompletableFuture<?> delete(String txnId) throws Exception {
    return calls.deleteGroupSnapshot(txnId);
  }
}
