package io.groupsnap.coordinator.runs;

import io.groupsnap.proto.v1.MemberExport;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The agents' export calls, as the run driver makes them (production: {@code rpc.GrpcExportClient} over the agent
 * channels the coordinator already has). Futures never fail: every failure is an {@link Answer} of its kind, with a
 * one-line reason naming the agent. Every call is idempotent on the agent.
 */
public interface ExportClient {
  /**
   * What an agent is asked to export: the captures of one committed group snapshot, fenced by the leader's epoch.
   *
   * @param volumes the volumes of the agent the group snapshot captured
   */
  record Order(String clusterId, long epoch, String groupSnapshotId, String runId, String group, String target,
      List<String> volumes) {
    public Order {
      volumes = List.copyOf(volumes);
    }
  }

  /** How a call ended. */
  enum Kind {
    /** The agent answered with its exports of the run (per volume). */
    ANSWERED,
    /** Not reached (down, cut off, not registered): try again later, within the export deadline. */
    UNREACHABLE,
    /** The agent does not know the run (it lost it): start it again. */
    UNKNOWN_RUN,
    /** The agent refused (no such target, a stale epoch, bad request): the agent's exports fail with the reason. */
    REFUSED
  }

  /** An answer: {@code exports} when {@code kind} is ANSWERED, else {@code reason}. */
  record Answer(Kind kind, List<MemberExport> exports, String reason) {
    public Answer {
      exports = List.copyOf(exports);
    }

    public static Answer answered(List<MemberExport> exports) {
      return new Answer(Kind.ANSWERED, exports, "");
    }

    public static Answer unreachable(String reason) {
      return new Answer(Kind.UNREACHABLE, List.of(), reason);
    }

    public static Answer unknownRun(String reason) {
      return new Answer(Kind.UNKNOWN_RUN, List.of(), reason);
    }

    public static Answer refused(String reason) {
      return new Answer(Kind.REFUSED, List.of(), reason);
    }
  }

  /** Starts (or, when it is going or done, reports) the agent's export of the run. */
  CompletableFuture<Answer> start(String agentId, Order order);

  /** The agent's exports of the run now. */
  CompletableFuture<Answer> get(String agentId, String runId);

  /** Removes the run's exports from the repository (ANSWERED with no exports when done). */
  CompletableFuture<Answer> forget(String agentId, Order order, List<String> repositorySnapshotIds);
}
