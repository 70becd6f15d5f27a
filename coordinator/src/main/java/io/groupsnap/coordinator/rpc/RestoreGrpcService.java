package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.ServerEdge;
import io.groupsnap.coordinator.inplace.InPlaceCalls;
import io.groupsnap.coordinator.restores.RestoreCalls;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.GetInPlaceRestoreRequest;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.ListInPlaceRestoresRequest;
import io.groupsnap.proto.v1.ListInPlaceRestoresResponse;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import io.groupsnap.proto.v1.SettleInPlaceRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The gRPC edge of restores ({@link RestoreCalls}). Status codes as {@link CoordinatorGrpcService}'s: NOT_LEADER
 * (FAILED_PRECONDITION with the leader trailer) on a standby, NOT_FOUND for an unknown group snapshot or run,
 * INVALID_ARGUMENT for anything refused before a byte was written (a malformed target, a group snapshot that is not
 * committed, an agent down, a target an agent does not allow, no room) — the CLI's "bad input, nothing done" — and
 * UNAVAILABLE when ZooKeeper or the audit trail cannot be reached. The answer comes once every member has finished.
 *
 * <p>In-place restores ({@link InPlaceCalls}): FAILED_PRECONDITION as well for a group snapshot that is not committed,
 * an agent not registered, a member taken by another operation, or a confirm/rollback in the wrong state; DATA_LOSS
 * for a quarantined record; RestoreInPlace answers once the restore is SWITCHED or CANCELLED.
 */
public final class RestoreGrpcService implements RestoreServiceGrpc.AsyncService, BindableService {
  private final RestoreCalls restores;
  private final InPlaceCalls inPlace;

  public RestoreGrpcService(RestoreCalls restores, InPlaceCalls inPlace) {
    this.restores = restores;
    this.inPlace = inPlace;
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

  @Override
  public void restoreInPlace(RestoreInPlaceRequest req, StreamObserver<InPlaceRestore> out) {
    later(out, () -> inPlace.restore(req));
  }

  @Override
  public void getInPlaceRestore(GetInPlaceRestoreRequest req, StreamObserver<InPlaceRestore> out) {
    Unary.answer(out, () -> inPlace.get(req.getRestoreId()));
  }

  @Override
  public void listInPlaceRestores(ListInPlaceRestoresRequest req, StreamObserver<ListInPlaceRestoresResponse> out) {
    Unary.answer(out, () -> {
      Listing<InPlaceRestore> l = inPlace.list();
      return ListInPlaceRestoresResponse.newBuilder().addAllRestores(l.records()).addAllDamaged(l.damaged()).build();
    });
  }

  @Override
  public void confirmInPlaceRestore(SettleInPlaceRequest req, StreamObserver<InPlaceRestore> out) {
    later(out, () -> inPlace.confirm(req.getRestoreId()));
  }

  @Override
  public void rollbackInPlaceRestore(SettleInPlaceRequest req, StreamObserver<InPlaceRestore> out) {
    later(out, () -> inPlace.rollback(req.getRestoreId()));
  }

  /** A call answered when its future completes. */
  @FunctionalInterface
  private interface Later<T> {
    CompletableFuture<T> start() throws Exception;
  }

  private static <T> void later(StreamObserver<T> out, Later<T> call) {
    try {
      call.start().whenComplete((r, e) -> {
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
