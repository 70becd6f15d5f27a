package io.groupsnap.coordinator.metrics;

import io.groupsnap.common.CaptureConditions;
import io.groupsnap.common.Daemons;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as every coordinator reads it from ZooKeeper, refreshed every {@link #REFRESH} on a thread of its own
 * ("groupsnap-metrics-cluster") so that a scrape never waits for ZooKeeper:
 *
 * <ul>
 *   <li>{@code groupsnap_agents_registered}: agents registered now;
 *   <li>{@code groupsnap_agents_missing}: agents the cluster knows that are not registered (and not yet forgotten): a
 *       group snapshot of every agent refuses to start while there are any;
 *   <li>{@code groupsnap_last_committed_timestamp_seconds}: when the newest committed group snapshot (of those kept)
 *       finished, Unix time; 0 while there is none. This coordinator's own commits count at once.
 *   <li>{@code groupsnap_group_snapshots_damaged}: committed group snapshots a capture check found damaged.
 * </ul>
 *
 * Every coordinator reports the same figures (a standby reads them too), so alerts take {@code max()} over them. A
 * refresh that fails (ZooKeeper unreachable) keeps the last figures; {@code groupsnap_zookeeper_connected} says so.
 * While the client is disconnected no refresh is tried.
 */
public final class ClusterView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterView.class);
  /** How often the figures are read again. */
  public static final Duration REFRESH = Duration.ofSeconds(15);

  private final AtomicLong registered = new AtomicLong();
  private final AtomicLong missing = new AtomicLong();
  private final AtomicLong damaged = new AtomicLong();
  private final AtomicLong lastCommittedMillis;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-metrics-cluster"));
  private final AtomicBoolean queued = new AtomicBoolean();
  private final CoordinatorCalls reads;
  private final BooleanSupplier connected;

  /**
   * @param reads what the figures are read through (the coordinator's own answers; reads only)
   * @param connected whether the ZooKeeper client is connected now
   * @param lastCommittedMillis shared with {@link TransactionMetrics}, which records this coordinator's commits
   */
  ClusterView(MeterRegistry registry, CoordinatorCalls reads, BooleanSupplier connected,
      AtomicLong lastCommittedMillis) {
    this.reads = reads;
    this.connected = connected;
    this.lastCommittedMillis = lastCommittedMillis;
    Gauge.builder("groupsnap.agents.registered", registered, AtomicLong::get)
        .description("Agents registered in ZooKeeper now")
        .strongReference(true).register(registry);
    Gauge.builder("groupsnap.agents.missing", missing, AtomicLong::get)
        .description("Agents the cluster knows that are not registered (not yet forgotten)")
        .strongReference(true).register(registry);
    Gauge.builder("groupsnap.group.snapshots.damaged", damaged, AtomicLong::get)
        .description("Committed group snapshots whose captures a check found missing or altered")
        .strongReference(true).register(registry);
    Gauge.builder("groupsnap.last.committed.timestamp", lastCommittedMillis, m -> m.get() / 1000.0)
        .description("When the newest committed group snapshot finished (Unix time); 0 while there is none")
        .baseUnit("seconds").strongReference(true).register(registry);
  }

  ClusterView start() {
    timer.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Reads the figures again soon, on the view's thread (after a transaction); at most one such read is queued. */
  void refreshSoon() {
    if (queued.compareAndSet(false, true)) {
      try {
        timer.execute(() -> {
          queued.set(false);
          refresh();
        });
      } catch (RejectedExecutionException closing) {
        queued.set(false);
      }
    }
  }

  /** Reads every figure once; on the view's own thread (tests call it directly). */
  void refresh() {
    if (!connected.getAsBoolean()) {
      return;
    }
    try {
      registered.set(reads.listAgents().records().size());
      missing.set(reads.missingAgents().size());
      long newest = 0;
      long bad = 0;
      for (GroupSnapshot g : reads.listGroupSnapshots(false).records()) {
        if (g.getState() == GroupSnapshotState.COMMITTED) {
          newest = Math.max(newest, g.getFinishedAtMillis());
          bad += CaptureConditions.isDamaged(g) ? 1 : 0;
        }
      }
      lastCommittedMillis.accumulateAndGet(newest, Math::max);
      damaged.set(bad);
    } catch (Exception e) {
      log.debug("cluster figures for the metrics not read now: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
