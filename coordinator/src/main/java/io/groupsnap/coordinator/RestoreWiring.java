package io.groupsnap.coordinator;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Callers;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.groupcheck.GroupCheckRunner;
import io.groupsnap.coordinator.groupcheck.GroupChecks;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.inplace.AuditedInPlace;
import io.groupsnap.coordinator.inplace.HeldWork;
import io.groupsnap.coordinator.inplace.InPlaceDriver;
import io.groupsnap.coordinator.inplace.InPlaceOptions;
import io.groupsnap.coordinator.inplace.InPlaceStore;
import io.groupsnap.coordinator.inplace.Overlaps;
import io.groupsnap.coordinator.metrics.BackupMetrics;
import io.groupsnap.coordinator.restores.AuditedRestores;
import io.groupsnap.coordinator.restores.GroupRestore;
import io.groupsnap.coordinator.restores.RunVerdicts;
import io.groupsnap.coordinator.rpc.Access;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.rpc.GrpcInPlaceClient;
import io.groupsnap.coordinator.rpc.GrpcRestoreClient;
import io.groupsnap.coordinator.rpc.RestoreGrpcService;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.coordinator.store.ClusterStore;
import io.grpc.ServerInterceptors;
import io.grpc.util.MutableHandlerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;

/**
 * Restores, wired into a coordinator: {@link GroupRestore} over the agents' restore calls on the coordinator's agent
 * channels (with the groups' scheduled test restores, {@link VerifyWiring}, every {@code verifyPassEvery}), and the in-place restores' {@link InPlaceDriver} on its own lane "groupsnap-inplace" (it checks
 * leadership every second: takes up its predecessor's restores in a new acting term, stops when the term ends), both
 * audited, behind the role gate (operator). Restore polls run on the thread "groupsnap-restores", test restores'
 * group checks on "groupsnap-group-check" threads; {@link #close} stops all (idempotent).
 */
final class RestoreWiring implements AutoCloseable {
  /** Each agent call's deadline (an agent answers at once and restores in the background). */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  /** Each in-place step's deadline: STOP_WRITERS and START_WRITERS wait for the writers' hooks. */
  static final Duration STEP_DEADLINE = Duration.ofMinutes(5);
  static final Duration POLL_EVERY = Duration.ofMillis(500);
  /** How long an agent may stay unreachable during a restore before its running volumes count as failed. */
  static final Duration UNREACHABLE_FOR = Duration.ofMinutes(2);

  private final ExecutorService lane = Executors.newSingleThreadExecutor(Daemons.named("groupsnap-restores"));
  private final ThreadScheduler inPlaceLane = new ThreadScheduler("groupsnap-inplace");
  private final RestoreGrpcService service;
  private final InPlaceDriver inPlace;
  private final GroupCheckRunner groupCheckRunner = new GroupCheckRunner();
  private final VerifyWiring verify;

  RestoreWiring(CuratorFramework zk, ClusterStore store, CoordinatorCore core, GrpcAgentClient agentChannels,
      AuditTrail audit, String clusterId, String coordinatorId, BackupMetrics metrics, InPlaceStore inPlaceRecords,
      GroupCatalog groups, Leadership leadership, GroupChecks groupChecks, Duration verifyPassEvery) {
    RunStore runs = new RunStore(zk, store.layout());
    GroupRestore restores = new GroupRestore(clusterId, () -> core.requireLeader().epoch(), core::getGroupSnapshot,
        runs, store::agents, new GrpcRestoreClient(agentChannels, store::agents, CALL_DEADLINE), lane, POLL_EVERY,
        UNREACHABLE_FOR, new RunVerdicts(runs, core::requireLeader, coordinatorId, metrics::verification),
        groupChecks, groupCheckRunner, new Overlaps(inPlaceRecords, List::of));
    RunDriver.Leader leader = new RunDriver.Leader() {
      @Override
      public Optional<Leadership.Term> acting() {
        return core.acting();
      }

      @Override
      public Optional<String> leaderId() {
        return leadership.leaderId();
      }
    };
    this.inPlace = new InPlaceDriver(inPlaceRecords, core::getGroupSnapshot, runs, store::agents,
        new HeldWork(store, runs, groups, store::agents),
        new GrpcInPlaceClient(agentChannels, store::agents, STEP_DEADLINE), leader, inPlaceLane,
        Clock.systemUTC(), InPlaceOptions.defaults(), clusterId, coordinatorId);
    this.service = new RestoreGrpcService(
        new AuditedRestores(restores, audit, Callers::current, () -> core.acting().isPresent()),
        new AuditedInPlace(inPlace, audit, Callers::current, () -> core.acting().isPresent()));
    this.verify = new VerifyWiring(restores, audit, groups, runs, core::acting, verifyPassEvery);
  }

  void register(MutableHandlerRegistry services, AccessGate.Denials denials) {
    services.addService(ServerInterceptors.intercept(service, Access.gate(denials)));
  }

  /** Starts the in-place driver's leadership checks and the verify policies' pass. */
  void start() {
    inPlace.start();
    verify.start();
  }

  /** A backup run ended: the groups' verify policies may ask for its test restore now. */
  void runEnded() {
    verify.poke();
  }

  /** The term ended: stop driving in-place restores at once (the tick would, a second later). */
  void deposed(String why) {
    inPlace.stop(why);
  }

  @Override
  public void close() {
    verify.close();
    inPlace.close();
    inPlaceLane.close();
    lane.shutdownNow();
    groupCheckRunner.close();
  }
}
