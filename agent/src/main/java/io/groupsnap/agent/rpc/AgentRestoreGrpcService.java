package io.groupsnap.agent.rpc;

import io.groupsnap.agent.restore.InPlaceRestores;
import io.groupsnap.agent.restore.RestoreManager;
import io.groupsnap.agent.restore.RestoreRefusedException;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.common.Names;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Role;
import io.groupsnap.proto.v1.AgentRestoreServiceGrpc;
import io.groupsnap.proto.v1.DiscardRestoreRequest;
import io.groupsnap.proto.v1.GetRestoreRequest;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.StageInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.TxnHeader;
import io.groupsnap.proto.v1.VolumeTarget;
import io.groupsnap.proto.v1.RestoreStatusResponse;
import io.groupsnap.proto.v1.StartRestoreRequest;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gRPC edge of this agent's restores ({@link RestoreManager}): INVALID_ARGUMENT for a malformed request (field
 * named), FAILED_PRECONDITION for a stale epoch, another cluster or a refused restore (one line naming the volume and
 * why; nothing was written), NOT_FOUND from GetRestore for a restore it does not know, INTERNAL for local I/O failures.
 * Coordinators only ({@link #coordinatorsOnly}). In-place restores ({@link InPlaceRestores}): StageInPlace is refused
 * as StartRestore is; StepInPlace answers a step it could not do with {@code ok=false} and one line, and is
 * FAILED_PRECONDITION only for a stale epoch, another cluster or another group snapshot; UNIMPLEMENTED when the agent
 * was built without in-place restores. Thread-safe (stateless).
 */
public final class AgentRestoreGrpcService implements AgentRestoreServiceGrpc.AsyncService, BindableService {
  private final RestoreManager restores;
  private final InPlaceRestores inPlace;

  public AgentRestoreGrpcService(RestoreManager restores) {
    this(restores, null);
  }

  /** @param inPlace this agent's in-place restores; null: StageInPlace and StepInPlace UNIMPLEMENTED */
  public AgentRestoreGrpcService(RestoreManager restores, InPlaceRestores inPlace) {
    this.restores = restores;
    this.inPlace = inPlace;
  }

  /** Every method needs the coordinator role (DESIGN.md G7), as the AgentService's. */
  public static AccessGate coordinatorsOnly(AccessGate.Denials denials) {
    Map<String, Role> needs = new HashMap<>();
    for (MethodDescriptor<?, ?> m : AgentRestoreServiceGrpc.getServiceDescriptor().getMethods()) {
      needs.put(m.getFullMethodName(), Role.COORDINATOR);
    }
    return new AccessGate(needs, denials);
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(AgentRestoreServiceGrpc.bindService(this));
  }

  @Override
  public void startRestore(StartRestoreRequest req, StreamObserver<RestoreStatusResponse> out) {
    fenced(req.getHeader(), req.getRestoreId(), out, ref -> {
      requireTargets(req.getVolumesList());
      return RestoreStatusResponse.newBuilder().addAllVolumes(restores.start(ref, req.getRestoreId(),
          req.getVolumesList(), req.getDryRun(), req.getVerify(), req.getKeepScratch())).build();
    });
  }

  @FunctionalInterface
  private interface FencedCall<T> {
    T run(TxnRef ref) throws Exception;
  }

  /**
   * A call on behalf of the leader about one restore: in the log context of its group snapshot, the header turned into
   * a fenced reference and the restore id checked before {@code call} runs, its outcome answered.
   */
  private static <T> void fenced(TxnHeader header, String restoreId, StreamObserver<T> out, FencedCall<T> call) {
    String id = header.getTxnId();
    try (LogContext ignored = LogContext.txn(Names.isValid(id) ? id : null)) {
      answer(out, () -> {
        TxnRef ref = AgentGrpcService.ref(header);
        AgentGrpcService.requireName("restore_id", restoreId);
        return call.run(ref);
      });
    }
  }

  private static StatusException unknownRestore(String restoreId) {
    return ServerEdge.status(Status.Code.NOT_FOUND, "no restore " + restoreId + " on this agent").asException();
  }

  private static void requireTargets(List<VolumeTarget> volumes) throws StatusException {
    for (int i = 0; i < volumes.size(); i++) {
      AgentGrpcService.requireName("volumes[" + i + "].volume", volumes.get(i).getVolume());
      String t = volumes.get(i).getTarget();
      if (t.length() > 4096 || t.chars().anyMatch(Character::isISOControl)) {
        throw ServerEdge.status(Status.Code.INVALID_ARGUMENT, "volumes[" + i + "].target is not a path")
            .asException();
      }
    }
  }

  @Override
  public void stageInPlace(StageInPlaceRequest req, StreamObserver<RestoreStatusResponse> out) {
    if (noInPlace(out)) {
      return;
    }
    fenced(req.getHeader(), req.getRestoreId(), out, ref -> {
      requireTargets(req.getVolumesList());
      return RestoreStatusResponse.newBuilder().addAllVolumes(inPlace.stage(ref, req.getRestoreId(),
          req.getVolumesList(), req.getDryRun())).build();
    });
  }

  @Override
  public void stepInPlace(StepInPlaceRequest req, StreamObserver<StepInPlaceResponse> out) {
    if (noInPlace(out)) {
      return;
    }
    fenced(req.getHeader(), req.getRestoreId(), out, ref -> {
      if (req.getStep() == InPlaceStep.IN_PLACE_STEP_UNSPECIFIED || req.getStep() == InPlaceStep.UNRECOGNIZED) {
        throw ServerEdge.status(Status.Code.INVALID_ARGUMENT, "step is missing or unknown").asException();
      }
      return inPlace.step(ref, req.getRestoreId(), req.getStep(), req.getRestored());
    });
  }

  private boolean noInPlace(StreamObserver<?> out) {
    if (inPlace == null) {
      out.onError(Status.UNIMPLEMENTED.withDescription("this agent does not restore in place").asException());
      return true;
    }
    return false;
  }

  @Override
  public void getRestore(GetRestoreRequest req, StreamObserver<RestoreStatusResponse> out) {
    answer(out, () -> {
      AgentGrpcService.requireName("restore_id", req.getRestoreId());
      List<io.groupsnap.proto.v1.MemberRestore> s = restores.status(req.getRestoreId())
          .or(() -> inPlace == null ? java.util.Optional.empty() : inPlace.status(req.getRestoreId()))
          .orElseThrow(() -> unknownRestore(req.getRestoreId()));
      return RestoreStatusResponse.newBuilder().addAllVolumes(s).build();
    });
  }

  @Override
  public void discardRestore(DiscardRestoreRequest req, StreamObserver<RestoreStatusResponse> out) {
    answer(out, () -> {
      AgentGrpcService.requireName("restore_id", req.getRestoreId());
      List<io.groupsnap.proto.v1.MemberRestore> s = restores.discard(req.getRestoreId())
          .orElseThrow(() -> unknownRestore(req.getRestoreId()));
      return RestoreStatusResponse.newBuilder().addAllVolumes(s).build();
    });
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> void answer(StreamObserver<T> out, Call<T> call) {
    T result;
    try {
      result = call.run();
    } catch (StatusException e) {
      out.onError(e);
      return;
    } catch (FencedException | RestoreRefusedException e) {
      out.onError(ServerEdge.status(Status.Code.FAILED_PRECONDITION, e.getMessage()).asException());
      return;
    } catch (IOException e) {
      out.onError(ServerEdge.status(Status.Code.INTERNAL, e.getMessage()).asException());
      return;
    } catch (Exception e) {
      out.onError(ServerEdge.status(Status.Code.INTERNAL, e.toString()).withCause(e).asException());
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
