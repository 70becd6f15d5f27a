package io.groupsnap.coordinator.inplace;

import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import java.util.concurrent.CompletableFuture;

/**
 * What the RestoreService answers about in-place restores, whatever carries the request. Mutating calls throw
 * NotLeaderException on a standby; reads answer on any coordinator.
 */
public interface InPlaceCalls {
  /**
   * Checks, and unless {@code dry_run} starts, an in-place restore.
   *
   * @return completes once the restore is SWITCHED or CANCELLED (a dry run: checked, nothing written, no id)
   * @throws Exception before anything is written: NotFoundException, IllegalArgumentException,
   *     IllegalStateException (FAILED_PRECONDITION), NotLeaderException
   */
  CompletableFuture<InPlaceRestore> restore(RestoreInPlaceRequest request) throws Exception;

  /** The record; NotFoundException for an unknown id, DamagedRecordException for a quarantined one. */
  InPlaceRestore get(String restoreId) throws Exception;

  /** Every record, oldest first, and those quarantined. */
  Listing<InPlaceRestore> list() throws Exception;

  /** SWITCHED → CONFIRMED; completes once CONFIRMED. Idempotent; IllegalStateException in any other state. */
  CompletableFuture<InPlaceRestore> confirm(String restoreId) throws Exception;

  /** SWITCHED → ROLLING_BACK → ROLLED_BACK; completes once ROLLED_BACK. Idempotent; IllegalStateException otherwise. */
  CompletableFuture<InPlaceRestore> rollback(String restoreId) throws Exception;
}
