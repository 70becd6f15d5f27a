package io.groupsnap.coordinator.audit;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.groups.GroupCalls;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;

/**
 * A coordinator's audit trail, wired: one {@link AuditStore} under the cluster's layout, the {@link AuditTrail} that
 * writes to it, the {@link AuditPages} that list it, the leader's {@link AuditPruner}, and the two threads they
 * need — outcome entries of asynchronous calls on "groupsnap-audit" (never on a transaction's lane), the pruning on
 * "groupsnap-audit-prune". Built by the coordinator once it has its ZooKeeper client and knows its endpoint; it keeps
 * the coordinator's own class to the wiring of its other parts.
 *
 * <p>Building it starts both threads' executors; {@link #start} schedules the pruning, {@link #close} stops both
 * (idempotent). Thread-safe.
 */
public final class AuditWiring implements AutoCloseable {
  private final ExecutorService lane = Executors.newSingleThreadExecutor(Daemons.named("groupsnap-audit"));
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-audit-prune"));
  private final AuditTrail trail;
  private final AuditPruner pruner;
  private final AuditPages pages;
  private volatile AuditedCalls audited;

  /** @param coordinator the endpoint its entries name as the coordinator that recorded them */
  public AuditWiring(CuratorFramework zk, ZkLayout layout, AuditRetention retention, Clock clock, String coordinator) {
    AuditStore store = new AuditStore(zk, layout);
    this.trail = new AuditTrail(store, clock, coordinator);
    this.pruner = new AuditPruner(zk, store, retention, clock);
    this.pages = new AuditPages(store);
  }

  public AuditTrail trail() {
    return trail;
  }

  public AuditPruner pruner() {
    return pruner;
  }

  public AuditPages pages() {
    return pages;
  }

  /**
   * {@code inner}'s calls with every mutating one audited ({@link AuditedCalls}), outcome entries written on this
   * wiring's audit lane.
   */
  public CoordinatorCalls calls(CoordinatorCalls inner, Supplier<Identity> caller, BooleanSupplier leads) {
    AuditedCalls calls = new AuditedCalls(inner, trail, caller, leads, lane);
    audited = calls;
    return calls;
  }

  /**
   * The group service's calls audited like {@link #calls}'s, by the same caller and leadership; after {@link #calls}.
   */
  public GroupCalls groups(GroupCalls inner) {
    if (audited == null) {
      throw new IllegalStateException("the coordinator's calls are wired first");
    }
    return new AuditedGroupCalls(inner, audited);
  }

  /** The audited calls {@link #calls} made: other services audit their mutating calls through its {@code call}. */
  public AuditedCalls audited() {
    if (audited == null) {
      throw new IllegalStateException("the coordinator's calls are wired first");
    }
    return audited;
  }

  /** Prunes the trail periodically, whenever {@code acting} names a term ({@link AuditPruner#start}). */
  public void start(Supplier<Optional<Leadership.Term>> acting) {
    pruner.start(timer, acting);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    lane.shutdownNow();
  }
}
