package io.groupsnap.devkit.bench.scale;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.Percentiles;
import io.groupsnap.devkit.cluster.CoordinatorSession;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;

/**
 * The scale harness ({@code groupsnap bench scale}): one real coordinator in this JVM, and in a second JVM
 * ({@link AgentHost}) an embedded ZooKeeper and up to thousands of {@link LightAgent}s over real loopback gRPC. Member
 * counts are measured in ascending order on one cluster that grows between them. For each: the uncoordinated floor
 * ({@link Floor}), then group snapshots of every agent, each timed from create to committed result, its window read
 * from its record, the coordinator JVM's CPU time and allocation measured around it, and its records' sizes read back
 * from ZooKeeper; then the largest record anywhere under the cluster's path. Optionally, last, a few agents stop
 * serving and one more group snapshot shows how long the others wait for its abort. Figures are printed, never
 * asserted: this is a benchmark, not a test.
 */
public final class ScaleBench {
  private static final int WARM_UP = 2;
  private static final Duration DELETE_DEADLINE = Duration.ofMinutes(5);

  /**
   * @param members member counts (1 to {@link #MAX_MEMBERS}), measured in ascending order
   * @param snapshots group snapshots per member count after {@value #WARM_UP} warm-up ones
   * @param floorRounds rounds of the uncoordinated floor per member count (0: not measured)
   * @param files files of 1 KiB in each agent's volume
   * @param dead agents that stop serving for the last, aborting group snapshot (0: none)
   * @param agentHeap the agents' JVM's maximum heap, as {@code -Xmx} takes it
   * @param throughputGroups clients at once for the throughput run, each with two agents of its own (0: none)
   * @param under where the run's temporary directory (volumes, captures, ZooKeeper data) is made; a tmpfs such as
   *     {@code /dev/shm} keeps a thousand agents' captures from measuring one shared disk instead of coordination
   */
  public record Options(List<Integer> members, int snapshots, int floorRounds, int files, int dead,
      String agentHeap, int throughputGroups, Path under) {
    public Options {
      members = members.stream().sorted().distinct().toList();
    }
  }

  /** The last, aborting group snapshot with {@code dead} agents that no longer answer. */
  public record DeadRun(int members, int dead, String state, long latencyMillis, String reason) {}

  /** Group snapshots per second of {@code groups} 2-member groups on disjoint members, through one leader. */
  public record ThroughputRun(int groups, int snapshots, double perSecond, long latencyP50, long latencyP99) {}

  /** Everything measured; {@code dead} and {@code throughput} are null when not asked for. */
  public record Report(List<ScaleRow> rows, ThroughputRun throughput, DeadRun dead) {}

  public static final int MAX_MEMBERS = 5000;

  private final Options options;
  private final Consumer<ScaleRow> each;

  private ScaleBench(Options options, Consumer<ScaleRow> each) {
    this.options = options;
    this.each = each;
  }

  /**
   * Runs the harness; {@code each} is told of every row as soon as it is measured.
   *
   * @throws DevkitException (bad input) for options out of range; (failed) when a snapshot does not commit
   */
  public static Report run(Options options, Consumer<ScaleRow> each) throws Exception {
    if (options.members().isEmpty() || options.members().get(0) < 1
        || options.members().get(options.members().size() - 1) > MAX_MEMBERS || options.snapshots() < 1
        || options.floorRounds() < 0 || options.throughputGroups() < 0
        || 2 * options.throughputGroups() > options.members().get(options.members().size() - 1) || options.files() < 0 || options.dead() < 0
        || options.dead() >= options.members().get(options.members().size() - 1)
        || !options.agentHeap().matches("[0-9]+[kKmMgG]?") || !Files.isDirectory(options.under())) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT, "need members between 1 and " + MAX_MEMBERS
          + ", --snapshots >= 1, --floor-rounds >= 0, --files >= 0, 0 <= --dead < the largest member count and "
          + "--agent-heap like 2g, --under an existing directory, 2 x --throughput-groups <= the largest member count");
    }
    return new ScaleBench(options, each).run();
  }

  private Report run() throws Exception {
    Path dir = Files.createTempDirectory(options.under(), "groupsnap-scale-");
    List<ScaleRow> rows = new ArrayList<>();
    DeadRun dead = null;
    ThroughputRun throughput = null;
    try (AgentHostProcess agents = AgentHostProcess.start(dir, options.agentHeap());
         Transport transport = TransportSettings.plaintext().open();
         Coordinator coordinator = new Coordinator(CoordinatorConfig.defaults(DevCluster.CLUSTER,
             agents.zookeeper(), new HostPort("127.0.0.1", 0)).withZkWait(Duration.ofSeconds(30)), transport,
             DecisionRule.STRICT).start();
         CoordinatorSession session = new CoordinatorSession(coordinator.endpoint(), TransportSettings.plaintext());
         CuratorFramework zk = ZkClients.connect(agents.zookeeper(), Duration.ofSeconds(30))) {
      RecordSizes sizes = new RecordSizes(zk);
      ZkLayout layout = new ZkLayout(DevCluster.CLUSTER);
      for (int n : options.members()) {
        agents.ask("agents " + n + " " + options.files());
        ScaleRow row = measure(n, agents, session, sizes, layout);
        rows.add(row);
        each.accept(row);
      }
      if (options.throughputGroups() > 0) {
        Throughput.Result t = Throughput.run(coordinator.endpoint(), options.throughputGroups(), options.snapshots());
        throughput = new ThroughputRun(t.groups(), t.snapshots(), t.perSecond(), t.latencyP50(), t.latencyP99());
      }
      if (options.dead() > 0) {
        dead = deadRun(agents, session);
      }
    } finally {
      FileTrees.delete(dir);
    }
    return new Report(rows, throughput, dead);
  }

  private ScaleRow measure(int n, AgentHostProcess agents, CoordinatorSession session, RecordSizes sizes,
      ZkLayout layout) throws Exception {
    for (int i = 0; i < WARM_UP || !allOf(n, snapshot(session, null)); i++) {
      if (i > WARM_UP + 20) {
        throw new DevkitException(DevkitException.Kind.FAILED, "the coordinator never saw all " + n + " agents");
      }
    }
    List<Double> floor = new ArrayList<>();
    if (options.floorRounds() > 0) {
      Arrays.stream(agents.ask("floor " + options.floorRounds()).split(",")).map(Double::parseDouble)
          .forEach(floor::add);
    }
    List<Long> window = new ArrayList<>();
    List<Long> latency = new ArrayList<>();
    List<Long> spread = new ArrayList<>();
    Meter meter = new Meter();
    long largestTxn = 0;
    long largestMulti = 0;
    for (int i = 0; i < options.snapshots(); i++) {
      long start = System.nanoTime();
      GroupSnapshot g = snapshot(session, meter);
      latency.add((System.nanoTime() - start) / 1_000_000);
      window.add(g.getFreezeWindowMillis());
      spread.add(g.getMembersList().stream().mapToLong(m -> m.getFreezeStartedAtMillis()).max().orElse(0)
          - g.getMembersList().stream().mapToLong(m -> m.getFreezeStartedAtMillis()).min().orElse(0));
      long txn = sizes.of(layout.txn(g.getId()));
      long manifest = sizes.of(layout.snapshot(g.getId()));
      largestTxn = Math.max(largestTxn, Math.max(txn, manifest));
      largestMulti = Math.max(largestMulti, txn + manifest);
      session.delete(g.getId(), DELETE_DEADLINE);
    }
    RecordSizes.Largest any = sizes.largestUnder(layout.base());
    return new ScaleRow(n, options.snapshots(), Percentiles.of(window, 50), Percentiles.of(window, 99),
        Percentiles.of(spread, 50),
        floor.isEmpty() ? -1 : percentile(floor, 50), floor.isEmpty() ? -1 : percentile(floor, 99),
        Percentiles.of(latency, 50), Percentiles.of(latency, 99), meter.cpuMillis() / options.snapshots(),
        meter.allocatedBytes() / 1024.0 / options.snapshots(), largestTxn, any.bytes(), any.path(), largestMulti);
  }

  private static boolean allOf(int n, GroupSnapshot g) {
    return g.getMembersCount() >= n;
  }

  private DeadRun deadRun(AgentHostProcess agents, CoordinatorSession session) throws Exception {
    int n = options.members().get(options.members().size() - 1);
    agents.ask("kill " + options.dead());
    long start = System.nanoTime();
    GroupSnapshot g = session.create();
    long ms = (System.nanoTime() - start) / 1_000_000;
    return new DeadRun(n, options.dead(), g.getState().name(), ms, g.getAbortReason());
  }

  /** Takes one group snapshot (measured by {@code meter} when not null), which must commit. */
  private static GroupSnapshot snapshot(CoordinatorSession session, Meter meter) throws Exception {
    if (meter != null) {
      meter.start();
    }
    GroupSnapshot g = session.create();
    if (meter != null) {
      meter.stop();
    }
    if (g.getState() != GroupSnapshotState.COMMITTED) {
      throw new DevkitException(DevkitException.Kind.FAILED, "scale snapshot " + g.getId() + " " + g.getState()
          + ": " + g.getAbortReason());
    }
    return g;
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = values.stream().sorted().toList();
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  /** CPU time and heap allocation of this JVM (the coordinator's), summed over measured intervals. */
  private static final class Meter {
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long cpu;
    private long allocated;
    private long cpuAt;
    private long allocatedAt;

    void start() {
      cpuAt = os.getProcessCpuTime();
      allocatedAt = threads.getTotalThreadAllocatedBytes();
    }

    void stop() {
      cpu += os.getProcessCpuTime() - cpuAt;
      allocated += threads.getTotalThreadAllocatedBytes() - allocatedAt;
    }

    double cpuMillis() {
      return cpu / 1e6;
    }

    double allocatedBytes() {
      return allocated;
    }
  }
}
