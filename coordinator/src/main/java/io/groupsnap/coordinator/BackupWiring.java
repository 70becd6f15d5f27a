package io.groupsnap.coordinator;

import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.coordinator.audit.AuditWiring;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.groups.GroupCalls;
import io.groupsnap.coordinator.groups.GroupStore;
import io.groupsnap.coordinator.groups.GroupUsage;
import io.groupsnap.coordinator.groups.Groups;
import io.groupsnap.coordinator.metrics.BackupMetrics;
import io.groupsnap.coordinator.retention.RetentionPass;
import io.groupsnap.coordinator.rpc.Access;
import io.groupsnap.coordinator.rpc.GroupGrpcService;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.runs.RunOptions;
import io.groupsnap.coordinator.store.ClusterStore;
import io.grpc.ServerInterceptors;
import io.grpc.util.MutableHandlerRegistry;
import java.time.Clock;
import org.apache.curator.framework.CuratorFramework;

/**
 * Everything of backup runs in one coordinator (DESIGN.md §8): the named groups ({@link GroupStore}, the audited
 * GroupService), the runs ({@link RunWiring}), the schedules ({@link ScheduleWiring}) that launch them, and the
 * retention pass that expires them after each run and every {@link RunOptions#retentionInterval()} — each service
 * behind the coordinator's role gate; what runs and retention come to is counted in {@link BackupMetrics}. The
 * leader's parts act only while {@code core} names an acting term.
 */
final class BackupWiring implements AutoCloseable {
  private final GroupStore groups;
  private final GroupCalls groupCalls;
  private final RunWiring runs;
  private final ScheduleWiring schedules;
  private final ThreadScheduler retentionLane = new ThreadScheduler("groupsnap-retention");
  private final RetentionPass retention;
  private final BackupMetrics metrics;
  private volatile Runnable afterRun = () -> { };

  BackupWiring(CuratorFramework zk, ClusterStore store, GroupStore groups, CoordinatorCore core,
      GrpcAgentClient agents, Leadership leadership, AuditWiring audit, RunOptions options, String clusterId,
      String endpoint, BackupMetrics metrics, io.groupsnap.coordinator.api.MemberGuard held) {
    Clock clock = Clock.systemUTC();
    this.groups = groups;
    this.groupCalls = audit.groups(new Groups(groups, new GroupUsage(zk, store.layout()),
        () -> core.requireLeader().fence(), store::agents, clock));
    this.runs = new RunWiring(zk, store, groups, core, agents, core::acting, leadership, audit.trail(), options,
        clusterId, endpoint, held);
    this.schedules = new ScheduleWiring(zk, store.layout(), leadership, core::acting, runs.launcher(),
        runs.catalog(), groups, audit.audited()::call, clock);
    this.retention = new RetentionPass(groups, schedules.plans(), runs.deletion()::expire, core::acting,
        retentionLane, options.retentionInterval());
    this.metrics = metrics;
    runs.onEnded(r -> {
      metrics.ended(r);
      retention.poke();
      afterRun.run();
    });
    retention.onRemoved((group, run, scope) -> metrics.removed(scope));
  }

  /** Adds the group, backup and schedule services to the server, behind the role gate. */
  void register(MutableHandlerRegistry services, AccessGate.Denials denials) {
    services.addService(ServerInterceptors.intercept(new GroupGrpcService(groupCalls), Access.gate(denials)));
    services.addService(ServerInterceptors.intercept(runs.service(), Access.gate(denials)));
    services.addService(schedules.service(denials));
  }

  void start() {
    runs.start();
    schedules.start();
    retention.start();
    metrics.start(runs.catalog(), groups);
  }

  void deposed(String why) {
    runs.deposed(why);
    schedules.leadershipChanged();
  }

  /** Told after each run the driver ends (one listener; the verify policies). */
  void onRunEnded(Runnable listener) {
    this.afterRun = listener;
  }

  GroupCalls groupCalls() {
    return groupCalls;
  }

  GroupStore groups() {
    return groups;
  }

  @Override
  public void close() {
    schedules.close();
    retention.close();
    retentionLane.close();
    runs.close();
  }
}
