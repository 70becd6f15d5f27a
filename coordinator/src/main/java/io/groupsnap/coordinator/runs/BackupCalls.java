package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.BackupRun;
import java.util.concurrent.CompletableFuture;

/**
 * What the backup service answers, whatever carries it (the gRPC edge is {@code rpc.BackupGrpcService}). Mutating
 * calls need the recovered leader ({@link io.groupsnap.coordinator.api.NotLeaderException} elsewhere); reads are
 * answered by every coordinator. Thread-safe.
 */
public interface BackupCalls {
  /** Starts a manual run; see {@link RunLauncher#launch}. */
  BackupRun start(String group, String runId) throws Exception;

  /** @throws io.groupsnap.coordinator.store.NotFoundException when there is no such run */
  BackupRun get(String id) throws Exception;

  /** Runs oldest first (of one group, or all when {@code group} is null or empty), and the damaged records. */
  Listing<BackupRun> list(String group, boolean includeDeleted) throws Exception;

  /**
   * Deletes a finished run: its exports in the repository, then its group snapshot; the record stays, DELETED.
   * Idempotent. The future fails with {@link IllegalStateException} naming what could not be removed (run it again).
   *
   * @throws IllegalStateException when the run has not finished
   */
  CompletableFuture<BackupRun> delete(String id) throws Exception;
}
