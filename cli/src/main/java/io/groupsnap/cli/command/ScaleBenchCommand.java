package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.bench.scale.ScaleBench;
import io.groupsnap.devkit.bench.scale.ScaleRow;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code groupsnap bench scale}: the devkit's {@link ScaleBench}, up to thousands of lightweight agents. */
@Command(name = "scale", mixinStandardHelpOptions = true,
    description = "Measure window, floor, latency, coordinator CPU/heap and ZooKeeper record sizes with many "
        + "lightweight agents (a second JVM) against one coordinator.")
public final class ScaleBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOption output;

  @Option(names = "--members", split = ",", paramLabel = "N[,N...]", defaultValue = "10,100",
      description = "Member counts, measured in ascending order on one growing cluster (default ${DEFAULT-VALUE}).")
  List<Integer> members;

  @Option(names = "--snapshots", paramLabel = "N", defaultValue = "10",
      description = "Group snapshots per member count, after 2 warm-up ones (default ${DEFAULT-VALUE}).")
  int snapshots;

  @Option(names = "--floor-rounds", paramLabel = "N", defaultValue = "10",
      description = "Rounds of the uncoordinated floor per member count; 0: none (default ${DEFAULT-VALUE}).")
  int floorRounds;

  @Option(names = "--files", paramLabel = "N", defaultValue = "3",
      description = "Files of 1 KiB in each agent's volume (default ${DEFAULT-VALUE}).")
  int files;

  @Option(names = "--dead", paramLabel = "K", defaultValue = "0",
      description = "At the end, K agents stop serving and one more group snapshot shows how fast it aborts "
          + "(default ${DEFAULT-VALUE}: none).")
  int dead;

  @Option(names = "--agent-heap", paramLabel = "SIZE", defaultValue = "1g",
      description = "Maximum heap of the agents' JVM (default ${DEFAULT-VALUE}).")
  String agentHeap;

  @Option(names = "--throughput-groups", paramLabel = "G", defaultValue = "0",
      description = "After the member counts, G clients at once each take --snapshots group snapshots of two agents "
          + "of their own (disjoint members, one leader); prints group snapshots per second (default "
          + "${DEFAULT-VALUE}: none).")
  int throughputGroups;

  @Option(names = "--under", paramLabel = "DIR",
      description = "Where the run keeps its volumes, captures and ZooKeeper data (default: /dev/shm when it exists, "
          + "else the system's temporary directory): a tmpfs keeps one shared disk out of the figures.")
  java.nio.file.Path under;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    boolean[] headed = {false}; // the header comes with the first row: bad input prints nothing on stdout
    ScaleBench.Report report;
    try {
      report = ScaleBench.run(new ScaleBench.Options(members, snapshots, floorRounds, files, dead, agentHeap,
              throughputGroups, under != null ? under : defaultUnder()),
          row -> {
            if (!p.json()) {
              if (!headed[0]) {
                out.println(ScaleRow.HEADER);
                headed[0] = true;
              }
              out.println(row.text());
              out.flush();
            }
          });
    } catch (DevkitException e) {
      throw DevkitFailures.toCli(e);
    }
    if (p.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      List<Map<String, Object>> rows = new ArrayList<>();
      report.rows().forEach(r -> rows.add(r.asMap()));
      m.put("rows", rows);
      if (report.throughput() != null) {
        ScaleBench.ThroughputRun t = report.throughput();
        m.put("throughput", Map.of("groups", t.groups(), "snapshots", t.snapshots(), "perSecond", t.perSecond(),
            "latencyP50Ms", t.latencyP50(), "latencyP99Ms", t.latencyP99()));
      }
      if (report.dead() != null) {
        m.put("dead", Map.of("members", report.dead().members(), "dead", report.dead().dead(),
            "state", report.dead().state(), "latencyMs", report.dead().latencyMillis(),
            "reason", report.dead().reason()));
      }
      p.json(m);
    } else {
      out.println("window: first freeze to last thaw (agents' clocks); floor: the same freeze, capture and thaw "
          + "run locally on every agent at once, no coordinator; latency: create to committed result; cpu ms and "
          + "alloc MiB: the coordinator's JVM per group snapshot; max record: largest txns/ or snapshots/ record; "
          + "commit multi: both together (the commit's one multi-op). Milliseconds.");
      if (report.throughput() != null) {
        ScaleBench.ThroughputRun t = report.throughput();
        out.println(String.format(java.util.Locale.ROOT, "throughput: %d groups of 2 disjoint members, %d group "
            + "snapshots: %.1f per second, create to committed p50 %d / p99 %d ms", t.groups(), t.snapshots(),
            t.perSecond(), t.latencyP50(), t.latencyP99()));
      }
      if (report.dead() != null) {
        out.println("dead members: " + report.dead().dead() + " of " + report.dead().members() + " stopped serving: "
            + report.dead().state() + " after " + report.dead().latencyMillis() + " ms: " + report.dead().reason());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static java.nio.file.Path defaultUnder() {
    java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
    return java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm) ? shm
        : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
  }
}
