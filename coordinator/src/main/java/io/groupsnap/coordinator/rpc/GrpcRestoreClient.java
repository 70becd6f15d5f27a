package io.groupsnap.coordinator.rpc;

import com.google.common.util.concurrent.ListenableFuture;
import io.groupsnap.common.Formats;
import io.groupsnap.coordinator.restores.RestoreClient;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AgentRestoreServiceGrpc;
import io.groupsnap.proto.v1.DiscardRestoreRequest;
import io.groupsnap.proto.v1.GetRestoreRequest;
import io.groupsnap.proto.v1.RestoreStatusResponse;
import io.groupsnap.proto.v1.StartRestoreRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link RestoreClient} over gRPC: the agents' StartRestore, GetRestore and DiscardRestore on the coordinator's agent channels (and
 * their TLS identity checks), each with a deadline, the endpoint read from the agent's registration at every call.
 * UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED and an unregistered agent are UNREACHABLE; NOT_FOUND on GetRestore and DiscardRestore is
 * UNKNOWN_RESTORE; anything else is REFUSED with the agent's one line.
 */
public final class GrpcRestoreClient implements RestoreClient {
  private final GrpcAgentClient channels;
  private final RunDriver.Agents agents;
  private final Duration callDeadline;

  public GrpcRestoreClient(GrpcAgentClient channels, RunDriver.Agents agents, Duration callDeadline) {
    this.channels = channels;
    this.agents = agents;
    this.callDeadline = callDeadline;
  }

  @Override
  public CompletableFuture<Answer> start(String agentId, Order o) {
    StartRestoreRequest req = StartRestoreRequest.newBuilder().setHeader(TxnHeader.newBuilder()
            .setClusterId(o.clusterId()).setEpoch(o.epoch()).setTxnId(o.groupSnapshotId())
            .setProtocolVersion(Formats.CURRENT))
        .setRestoreId(o.restoreId()).addAllVolumes(o.volumes()).setDryRun(o.dryRun()).setVerify(o.verify())
        .setKeepScratch(o.keepScratch()).build();
    return call(agentId, st -> st.startRestore(req), false);
  }

  @Override
  public CompletableFuture<Answer> get(String agentId, String restoreId) {
    GetRestoreRequest req = GetRestoreRequest.newBuilder().setRestoreId(restoreId).build();
    return call(agentId, st -> st.getRestore(req), true);
  }

  @Override
  public CompletableFuture<Answer> discard(String agentId, String restoreId) {
    DiscardRestoreRequest req = DiscardRestoreRequest.newBuilder().setRestoreId(restoreId).build();
    return call(agentId, st -> st.discardRestore(req), true);
  }

  private CompletableFuture<Answer> call(String agentId,
      Function<AgentRestoreServiceGrpc.AgentRestoreServiceFutureStub, ListenableFuture<RestoreStatusResponse>> rpc,
      boolean notFoundIsUnknown) {
    Optional<AgentRegistration> reg;
    try {
      reg = agents.registered().stream().filter(a -> a.getAgentId().equals(agentId)).findFirst();
    } catch (Exception e) {
      return CompletableFuture.completedFuture(Answer.of(Kind.UNREACHABLE, "agent " + agentId
          + ": registry not readable: " + e.getMessage()));
    }
    if (reg.isEmpty()) {
      return CompletableFuture.completedFuture(Answer.of(Kind.UNREACHABLE, "agent " + agentId
          + " is not registered (down?)"));
    }
    String endpoint = reg.get().getEndpoint();
    Deadline deadline = Deadline.after(callDeadline.toMillis(), TimeUnit.MILLISECONDS);
    try {
      AgentRestoreServiceGrpc.AgentRestoreServiceFutureStub stub = AgentRestoreServiceGrpc
          .newFutureStub(channels.channel(agentId, endpoint)).withDeadline(deadline);
      return GrpcAgentClient.toStage(rpc.apply(stub))
          .handle((r, e) -> e == null ? Answer.answered(r.getVolumesList())
              : failed(agentId, endpoint, e, notFoundIsUnknown))
          .toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(agentId, endpoint, e, notFoundIsUnknown));
    }
  }

  private static Answer failed(String agentId, String endpoint, Throwable e, boolean notFoundIsUnknown) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    Status s = Status.fromThrowable(t);
    String desc = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    String named = desc.startsWith("agent " + agentId + " ") ? desc : "agent " + agentId + ": " + desc;
    return switch (s.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> Answer.of(Kind.UNREACHABLE, "agent " + agentId + " at "
          + endpoint + " is not reachable (" + s.getCode() + ")");
      case NOT_FOUND -> notFoundIsUnknown ? Answer.of(Kind.UNKNOWN_RESTORE, named) : Answer.of(Kind.REFUSED, named);
      default -> Answer.of(Kind.REFUSED, named);
    };
  }
}
