package io.groupsnap.devkit.bench;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.Daemons;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.cluster.CoordinatorSession;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.cluster.DevCluster.Wire;
import io.groupsnap.devkit.workload.Gate;
import io.groupsnap.devkit.workload.GateWriter;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * The cost of coordination, by member count ({@code groupsnap bench}). For each member count, a one-process cluster
 * (embedded ZooKeeper, one coordinator, N agents each with one small dir volume and one in-process writer) takes a
 * series of group snapshots; the figures are printed, never asserted (machines are shared and noisy). Runs on the
 * calling thread.
 *
 * <p>With more than one transport (mutual TLS and plaintext), one cluster of each runs at the same time and their
 * rounds alternate — one snapshot on each, the order flipped every round — so that both see the same noise and
 * their figures can be compared side by side.
 */
public final class Bench {
  private static final int WARM_UP = 3;
  private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);
  private final Options options;

  /**
   * What to measure.
   *
   * @param members the member counts to measure (each 1 to 64)
   * @param snapshots group snapshots per member count and transport, after 3 warm-up ones (at least 1)
   * @param files files of 4 KiB in each volume (0 or more)
   * @param transports the transports to measure, each on its own cluster, rounds alternating (at least one)
   */
  public record Options(List<Integer> members, int snapshots, int files, List<Wire> transports) {
    public Options {
      members = List.copyOf(members);
      transports = List.copyOf(transports);
    }

    /** On mutual TLS only, as a dev cluster runs. */
    public Options(List<Integer> members, int snapshots, int files) {
      this(members, snapshots, files, List.of(Wire.TLS));
    }
  }

  private Bench(Options options) {
    this.options = options;
  }

  /**
   * Runs the bench and prints one line per member count and transport.
   *
   * @throws DevkitException (bad input) for options out of range; (failed) when a snapshot does not commit
   */
  public static void run(Options options, PrintWriter out) throws Exception {
    if (options.snapshots() < 1 || options.files() < 0 || options.members().stream().anyMatch(n -> n < 1 || n > 64)
        || options.transports().isEmpty() || options.transports().stream().distinct().count()
        != options.transports().size()) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT,
          "need --snapshots >= 1, --files >= 0, members between 1 and 64");
    }
    new Bench(options).run(out);
  }

  private void run(PrintWriter out) throws Exception {
    out.println(Series.HEADER);
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
        + "(agents' clocks); overhead: latency minus window (prepare, ZooKeeper writes, commit). Milliseconds.");
    out.flush();
  }

  /** One cluster of the series: where its files are, the cluster and the admin's session with it. */
  private record Running(Path dir, DevCluster cluster, CoordinatorSession session) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        session.close();
        cluster.close();
      } finally {
        FileTrees.delete(dir);
      }
    }
  }

  private void measure(int n, ScheduledExecutorService timer, PrintWriter out) throws Exception {
    Map<Wire, Running> clusters = new LinkedHashMap<>();
    Map<Wire, Series> series = new LinkedHashMap<>();
    try {
      for (Wire w : options.transports()) {
        clusters.put(w, start(n, w, timer));
        series.put(w, new Series());
      }
      for (int i = 0; i < WARM_UP; i++) {
        for (Running r : clusters.values()) {
          snapshot(r.session());
        }
      }
      List<Wire> order = new ArrayList<>(options.transports());
      for (int i = 0; i < options.snapshots(); i++) {
        for (Wire w : i % 2 == 0 ? order : reversed(order)) {
          long start = System.nanoTime();
          GroupSnapshot g = snapshot(clusters.get(w).session());
          series.get(w).add((System.nanoTime() - start) / 1_000_000, g.getFreezeWindowMillis());
        }
      }
    } finally {
      for (Running r : clusters.values()) {
        r.close();
      }
    }
    for (Map.Entry<Wire, Series> s : series.entrySet()) {
      out.println(s.getValue().row(n, label(s.getKey())));
    }
    if (series.size() == 2 && series.containsKey(Wire.TLS) && series.containsKey(Wire.INSECURE)) {
      out.println(Series.difference(n, series.get(Wire.TLS), series.get(Wire.INSECURE)));
    }
    out.flush();
  }

  private static List<Wire> reversed(List<Wire> l) {
    List<Wire> r = new ArrayList<>(l);
    java.util.Collections.reverse(r);
    return r;
  }

  /** {@code tls} or {@code insecure}, as {@code --transport} names them. */
  public static String label(Wire w) {
    return w.name().toLowerCase(Locale.ROOT);
  }

  private Running start(int n, Wire wire, ScheduledExecutorService timer) throws Exception {
    Path dir = Files.createTempDirectory("groupsnap-bench-" + label(wire) + "-");
    try {
      for (int i = 1; i <= n; i++) {
        Path v = Files.createDirectories(DevCluster.volumeDir(dir, "agent-" + i));
        for (int f = 0; f < options.files(); f++) {
          Files.write(v.resolve("file-" + f), new byte[4096]);
        }
      }
      DevCluster cluster = DevCluster.start(dir, n, null, id -> List.<Writer>of(
          new GateWriter("app", new Gate(), timer, Duration.ofSeconds(2))), List.of(), Map.of(),
          UnaryOperator.identity(), wire);
      try {
        return new Running(dir, cluster, cluster.session());
      } catch (Exception e) {
        cluster.close();
        throw e;
      }
    } catch (Exception e) {
      FileTrees.delete(dir);
      throw e;
    }
  }

  /** Takes one group snapshot, which must commit, and deletes it again. */
  private static GroupSnapshot snapshot(CoordinatorSession coordinator) throws DevkitException {
    GroupSnapshot g = coordinator.create();
    if (g.getState() != GroupSnapshotState.COMMITTED) {
      throw new DevkitException(DevkitException.Kind.FAILED, "bench snapshot " + g.getId() + " " + g.getState()
          + ": " + g.getAbortReason());
    }
    coordinator.delete(g.getId(), DELETE_DEADLINE);
    return g;
  }
}
