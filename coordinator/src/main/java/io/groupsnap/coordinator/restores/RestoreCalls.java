package io.groupsnap.coordinator.restores;

import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import java.util.concurrent.CompletableFuture;

/** What the RestoreService answers, whatever carries the request. */
public interface RestoreCalls {
  /**
   * Restores a committed group snapshot to new places (see {@link GroupRestore}).
   *
   * @return every member's result once all have finished
   * @throws Exception before anything is written: NotLeaderException on a standby, NotFoundException for an unknown
   *     id, IllegalArgumentException (one line) for anything that cannot be restored as asked
   */
  CompletableFuture<RestoreGroupSnapshotResponse> restore(RestoreGroupSnapshotRequest request) throws Exception;
}
