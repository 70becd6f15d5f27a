package io.groupsnap.coordinator;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.retention.RetentionPlans;
import io.groupsnap.coordinator.rpc.Access;
import io.groupsnap.coordinator.rpc.ScheduleGrpcService;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.runs.RunLauncher;
import io.groupsnap.coordinator.schedule.ScheduleBook;
import io.groupsnap.coordinator.schedule.ScheduleRunner;
import io.groupsnap.coordinator.schedule.ScheduleStore;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;

/**
 * Schedules and retention plans of one coordinator, wired: the {@link ScheduleStore}, the leader's
 * {@link ScheduleRunner} on a lane of its own ("groupsnap-schedules"), the {@link ScheduleBook} and
 * {@link RetentionPlans} the ScheduleService answers with, and that service behind its role gate. The runner passes
 * only while {@code acting} names a term, so it needs no start and stop per leadership; {@link #leadershipChanged}
 * makes it look at once.
 *
 * <p>Use: build once the coordinator has its ZooKeeper client, its leadership and its audited calls; add
 * {@link #service} to the server; {@link #start}; call {@link #leadershipChanged} when elected (after recovery) and
 * when deposed; {@link #close} at shutdown (idempotent).
 */
public final class ScheduleWiring implements AutoCloseable {
  private final ThreadScheduler lane = new ThreadScheduler("groupsnap-schedules");
  private final ScheduleRunner runner;
  private final ScheduleBook book;
  private final RetentionPlans plans;
  private final ScheduleGrpcService.Audit audit;

  /**
   * @param acting the term this coordinator leads and has recovered, if any ({@code CoordinatorCore::acting})
   * @param audit how mutating calls are audited ({@code AuditedCalls::call})
   */
  public ScheduleWiring(CuratorFramework zk, ZkLayout layout, Leadership leadership,
      Supplier<Optional<Leadership.Term>> acting, RunLauncher launcher, RunCatalog runs, GroupCatalog groups,
      ScheduleGrpcService.Audit audit, Clock clock) {
    ScheduleStore store = new ScheduleStore(zk, layout);
    this.runner = new ScheduleRunner(store, launcher, lane, clock, acting, ScheduleRunner.DEFAULT_RECHECK);
    this.book = new ScheduleBook(store, groups, () -> require(leadership, acting), clock, runner::poke);
    this.plans = new RetentionPlans(runs, groups, clock);
    this.audit = audit;
  }

  private static Leadership.Term require(Leadership leadership, Supplier<Optional<Leadership.Term>> acting)
      throws NotLeaderException {
    Optional<Leadership.Term> t = acting.get();
    if (t.isPresent()) {
      return t.get();
    }
    if (leadership.term().isPresent()) {
      throw new NotLeaderException(null, "the leader is resolving unfinished transactions; retry shortly");
    }
    String leader = leadership.leaderId().orElse(null);
    throw new NotLeaderException(leader, leader == null ? "no coordinator leads yet; retry shortly"
        : "this coordinator is a standby; the leader is " + leader);
  }

  /** The ScheduleService, behind its role gate. */
  public ServerServiceDefinition service(AccessGate.Denials denials) {
    return ServerInterceptors.intercept(new ScheduleGrpcService(book, plans, audit), Access.gate(denials));
  }

  public ScheduleRunner runner() {
    return runner;
  }

  public RetentionPlans plans() {
    return plans;
  }

  public void start() {
    runner.start();
  }

  /** After this coordinator became the recovered leader, or lost leadership. */
  public void leadershipChanged() {
    runner.poke();
  }

  @Override
  public void close() {
    runner.close();
    lane.close();
  }
}
