package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.ServerEdge;
import io.groupsnap.coordinator.runs.BackupCalls;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.BackupServiceGrpc;
import io.groupsnap.proto.v1.DeleteBackupRunRequest;
import io.groupsnap.proto.v1.GetBackupRunRequest;
import io.groupsnap.proto.v1.ListBackupRunsRequest;
import io.groupsnap.proto.v1.ListBackupRunsResponse;
import io.groupsnap.proto.v1.StartBackupRunRequest;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;

/**
 * The gRPC edge of backup runs ({@link BackupCalls}). Status codes as {@link CoordinatorGrpcService}'s: NOT_LEADER
 * (FAILED_PRECONDITION with the leader trailer, UNAVAILABLE when none is known) for Start/Delete on a standby,
 * INVALID_ARGUMENT for an unknown group, a malformed id or a problem found before the freeze, ALREADY_EXISTS for a
 * taken id, FAILED_PRECONDITION for a group whose run is still going or a run not finished (delete), NOT_FOUND,
 * DATA_LOSS for a quarantined record, UNAVAILABLE when ZooKeeper or the audit trail cannot be reached.
 */
public final class BackupGrpcService implements BackupServiceGrpc.AsyncService, BindableService {
  private final BackupCalls runs;

  public BackupGrpcService(BackupCalls runs) {
    this.runs = runs;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(BackupServiceGrpc.bindService(this));
  }

  @Override
  public void startBackupRun(StartBackupRunRequest req, StreamObserver<BackupRun> out) {
    Unary.answer(out, () -> runs.start(req.getGroup(), req.getId()));
  }

  @Override
  public void getBackupRun(GetBackupRunRequest req, StreamObserver<BackupRun> out) {
    Unary.answer(out, () -> runs.get(req.getId()));
  }

  @Override
  public void listBackupRuns(ListBackupRunsRequest req, StreamObserver<ListBackupRunsResponse> out) {
    Unary.answer(out, () -> {
      Listing<BackupRun> l = runs.list(req.getGroup(), req.getIncludeDeleted());
      return ListBackupRunsResponse.newBuilder().addAllRuns(l.records()).addAllDamaged(l.damaged()).build();
    });
  }

  @Override
  public void deleteBackupRun(DeleteBackupRunRequest req, StreamObserver<BackupRun> out) {
    try {
      runs.delete(req.getId()).whenComplete((r, e) -> {
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
