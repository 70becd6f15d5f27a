package io.groupsnap.devkit.bench;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.exec.ExecWriter;
import io.groupsnap.common.Daemons;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.cluster.CoordinatorSession;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.cluster.DevCluster.Wire;
import io.groupsnap.devkit.workload.Gate;
import io.groupsnap.devkit.workload.GateWriter;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The cost of coordination, by member count ({@code groupsnap bench}). For each member count, a one-process cluster
 * (embedded ZooKeeper, one coordinator, N agents each with one volume of small files and one writer, in-process unless
 * {@link Options#writer} asks for an exec hook) takes a series of coordinated group snapshots and, on the same
 * agents, volumes and writers, a series of uncoordinated floor samples ({@link Floor}: every member's own freeze, capture and thaw at once, no coordinator); the two kinds alternate
 * sample by sample, the order flipped every round, so that the machine's noise hits both alike. Both windows are
 * timed by the same marks on the agents' hold path ({@link WindowMarks}). The figures are reported, never asserted
 * (machines are shared and noisy). Runs on the calling thread.
 *
 * <p>The volumes are {@code dir} ones unless {@link Options#volume} asks for a real kind on file systems made on loop
 * devices for the run ({@link BenchVolumes}; root only, checked before anything starts); floor and window then run on
 * the same real volumes, and whatever was made is removed when the cluster closes, or by a shutdown hook.
 *
 * <p>With more than one transport (mutual TLS and plaintext), one cluster of each runs at the same time and their
 * rounds alternate too, so that their figures can be compared side by side.
 */
public final class Bench {
  /** What the figures mean, for a line under the table. */
  public static final String LEGEND = "floor: every member's own freeze + capture + thaw started at once, no "
      + "coordinator; window: first hold start to last thaw in a group snapshot (both on the agents' hold path); "
      + "ratio: window/floor p50; overhead: window - floor; create>commit: client-observed create to committed "
      + "result. Milliseconds.";
  private static final int WARM_UP = 3;
  private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);
  private final Options options;

  /**
   * What to measure.
   *
   * @param members the member counts to measure (each 1 to 64)
   * @param snapshots group snapshots (and as many floor samples) per member count and transport, after 3 warm-up ones
   *     of each (at least 1)
   * @param files files of 4 KiB in each volume (0 or more)
   * @param transports the transports to measure, each on its own cluster, rounds alternating (at least one)
   * @param writer every member's writer
   * @param volume every member's volume kind
   */
  public record Options(List<Integer> members, int snapshots, int files, List<Wire> transports,
      BenchWriter writer, BenchVolume volume) {
    public Options {
      members = List.copyOf(members);
      transports = List.copyOf(transports);
    }

    /** On {@code dir} volumes. */
    public Options(List<Integer> members, int snapshots, int files, List<Wire> transports, BenchWriter writer) {
      this(members, snapshots, files, transports, writer, BenchVolume.DIR);
    }

    /** With the in-process gate writer. */
    public Options(List<Integer> members, int snapshots, int files, List<Wire> transports) {
      this(members, snapshots, files, transports, BenchWriter.GATE);
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
   * Runs the bench; hands the figures of each member count (one per transport, in the order of
   * {@link Options#transports}) to {@code each} as soon as they are known, and returns them all.
   *
   * @throws DevkitException (bad input) for options out of range, or when this host cannot make the file systems of
   *     {@link Options#volume} (not root, a program missing: nothing is made or frozen then); (failed) when a
   *     snapshot does not commit or a floor
   *     sample does not hold unbroken
   */
  public static List<Figures> run(Options options, Consumer<List<Figures>> each) throws Exception {
    check(options);
    return new Bench(options).run(each);
  }

  /**
   * What {@link #run} checks before it starts anything: callers that print before the first figures call it first.
   *
   * @throws DevkitException (bad input) as {@link #run} does
   */
  public static void check(Options options) throws DevkitException {
    if (options.snapshots() < 1 || options.files() < 0 || options.members().stream().anyMatch(n -> n < 1 || n > 64)
        || options.transports().isEmpty() || options.transports().stream().distinct().count()
        != options.transports().size()) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT,
          "need --snapshots >= 1, --files >= 0, members between 1 and 64");
    }
    BenchVolumes.check(options.volume());
  }

  private List<Figures> run(Consumer<List<Figures>> each) throws Exception {
    List<Figures> all = new ArrayList<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("bench-lease-timer"));
    try {
      for (int n : options.members()) {
        List<Figures> f = measure(n, timer);
        each.accept(f);
        all.addAll(f);
      }
    } finally {
      timer.shutdownNow();
    }
    return all;
  }

  /** One cluster of the series: its volumes (which own its data directory), the cluster, the admin's session, its floor and its marks. */
  private record Running(BenchVolumes volumes, DevCluster cluster, CoordinatorSession session, Floor floor,
      WindowMarks marks, Series series, List<ExecWriter> execWriters) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        floor.close();
        session.close();
        cluster.close();
        execWriters.forEach(ExecWriter::close);
      } finally {
        volumes.close();
      }
    }

    /** One floor sample. */
    void floorSample() throws Exception {
      floor.sample(marks);
      series.floor(marks.windowNanos());
    }

    /** One coordinated group snapshot: committed, timed, then deleted (outside the timing). */
    void coordinatedSample() throws Exception {
      marks.reset();
      long start = System.nanoTime();
      GroupSnapshot g = commit(session);
      long latency = System.nanoTime() - start;
      // time to frozen is reported for exec hooks only: the gate writer's table stays as it was
      series.coordinated(marks.windowNanos(), latency, execWriters.isEmpty() ? -1 : marks.frozenNanos());
      delete(session, g.getId());
    }
  }

  private List<Figures> measure(int n, ScheduledExecutorService timer) throws Exception {
    Map<Wire, Running> clusters = new LinkedHashMap<>();
    try {
      for (Wire w : options.transports()) {
        clusters.put(w, start(n, w, timer));
      }
      for (int i = 0; i < WARM_UP; i++) {
        for (Running r : clusters.values()) {
          delete(r.session(), commit(r.session()).getId());
          r.floor().sample(r.marks());
        }
      }
      List<Wire> order = new ArrayList<>(options.transports());
      for (int i = 0; i < options.snapshots(); i++) {
        for (Wire w : i % 2 == 0 ? order : reversed(order)) {
          Running r = clusters.get(w);
          if (i % 2 == 0) {
            r.floorSample();
            r.coordinatedSample();
          } else {
            r.coordinatedSample();
            r.floorSample();
          }
        }
      }
    } finally {
      for (Running r : clusters.values()) {
        r.close();
      }
    }
    List<Figures> figures = new ArrayList<>();
    for (Map.Entry<Wire, Running> e : clusters.entrySet()) {
      figures.add(e.getValue().series().figures(n, label(e.getKey())));
    }
    return figures;
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
    // from here the volumes own the directory: deleted when they close, or by their shutdown hook
    BenchVolumes volumes = BenchVolumes.make(options.volume(), dir, n, options.files());
    try {
      Path hook = options.writer() == BenchWriter.GATE ? null : BenchWriter.writeHook(dir);
      List<ExecWriter> execWriters = new CopyOnWriteArrayList<>();
      DevCluster cluster = DevCluster.start(dir, n, null, id -> {
        if (hook == null) {
          return List.<Writer>of(new GateWriter("app", new Gate(), timer, Duration.ofSeconds(2)));
        }
        ExecWriter w = options.writer().exec(hook, dir.resolve("writer-state").resolve(id));
        execWriters.add(w);
        return List.<Writer>of(w);
      }, List.of(), volumes.configs(), UnaryOperator.identity(), wire);
      try {
        WindowMarks marks = new WindowMarks();
        List<Agent> agents = List.copyOf(cluster.agents().values());
        // before the first FREEZE: the marks replace the agents' hold metrics, which the bench does not read
        agents.forEach(a -> a.participant().reportHoldsTo(marks));
        return new Running(volumes, cluster, cluster.session(),
            new Floor(agents, cluster.coordinator().clusterId()),
            marks, new Series(), execWriters);
      } catch (Exception e) {
        cluster.close();
        throw e;
      }
    } catch (Exception e) {
      try {
        volumes.close();
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Deletes a group snapshot, outside the timing. A delete that finds it partly deleted is run once more, as the
   * coordinator's answer asks: seen once with fsfreeze captures at load 16, an agent answering INTERNAL with a file
   * of the capture it was deleting gone (most likely another deletion of the same capture at the same time; see
   * docs/performance.md, "On real kinds").
   */
  private static void delete(CoordinatorSession session, String id) {
    try {
      session.delete(id, DELETE_DEADLINE);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
        throw e;
      }
      session.delete(id, DELETE_DEADLINE);
    }
  }

  /** Takes one group snapshot, which must commit. */
  private static GroupSnapshot commit(CoordinatorSession coordinator) throws DevkitException {
    GroupSnapshot g = coordinator.create();
    if (g.getState() != GroupSnapshotState.COMMITTED) {
      throw new DevkitException(DevkitException.Kind.FAILED, "bench snapshot " + g.getId() + " " + g.getState()
          + ": " + g.getAbortReason());
    }
    return g;
  }
}
