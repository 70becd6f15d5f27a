package io.groupsnap.coordinator.inplace;

import io.groupsnap.coordinator.restores.RestoreClient;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import io.groupsnap.proto.v1.VolumeTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The agents' in-place restore calls, as {@link InPlaceDriver} makes them (production: {@code rpc.GrpcInPlaceClient}
 * over the coordinator's agent channels). Every call carries the leader's epoch, and agents answer each
 * (restore, step) idempotently. Futures never fail: every failure is an answer of its kind with a one-line reason
 * naming the agent.
 */
public interface InPlaceClient {
  /** Who asks: the cluster, the leader's epoch, the group snapshot restored and the restore. */
  record Header(String clusterId, long epoch, String groupSnapshotId, String restoreId) {}

  /** One step's answer: {@code kind} ANSWERED with the agent's {@code ok}, else why it was not answered. */
  record StepAnswer(RestoreClient.Kind kind, boolean ok, String error, List<VolumeSwitchStatus> volumes) {
    public StepAnswer {
      volumes = List.copyOf(volumes);
    }

    public static StepAnswer answered(boolean ok, String error, List<VolumeSwitchStatus> volumes) {
      return new StepAnswer(RestoreClient.Kind.ANSWERED, ok, error, volumes);
    }

    public static StepAnswer failed(RestoreClient.Kind kind, String reason) {
      return new StepAnswer(kind, false, reason, List.of());
    }

    /** Answered and done. */
    public boolean done() {
      return kind == RestoreClient.Kind.ANSWERED && ok;
    }
  }

  /** StageInPlace: checks ({@code dryRun}) or starts staging the agent's volumes beside their live data. */
  CompletableFuture<RestoreClient.Answer> stage(String agentId, Header h, List<VolumeTarget> volumes, boolean dryRun);

  /** GetRestore: the stage's progress on the agent. */
  CompletableFuture<RestoreClient.Answer> progress(String agentId, String restoreId);

  /** StepInPlace: one step, done before the agent answers. */
  CompletableFuture<StepAnswer> step(String agentId, Header h, InPlaceStep step, boolean restored);
}
