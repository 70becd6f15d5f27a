package io.groupsnap.devkit.bench;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.Daemons;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.Percentiles;
import io.groupsnap.devkit.cluster.CoordinatorSession;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.workload.Gate;
import io.groupsnap.devkit.workload.GateWriter;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The cost of coordination, by member count ({@code groupsnap bench}). For each member count, a one-process cluster
 * (embedded ZooKeeper, one coordinator, N agents each with one small dir volume and one in-process writer) takes a
 * series of group snapshots; the figures are printed, never asserted (machines are shared and noisy). Runs on the
 * calling thread.
 */
public final class Bench {
  private static final int WARM_UP = 3;
  private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);
  private final Options options;

  /**
   * What to measure.
   *
   * @param members the member counts to measure (each 1 to 64)
   * @param snapshots group snapshots per member count, after 3 warm-up ones (at least 1)
   * @param files files of 4 KiB in each volume (0 or more)
   */
  public record Options(List<Integer> members, int snapshots, int files) {
    public Options {
      members = List.copyOf(members);
    }
  }

  private Bench(Options options) {
    this.options = options;
  }

  /**
   * Runs the bench and prints one line per member count.
   *
   * @throws DevkitException (bad input) for options out of range; (failed) when a snapshot does not commit
   */
  public static void run(Options options, PrintWriter out) throws Exception {
    if (options.snapshots() < 1 || options.files() < 0 || options.members().stream().anyMatch(n -> n < 1 || n > 64)) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT,
          "need --snapshots >= 1, --files >= 0, members between 1 and 64");
    }
    new Bench(options).run(out);
  }

  private void run(PrintWriter out) throws Exception {
    out.printf(Locale.ROOT, "%-8s %12s %12s %12s %12s %14s%n", "members", "latency p50", "latency p99",
        "window p50", "window p99", "overhead p50");
    out.flush();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("bench-lease-timer"));
    try {
      for (int n : options.members()) {
        measure(n, timer, out);
      }
    } finally {
      timer.shutdownNow();
    }
    out.println("latency: client-observed, create to committed result; window: first freeze to last thaw "
        + "(agents' clocks); overhead: latency minus window (prepare, ZooKeeper writes, commit).");
    out.flush();
  }

  private void measure(int n, ScheduledExecutorService timer, PrintWriter out) throws Exception {
    Path dir = Files.createTempDirectory("groupsnap-bench-");
    try {
      for (int i = 1; i <= n; i++) {
        Path v = Files.createDirectories(DevCluster.volumeDir(dir, "agent-" + i));
        for (int f = 0; f < options.files(); f++) {
          Files.write(v.resolve("file-" + f), new byte[4096]);
        }
      }
      try (DevCluster cluster = DevCluster.start(dir, n, null, id -> List.<Writer>of(
          new GateWriter("app", new Gate(), timer, Duration.ofSeconds(2))));
          CoordinatorSession coordinator = cluster.session()) {
        List<Long> latency = new ArrayList<>();
        List<Long> window = new ArrayList<>();
        List<Long> overhead = new ArrayList<>();
        for (int i = 0; i < options.snapshots() + WARM_UP; i++) {
          long start = System.nanoTime();
          GroupSnapshot g = coordinator.create();
          long ms = (System.nanoTime() - start) / 1_000_000;
          if (g.getState() != GroupSnapshotState.COMMITTED) {
            throw new DevkitException(DevkitException.Kind.FAILED, "bench snapshot " + g.getId() + " " + g.getState()
                + ": " + g.getAbortReason());
          }
          coordinator.delete(g.getId(), DELETE_DEADLINE);
          if (i >= WARM_UP) {
            latency.add(ms);
            window.add(g.getFreezeWindowMillis());
            overhead.add(ms - g.getFreezeWindowMillis());
          }
        }
        out.printf(Locale.ROOT, "%-8d %10dms %10dms %10dms %10dms %12dms%n", n, Percentiles.of(latency, 50),
            Percentiles.of(latency, 99), Percentiles.of(window, 50), Percentiles.of(window, 99),
            Percentiles.of(overhead, 50));
        out.flush();
      }
    } finally {
      FileTrees.delete(dir);
    }
  }
}
