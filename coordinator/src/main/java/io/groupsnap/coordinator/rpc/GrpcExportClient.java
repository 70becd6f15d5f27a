package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.Formats;
import io.groupsnap.coordinator.runs.ExportClient;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ForgetExportRequest;
import io.groupsnap.proto.v1.GetExportRequest;
import io.groupsnap.proto.v1.StartExportRequest;
import io.groupsnap.proto.v1.TxnHeader;
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
 * {@link ExportClient} over gRPC: the agents' StartExport, GetExport and ForgetExport on the channels (and TLS
 * identity checks) of the coordinator's {@link GrpcAgentClient}, each with a deadline, the agent's endpoint read from
 * its registration at every call (a restarted agent may listen elsewhere). Failures become answers: UNAVAILABLE,
 * DEADLINE_EXCEEDED, CANCELLED and an unregistered agent are UNREACHABLE; NOT_FOUND on GetExport is UNKNOWN_RUN;
 * anything else is REFUSED with the agent's reason. The header carries cluster id, epoch and the group snapshot's id.
 */
public final class GrpcExportClient implements ExportClient {
  private final GrpcAgentClient channels;
  private final RunDriver.Agents agents;
  private final Duration callDeadline;

  public GrpcExportClient(GrpcAgentClient channels, RunDriver.Agents agents, Duration callDeadline) {
    this.channels = channels;
    this.agents = agents;
    this.callDeadline = callDeadline;
  }

  @Override
  public CompletableFuture<Answer> start(String agentId, Order order) {
    StartExportRequest req = StartExportRequest.newBuilder().setHeader(header(order)).setRunId(order.runId())
        .setGroup(order.group()).setTarget(order.target()).addAllVolumes(order.volumes()).build();
    return call(agentId, st -> st.startExport(req), r -> Answer.answered(r.getExportsList()), false);
  }

  @Override
  public CompletableFuture<Answer> get(String agentId, String runId) {
    GetExportRequest req = GetExportRequest.newBuilder().setRunId(runId).build();
    return call(agentId, st -> st.getExport(req), r -> Answer.answered(r.getExportsList()), true);
  }

  @Override
  public CompletableFuture<Answer> forget(String agentId, Order order, List<String> repositorySnapshotIds) {
    ForgetExportRequest req = ForgetExportRequest.newBuilder().setHeader(header(order)).setRunId(order.runId())
        .setGroup(order.group()).setTarget(order.target()).addAllRepositorySnapshotIds(repositorySnapshotIds).build();
    return call(agentId, st -> st.forgetExport(req), r -> Answer.answered(List.of()), false);
  }

  private static TxnHeader header(Order o) {
    return TxnHeader.newBuilder().setClusterId(o.clusterId()).setEpoch(o.epoch()).setTxnId(o.groupSnapshotId())
        .setProtocolVersion(Formats.CURRENT).build();
  }

  private <R> CompletableFuture<Answer> call(String agentId,
      Function<io.groupsnap.proto.v1.AgentServiceGrpc.AgentServiceFutureStub,
          com.google.common.util.concurrent.ListenableFuture<R>> rpc, Function<R, Answer> ok, boolean notFoundIsUnknown) {
    Optional<AgentRegistration> reg;
    try {
      reg = agents.registered().stream().filter(a -> a.getAgentId().equals(agentId)).findFirst();
    } catch (Exception e) {
      return CompletableFuture.completedFuture(Answer.unreachable("agent " + agentId + ": registry not readable: "
          + e.getMessage()));
    }
    if (reg.isEmpty()) {
      return CompletableFuture.completedFuture(Answer.unreachable("agent " + agentId + " is not registered"));
    }
    String endpoint = reg.get().getEndpoint();
    Deadline deadline = Deadline.after(callDeadline.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return GrpcAgentClient.toStage(rpc.apply(channels.stub(agentId, endpoint, deadline)))
          .handle((r, e) -> e == null ? ok.apply(r) : failed(agentId, endpoint, e, notFoundIsUnknown))
          .toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(agentId, endpoint, e, notFoundIsUnknown));
    }
  }

  private static Answer failed(String agentId, String endpoint, Throwable e, boolean notFoundIsUnknown) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    Status s = Status.fromThrowable(t);
    String why = "agent " + agentId + " at " + endpoint + ": " + s.getCode()
        + (s.getDescription() == null ? "" : " " + s.getDescription());
    return switch (s.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> Answer.unreachable(why);
      case NOT_FOUND -> notFoundIsUnknown ? Answer.unknownRun(why) : Answer.refused(why);
      default -> Answer.refused(why);
    };
  }
}
