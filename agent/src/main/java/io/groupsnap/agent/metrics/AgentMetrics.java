package io.groupsnap.agent.metrics;

import io.groupsnap.agent.export.ExportManager;
import io.groupsnap.agent.txn.HoldListener;
import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.metrics.GrpcServerMetrics;
import io.groupsnap.common.metrics.Meters;
import io.groupsnap.common.metrics.MetricsEndpoint;
import io.groupsnap.common.metrics.ZooKeeperMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * An agent's metrics, wired: its registry, its holds ({@link HoldMetrics}), the reaper's deletions ({@code
 * groupsnap_agent_reaper_deletions_total{what}}: {@code captures} counts group snapshots whose captures here a pass
 * deleted, {@code strays} directories no transaction knew), exports ({@link ExportMetrics}), the ZooKeeper connection, gRPC call latencies, and the
 * endpoint that serves them when the configuration asks for one ({@code metrics.listen}).
 *
 * <p>Lifecycle: built with the agent, {@link #bind} once it is connected, {@link #serve} once it serves, {@link
 * #close()} when it closes (idempotent).
 */
public final class AgentMetrics implements AutoCloseable {
  /** The configuration field that names the endpoint's address, in errors. */
  public static final String SETTING = "metrics.listen";

  private final PrometheusMeterRegistry registry = Meters.registry("agent");
  private final HoldMetrics holds = new HoldMetrics(registry);
  private final GrpcServerMetrics grpc = new GrpcServerMetrics(registry);
  private final Counter reapedCaptures = reaperCounter("captures");
  private final Counter reapedStrays = reaperCounter("strays");
  private final ExportMetrics exports = new ExportMetrics(registry);
  private volatile MetricsEndpoint endpoint;
  private volatile boolean closed;

  private Counter reaperCounter(String what) {
    return Counter.builder("groupsnap.agent.reaper.deletions")
        .description("What the reaper deleted: captures of group snapshots not committed, stray directories")
        .tag("what", what).register(registry);
  }

  /** What the participant tells of each hold. */
  public HoldListener holds() {
    return holds;
  }

  /** What the export manager tells of each export that ended. */
  public ExportManager.Listener exports() {
    return exports;
  }

  /** The interceptor that times the gRPC calls this agent answers. */
  public GrpcServerMetrics grpc() {
    return grpc;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Registers the ZooKeeper connection gauge. */
  public void bind(CuratorFramework zk) {
    ZooKeeperMetrics.bind(zk, registry);
  }

  /** Counts what one reaper pass deleted; returns the pass. */
  public Reaper.Pass reaped(Reaper.Pass pass) {
    reapedCaptures.increment(pass.reaped().size());
    reapedStrays.increment(pass.strays().size());
    return pass;
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
    MetricsEndpoint e = endpoint;
    if (e != null) {
      e.close();
    }
  }
}
