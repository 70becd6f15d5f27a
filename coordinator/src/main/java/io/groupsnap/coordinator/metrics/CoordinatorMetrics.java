package io.groupsnap.coordinator.metrics;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.metrics.GrpcServerMetrics;
import io.groupsnap.common.metrics.Meters;
import io.groupsnap.common.metrics.MetricsEndpoint;
import io.groupsnap.common.metrics.ZooKeeperMetrics;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;

/**
 * A coordinator's metrics, wired: its registry, what its transactions come to ({@link TransactionMetrics}), the
 * cluster's figures ({@link ClusterView}), leadership ({@code groupsnap_coordinator_leader} 1 while this process is
 * the acting leader, {@code groupsnap_coordinator_epoch} the epoch of its term, or the last one it read while
 * standby), backup runs and retention ({@link BackupMetrics}), the ZooKeeper connection, gRPC call latencies, and
 * the endpoint that serves them when one is configured.
 *
 * <p>Lifecycle: built with the coordinator, {@link #bind} once it is connected, {@link #serve} once it is built,
 * {@link #close()} when it closes (idempotent).
 */
public final class CoordinatorMetrics implements AutoCloseable {
  /** The setting that names the endpoint's address, in errors. */
  public static final String SETTING = "--metrics-listen";

  private final PrometheusMeterRegistry registry = Meters.registry("coordinator");
  private final AtomicLong lastCommittedMillis = new AtomicLong();
  private final TransactionMetrics transactions = new TransactionMetrics(registry, lastCommittedMillis);
  private final GrpcServerMetrics grpc = new GrpcServerMetrics(registry);
  private final BackupMetrics backups = new BackupMetrics(registry);
  private volatile ClusterView view;
  private volatile MetricsEndpoint endpoint;
  private volatile boolean closed;

  /**
   * What the transaction driver tells of each final record: counted at once, and the cluster figures are read again
   * soon after (on the view's thread).
   */
  public TransactionDriver.Outcomes transactions() {
    return record -> {
      transactions.finished(record);
      ClusterView v = view;
      if (v != null) {
        v.refreshSoon();
      }
    };
  }

  /** The interceptor that times the gRPC calls this coordinator answers. */
  public GrpcServerMetrics grpc() {
    return grpc;
  }

  /** What backup runs and retention are counted in; its reading of the run records is started by the wiring. */
  public BackupMetrics backups() {
    return backups;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Registers the gauges that read the running coordinator and starts the cluster view.
   *
   * @param leader whether this process is the acting leader now
   * @param epoch the epoch of this process's term while it leads
   * @param reads the coordinator's answers, for the cluster view (reads only)
   */
  public void bind(CuratorFramework zk, BooleanSupplier leader, Supplier<Optional<Long>> epoch,
      CoordinatorCalls reads) {
    ZooKeeperMetrics.bind(zk, registry);
    AtomicLong lastEpoch = new AtomicLong();
    Gauge.builder("groupsnap.coordinator.leader", leader, l -> l.getAsBoolean() ? 1 : 0)
        .description("1 while this coordinator is the acting leader, else 0").strongReference(true)
        .register(registry);
    Gauge.builder("groupsnap.coordinator.epoch", epoch, e -> {
      e.get().ifPresent(lastEpoch::set);
      return lastEpoch.get();
    }).description("The leader epoch: of this coordinator's term while it leads, else the last it held")
        .strongReference(true).register(registry);
    ClusterView v = new ClusterView(registry, reads, () -> zk.getZookeeperClient().isConnected(),
        lastCommittedMillis);
    view = v;
    if (closed) {
      v.close();
    } else {
      v.start();
    }
  }

  /** Starts the endpoint on {@code listen}; none when it is null. */
  public void serve(HostPort listen) throws MetricsEndpoint.UnavailableException {
    if (listen != null && !closed) {
      endpoint = MetricsEndpoint.start(SETTING, listen, registry);
    }
  }

  /** Where the endpoint listens (with the port it got for port 0); empty when none runs. */
  public Optional<HostPort> address() {
    MetricsEndpoint e = endpoint;
    return e == null ? Optional.empty() : Optional.of(e.address());
  }

  @Override
  public void close() {
    closed = true;
    backups.close();
    MetricsEndpoint e = endpoint;
    if (e != null) {
      e.close();
    }
    ClusterView v = view;
    if (v != null) {
      v.close();
    }
  }
}
