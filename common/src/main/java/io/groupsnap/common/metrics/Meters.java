package io.groupsnap.common.metrics;

import io.groupsnap.common.Version;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * What the meters of both daemons share: one registry per daemon, the {@code groupsnap_build_info} gauge, the JVM's
 * own meters, and the buckets of every duration histogram.
 *
 * <p>Names follow Prometheus' conventions once the registry renders them: Micrometer's
 * {@code groupsnap.group.snapshots} counter is {@code groupsnap_group_snapshots_total}, a timer {@code groupsnap.freeze.window} is the histogram
 * {@code groupsnap_freeze_window_seconds} (base unit seconds). Every meter is listed in docs/operations.md.
 */
public final class Meters {
  /**
   * The bucket bounds of every duration histogram: a freeze window is meant to take milliseconds, and a lease runs out
   * after tens of seconds, so both ends need resolution.
   */
  static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};

  private Meters() {}

  /**
   * A new registry for one daemon, with {@code groupsnap_build_info{daemon,version}} (always 1) and the JVM's memory,
   * thread, processor and uptime meters. Each daemon object has its own, so that several in one process (tests, dev
   * mode) count separately.
   *
   * @param daemon {@code coordinator} or {@code agent}
   */
  public static PrometheusMeterRegistry registry(String daemon) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("groupsnap.build.info", () -> 1)
        .description("Always 1; its labels say which daemon and which version runs")
        .tags("daemon", daemon, "version", Version.current())
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** A timer rendered as a Prometheus histogram in seconds with {@link #BUCKETS}. */
  public static Timer.Builder histogram(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS);
  }
}
