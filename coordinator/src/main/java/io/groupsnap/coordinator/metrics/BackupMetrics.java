package io.groupsnap.coordinator.metrics;

import io.groupsnap.common.Daemons;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What backup runs and retention come to:
 *
 * <ul>
 *   <li>{@code groupsnap_backup_runs_total{group,result}}: runs this coordinator ended as leader, result
 *       {@code completed}, {@code partially_failed} or {@code failed} ({@link #ended});
 *   <li>{@code groupsnap_backup_export_bytes_total{group}}: the bytes those runs' finished exports wrote;
 *   <li>{@code groupsnap_retention_removals_total{scope}}: what this coordinator's retention passes removed, scope
 *       {@code local} (a run's group snapshot) or {@code export} (its exports) ({@link #removed});
 *   <li>{@code groupsnap_backup_last_success_timestamp_seconds{group}}: when the newest COMPLETED run of the group
 *       still recorded finished, Unix time. Read from the run records every {@link #REFRESH} on a thread of its own
 *       ("groupsnap-metrics-backups", so a scrape never waits for ZooKeeper) and moved at once by a run that ends
 *       here: every coordinator shows it, a new leader at once, so alerts take {@code max()} per group. A group
 *       without a completed run has no such series.
 * </ul>
 * Every group's counters are there at 0 from the first refresh that sees the group, so that {@code increase()} sees
 * their first run. Thread-safe.
 */
public final class BackupMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackupMetrics.class);
  /** How often the run records are read again. */
  public static final Duration REFRESH = Duration.ofSeconds(15);
  static final String[] RESULTS = {"completed", "partially_failed", "failed"};

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
  private final Map<String, Gauge> lastSuccessGauges = new ConcurrentHashMap<>();
  private final Counter removedLocal;
  private final Counter removedExport;
  private final Counter verified;
  private final Counter verificationFailed;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-metrics-backups"));

  BackupMetrics(MeterRegistry registry) {
    this.registry = registry;
    removedLocal = removals("local");
    removedExport = removals("export");
    verified = verifications("verified");
    verificationFailed = verifications("failed");
  }

  private Counter verifications(String result) {
    return Counter.builder("groupsnap.verifications")
        .description("Test restores (groupsnap verify) this coordinator judged as leader, by verdict")
        .tag("result", result).register(registry);
  }

  /** A test restore was judged: VERIFIED ({@code ok}) or FAILED. */
  public void verification(boolean ok) {
    (ok ? verified : verificationFailed).increment();
  }

  private Counter removals(String scope) {
    return Counter.builder("groupsnap.retention.removals")
        .description("What retention passes of this coordinator removed: a run's group snapshot (local) or exports")
        .tag("scope", scope).register(registry);
  }

  private Counter runs(String group, String result) {
    return Counter.builder("groupsnap.backup.runs")
        .description("Backup runs this coordinator ended as leader, by group and result")
        .tags("group", group, "result", result).register(registry);
  }

  private Counter exportBytes(String group) {
    return Counter.builder("groupsnap.backup.export.bytes")
        .description("Bytes written by the finished exports of the backup runs this coordinator ended")
        .baseUnit("bytes").tag("group", group).register(registry);
  }

  /** The counters of {@code group}, at 0 until its first run ends here. */
  private void known(String group) {
    for (String r : RESULTS) {
      runs(group, r);
    }
    exportBytes(group);
  }

  /** A run this coordinator drove ended (after its final record was written). */
  public void ended(BackupRun r) {
    String result = switch (r.getState()) {
      case RUN_COMPLETED -> RESULTS[0];
      case RUN_PARTIALLY_FAILED -> RESULTS[1];
      case RUN_FAILED -> RESULTS[2];
      default -> null;
    };
    if (result == null) {
      return;
    }
    known(r.getGroup());
    runs(r.getGroup(), result).increment();
    long bytes = r.getExportsList().stream().filter(e -> e.getState() == ExportState.EXPORT_DONE)
        .mapToLong(MemberExport::getBytesDone).sum();
    exportBytes(r.getGroup()).increment(bytes);
    if (r.getState() == RunState.RUN_COMPLETED) {
      succeeded(r.getGroup(), r.getFinishedAtMillis());
    }
  }

  /** A retention pass removed {@code scope} ("local", "export" or "local+export") of a run. */
  public void removed(String scope) {
    if (scope.contains("local")) {
      removedLocal.increment();
    }
    if (scope.contains("export")) {
      removedExport.increment();
    }
  }

  private void succeeded(String group, long finishedAtMillis) {
    lastSuccess.computeIfAbsent(group, g -> {
      AtomicLong at = new AtomicLong();
      lastSuccessGauges.put(g, Gauge.builder("groupsnap.backup.last.success.timestamp", at, a -> a.get() / 1000.0)
          .description("When the newest completed backup run of the group finished (Unix time)")
          .baseUnit("seconds").tag("group", g).strongReference(true).register(registry));
      return at;
    }).accumulateAndGet(finishedAtMillis, Math::max);
  }

  /** Starts reading {@code runs} and {@code groups} every {@link #REFRESH}. */
  public void start(RunCatalog runs, GroupCatalog groups) {
    try {
      timer.scheduleWithFixedDelay(() -> refresh(runs, groups), 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.debug("backup figures not read: the metrics are closed");
    }
  }

  /**
   * Reads the figures once (on the metrics thread; tests call it directly): every group's counters, and each
   * group's newest completed run. A group no longer defined loses its timestamp series; a failed read keeps the last.
   */
  void refresh(RunCatalog runs, GroupCatalog groups) {
    try {
      Set<String> defined = new java.util.HashSet<>();
      for (GroupSpec g : groups.list().records()) {
        defined.add(g.getName());
        known(g.getName());
      }
      Map<String, Long> newest = new HashMap<>();
      for (BackupRun r : runs.list(null).records()) {
        if (r.getState() == RunState.RUN_COMPLETED && r.getFinishedAtMillis() > 0) {
          newest.merge(r.getGroup(), r.getFinishedAtMillis(), Math::max);
        }
      }
      newest.forEach((g, at) -> {
        if (defined.contains(g)) {
          succeeded(g, at);
        }
      });
      for (String g : Set.copyOf(lastSuccess.keySet())) {
        if (!defined.contains(g)) {
          lastSuccess.remove(g);
          Gauge gauge = lastSuccessGauges.remove(g);
          if (gauge != null) {
            registry.remove(gauge);
          }
        }
      }
    } catch (Exception e) {
      log.debug("backup figures for the metrics not read now: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
