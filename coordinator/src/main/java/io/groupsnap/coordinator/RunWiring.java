package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Callers;
import io.groupsnap.coordinator.api.MemberGuard;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.rpc.BackupGrpcService;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.rpc.GrpcExportClient;
import io.groupsnap.coordinator.runs.AuditedRuns;
import io.groupsnap.coordinator.runs.BackupCalls;
import io.groupsnap.coordinator.runs.CoordinatorSnapshots;
import io.groupsnap.coordinator.runs.ExportClient;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.runs.RunDeletion;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.runs.RunLauncher;
import io.groupsnap.coordinator.runs.RunOptions;
import io.groupsnap.coordinator.runs.RunService;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.coordinator.store.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;

/**
 * Backup runs, wired into a coordinator: the records ({@link RunStore}), the {@link RunDriver} on its own lane
 * "groupsnap-runs" (it checks leadership every second: resumes the runs that go on in a new recovered term, stops
 * when the term ends), the agents' export calls over the coordinator's agent channels, the deletion, and the
 * audited BackupService. Built once the coordinator has its core; {@link #close} stops the lane (idempotent).
 */
final class RunWiring implements AutoCloseable {
  /** Each export call's deadline (the agent answers StartExport at once and exports in the background). */
  static final Duration EXPORT_CALL_DEADLINE = Duration.ofSeconds(30);
  static final Duration LEADERSHIP_TICK = Duration.ofSeconds(1);

  private final ThreadScheduler lane = new ThreadScheduler("groupsnap-runs");
  private final RunStore store;
  private final RunDriver driver;
  private final BackupCalls calls;
  private final RunDeletion deletion;

  /**
   * @param snapshotCalls the coordinator's calls, unaudited (group snapshots of a run, their deletion)
   * @param acting the term this process acts in once recovered
   */
  RunWiring(CuratorFramework zk, ClusterStore cluster, GroupCatalog groups, CoordinatorCore snapshotCalls,
      GrpcAgentClient agentChannels, Supplier<Optional<Leadership.Term>> acting, Leadership leadership,
      AuditTrail audit, RunOptions options, String clusterId, String endpoint, MemberGuard held) {
    this.store = new RunStore(zk, cluster.layout());
    RunDriver.Agents agents = cluster::agents;
    RunDriver.Leader leader = new RunDriver.Leader() {
      @Override
      public Optional<Leadership.Term> acting() {
        return acting.get();
      }

      @Override
      public Optional<String> leaderId() {
        return leadership.leaderId();
      }
    };
    ExportClient exports = new GrpcExportClient(agentChannels, agents, EXPORT_CALL_DEADLINE);
    CoordinatorSnapshots snapshots = new CoordinatorSnapshots(snapshotCalls, groups, agents);
    Clock clock = Clock.systemUTC();
    this.driver = new RunDriver(store, groups, agents, snapshots, exports, leader, lane, clock, options, clusterId,
        endpoint, held);
    this.deletion = new RunDeletion(store, exports, snapshots, lane, clock, clusterId, endpoint);
    this.calls = new AuditedRuns(new RunService(driver, store, deletion, leader), audit, Callers::current,
        () -> acting.get().isPresent());
  }

  void start() {
    driver.start(LEADERSHIP_TICK);
  }

  /** The term ended: stop driving runs at once (the tick would, a second later). */
  void deposed(String why) {
    driver.stop(why);
  }

  /** What schedules use to start runs. */
  RunLauncher launcher() {
    return driver;
  }

  /** What retention removes runs' data with. */
  RunDeletion deletion() {
    return deletion;
  }

  /** Told of every run the driver ends. */
  void onEnded(java.util.function.Consumer<io.groupsnap.proto.v1.BackupRun> listener) {
    driver.onEnded(listener);
  }

  /** What retention and the CLI read. */
  RunCatalog catalog() {
    return store;
  }

  BackupGrpcService service() {
    return new BackupGrpcService(calls);
  }

  @Override
  public void close() {
    driver.close();
    lane.close();
  }
}
