package io.groupsnap.coordinator.rpc;

import com.google.common.util.concurrent.ListenableFuture;
import io.groupsnap.common.Formats;
import io.groupsnap.coordinator.inplace.InPlaceClient;
import io.groupsnap.coordinator.restores.RestoreClient;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AgentRestoreServiceGrpc;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.StageInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.groupsnap.proto.v1.VolumeTarget;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link InPlaceClient} over gRPC: the agents' StageInPlace, GetRestore and StepInPlace on the coordinator's agent
 * channels, each with a deadline, the endpoint read from the agent's registration at every call. UNAVAILABLE,
 * DEADLINE_EXCEEDED, CANCELLED and an unregistered agent are UNREACHABLE; NOT_FOUND on GetRestore is UNKNOWN_RESTORE;
 * anything else is REFUSED with the agent's one line (a stale epoch among them).
 */
public final class GrpcInPlaceClient implements InPlaceClient {
  private final GrpcAgentClient channels;
  private final RunDriver.Agents agents;
  private final Duration callDeadline;
  private final GrpcRestoreClient restores;

  public GrpcInPlaceClient(GrpcAgentClient channels, RunDriver.Agents agents, Duration callDeadline) {
    this.channels = channels;
    this.agents = agents;
    this.callDeadline = callDeadline;
    this.restores = new GrpcRestoreClient(channels, agents, callDeadline);
  }

  @Override
  public CompletableFuture<RestoreClient.Answer> stage(String agentId, Header h, List<VolumeTarget> volumes,
      boolean dryRun) {
    StageInPlaceRequest req = StageInPlaceRequest.newBuilder().setHeader(header(h)).setRestoreId(h.restoreId())
        .addAllVolumes(volumes).setDryRun(dryRun).build();
    return call(agentId, st -> st.stageInPlace(req)).thenApply(r -> r.error != null ? r.error
        : RestoreClient.Answer.answered(r.value.getVolumesList()));
  }

  @Override
  public CompletableFuture<RestoreClient.Answer> progress(String agentId, String restoreId) {
    return restores.get(agentId, restoreId);
  }

  @Override
  public CompletableFuture<StepAnswer> step(String agentId, Header h, InPlaceStep step, boolean restored) {
    StepInPlaceRequest req = StepInPlaceRequest.newBuilder().setHeader(header(h)).setRestoreId(h.restoreId())
        .setStep(step).setRestored(restored).build();
    return call(agentId, st -> st.stepInPlace(req)).thenApply(r -> r.error != null
        ? StepAnswer.failed(r.error.kind(), r.error.reason())
        : StepAnswer.answered(r.value.getOk(), r.value.getError(), r.value.getVolumesList()));
  }

  private static TxnHeader header(Header h) {
    return TxnHeader.newBuilder().setClusterId(h.clusterId()).setEpoch(h.epoch()).setTxnId(h.groupSnapshotId())
        .setProtocolVersion(Formats.CURRENT).build();
  }

  /** A value, or the failure as an answer. */
  private record Result<T>(T value, RestoreClient.Answer error) {}

  private <T> CompletableFuture<Result<T>> call(String agentId,
      Function<AgentRestoreServiceGrpc.AgentRestoreServiceFutureStub, ListenableFuture<T>> rpc) {
    Optional<AgentRegistration> reg;
    try {
      reg = agents.registered().stream().filter(a -> a.getAgentId().equals(agentId)).findFirst();
    } catch (Exception e) {
      return CompletableFuture.completedFuture(new Result<>(null, RestoreClient.Answer.of(
          RestoreClient.Kind.UNREACHABLE, "agent " + agentId + ": registry not readable: " + e.getMessage())));
    }
    if (reg.isEmpty()) {
      return CompletableFuture.completedFuture(new Result<>(null, RestoreClient.Answer.of(
          RestoreClient.Kind.UNREACHABLE, "agent " + agentId + " is not registered (down?)")));
    }
    String endpoint = reg.get().getEndpoint();
    try {
      AgentRestoreServiceGrpc.AgentRestoreServiceFutureStub stub = AgentRestoreServiceGrpc
          .newFutureStub(channels.channel(agentId, endpoint))
          .withDeadline(Deadline.after(callDeadline.toMillis(), TimeUnit.MILLISECONDS));
      return GrpcAgentClient.toStage(rpc.apply(stub))
          .handle((r, e) -> e == null ? new Result<T>(r, null) : new Result<T>(null, failed(agentId, endpoint, e)))
          .toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Result<>(null, failed(agentId, endpoint, e)));
    }
  }

  private static RestoreClient.Answer failed(String agentId, String endpoint, Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    Status s = Status.fromThrowable(t);
    String desc = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    return switch (s.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> RestoreClient.Answer.of(RestoreClient.Kind.UNREACHABLE,
          "agent " + agentId + " at " + endpoint + " is not reachable (" + s.getCode() + ")");
      default -> RestoreClient.Answer.of(RestoreClient.Kind.REFUSED, "agent " + agentId + ": " + desc);
    };
  }
}
