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
   * {@code verify} a test restore (to scratch space the agent chooses, checked, then removed).
   */
  record Order(String clusterId, long epoch, String groupSnapshotId, String restoreId, List<VolumeTarget> volumes,
      boolean dryRun, boolean verify) {
    public Order {
      volumes = List.copyOf(volumes);
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
}
