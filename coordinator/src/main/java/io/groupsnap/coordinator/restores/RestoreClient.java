package io.groupsnap.coordinator.restores;

import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.VolumeTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The agents' restore calls, as {@link GroupRestore} makes them (production: {@code rpc.GrpcRestoreClient} over the
 * coordinator's agent channels). Futures never fail: every failure is an {@link Answer} of its kind, with a one-line
 * reason naming the agent.
 */
public interface RestoreClient {
  /**
   * What one agent is asked: its volumes of one committed group snapshot, fenced by the leader's epoch; with
   * {@code verify} a test restore (to scratch space the agent chooses, checked, then removed; with {@code keepScratch}
   * kept after its checks until {@link #discard}).
   */
  record Order(String clusterId, long epoch, String groupSnapshotId, String restoreId, List<VolumeTarget> volumes,
      boolean dryRun, boolean verify, boolean keepScratch) {
    public Order {
      volumes = List.copyOf(volumes);
    }

    /** Without keeping a test restore's scratch. */
    public Order(String clusterId, long epoch, String groupSnapshotId, String restoreId, List<VolumeTarget> volumes,
        boolean dryRun, boolean verify) {
      this(clusterId, epoch, groupSnapshotId, restoreId, volumes, dryRun, verify, false);
    }

    public Order(String clusterId, long epoch, String groupSnapshotId, String restoreId, List<VolumeTarget> volumes,
        boolean dryRun) {
      this(clusterId, epoch, groupSnapshotId, restoreId, volumes, dryRun, false);
    }
  }

  /** How a call ended. */
  enum Kind {
    /** The agent answered with its volumes' restores. */
    ANSWERED,
    /** Not reached (down, cut off, not registered). */
    UNREACHABLE,
    /** The agent does not know the restore (it restarted since). */
    UNKNOWN_RESTORE,
    /** The agent refused (a target it does not allow, no room, no such capture, a stale epoch): nothing written. */
    REFUSED
  }

  /** An answer: {@code volumes} when ANSWERED, else {@code reason}. */
  record Answer(Kind kind, List<MemberRestore> volumes, String reason) {
    public Answer {
      volumes = List.copyOf(volumes);
    }

    public static Answer answered(List<MemberRestore> volumes) {
      return new Answer(Kind.ANSWERED, volumes, "");
    }

    public static Answer of(Kind kind, String reason) {
      return new Answer(kind, List.of(), reason);
    }
  }

  /** Checks ({@code dryRun}) or starts the agent's part of a restore. */
  CompletableFuture<Answer> start(String agentId, Order order);

  /** The agent's part of a restore now. */
  CompletableFuture<Answer> get(String agentId, String restoreId);

  /**
   * Removes the scratch a test restore kept on the agent (idempotent); answers its volumes with scratch_removed. By
   * default REFUSED: a client that cannot discard (the agent removes kept scratch by itself after its keep limit).
   */
  default CompletableFuture<Answer> discard(String agentId, String restoreId) {
    return CompletableFuture.completedFuture(Answer.of(Kind.REFUSED, "agent " + agentId + ": discard not supported"));
  }
}
