package io.groupsnap.coordinator.runs;

import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The group snapshots a backup run takes and deletes, as the run driver needs them (production:
 * {@code CoordinatorSnapshots} over the coordinator's calls; tests script it).
 */
public interface GroupSnapshots {
  /**
   * Starts a group snapshot of {@code group} for the run {@code runId}, with the id {@code txnId}.
   *
   * @return its record once final (COMMITTED or ABORTED); a record not final, or a failed future, when this leader
   *     lost track of it (the run then asks {@link #find} until its outcome is known)
   * @throws Exception when it could not start (nothing was frozen), with a one-line reason
   */
  CompletableFuture<GroupSnapshot> start(String txnId, String group, String runId) throws Exception;

  /** The group snapshot's record as ZooKeeper has it now; empty when it was never recorded. */
  Optional<GroupSnapshot> find(String txnId) throws Exception;

  /** Deletes a committed group snapshot (two-phase); completes once every capture is gone. */
  CompletableFuture<?> delete(String txnId) throws Exception;
}
