package io.groupsnap.coordinator;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Callers;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.metrics.BackupMetrics;
import io.groupsnap.coordinator.restores.AuditedRestores;
import io.groupsnap.coordinator.restores.GroupRestore;
import io.groupsnap.coordinator.restores.RunVerdicts;
import io.groupsnap.coordinator.rpc.Access;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.rpc.GrpcRestoreClient;
import io.groupsnap.coordinator.rpc.RestoreGrpcService;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.coordinator.store.ClusterStore;
import io.grpc.ServerInterceptors;
import io.grpc.util.MutableHandlerRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;

/**
 * Restores, wired into a coordinator: {@link GroupRestore} over the agents' restore calls on the coordinator's agent
 * channels, audited, behind the role gate (operator). Polls run on the thread "groupsnap-restores"; {@link #close}
 * stops it (idempotent).
 */
final class RestoreWiring implements AutoCloseable {
  /** Each agent call's deadline (an agent answers at once and restores in the background). */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  static final Duration POLL_EVERY = Duration.ofMillis(500);
  /** How long an agent may stay unreachable during a restore before its running volumes count as failed. */
  static final Duration UNREACHABLE_FOR = Duration.ofMinutes(2);

  private final ExecutorService lane = Executors.newSingleThreadExecutor(Daemons.named("groupsnap-restores"));
  private final RestoreGrpcService service;

  RestoreWiring(CuratorFramework zk, ClusterStore store, CoordinatorCore core, GrpcAgentClient agentChannels,
      AuditTrail audit, String clusterId, String coordinatorId, BackupMetrics metrics) {
    RunStore runs = new RunStore(zk, store.layout());
    GroupRestore restores = new GroupRestore(clusterId, () -> core.requireLeader().epoch(), core::getGroupSnapshot,
        runs, store::agents, new GrpcRestoreClient(agentChannels, store::agents, CALL_DEADLINE), lane, POLL_EVERY,
        UNREACHABLE_FOR, new RunVerdicts(runs, core::requireLeader, coordinatorId, metrics::verification));
    this.service = new RestoreGrpcService(new AuditedRestores(restores, audit, Callers::current,
        () -> core.acting().isPresent()));
  }

  void register(MutableHandlerRegistry services, AccessGate.Denials denials) {
    services.addService(ServerInterceptors.intercept(service, Access.gate(denials)));
  }

  @Override
  public void close() {
    lane.shutdownNow();
  }
}
