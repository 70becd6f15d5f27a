package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.ServerEdge;
import io.groupsnap.coordinator.restores.RestoreCalls;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;

/**
 * The gRPC edge of restores ({@link RestoreCalls}). Status codes as {@link CoordinatorGrpcService}'s: NOT_LEADER
 * (FAILED_PRECONDITION with the leader trailer) on a standby, NOT_FOUND for an unknown group snapshot or run,
 * INVALID_ARGUMENT for anything refused before a byte was written (a malformed target, a group snapshot that is not
 * committed, an agent down, a target an agent does not allow, no room) — the CLI's "bad input, nothing done" — and
 * UNAVAILABLE when ZooKeeper or the audit trail cannot be reached. The answer comes once every member has finished.
 */
public final class RestoreGrpcService implements RestoreServiceGrpc.AsyncService, BindableService {
  private final RestoreCalls restores;

  public RestoreGrpcService(RestoreCalls restores) {
    this.restores = restores;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(RestoreServiceGrpc.bindService(this));
  }

  @Override
  public void restoreGroupSnapshot(RestoreGroupSnapshotRequest req,
      StreamObserver<RestoreGroupSnapshotResponse> out) {
    try {
      restores.restore(req).whenComplete((r, e) -> {
        if (e != null) {
          out.onError(CoordinatorGrpcService.toStatus(
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
        } else {
          out.onNext(r);
          out.onCompleted();
        }
      });
    } catch (Exception e) {
      out.onError(CoordinatorGrpcService.toStatus(e));
    }
  }
}
