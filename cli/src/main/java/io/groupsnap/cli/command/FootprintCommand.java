package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.Percentiles;
import io.groupsnap.devkit.bench.scale.Footprint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
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

/** {@code groupsnap bench footprint}: the agent daemon's idle RSS and start-to-registered time (devkit's Footprint). */
@Command(name = "footprint", mixinStandardHelpOptions = true,
    description = "Start the real agent daemon as its own process (JVM options of the systemd unit by default) and "
        + "measure its time from start to registered and its idle resident set size.")
public final class FootprintCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOption output;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "5",
      description = "Agent starts to measure (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--idle", paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds the agent idles, registered, before its RSS is read (default ${DEFAULT-VALUE}).")
  int idleSeconds;

  @Option(names = "--java-opts", paramLabel = "OPTS", defaultValue = Footprint.SYSTEMD_JAVA_OPTS,
      description = "The agent's JVM options (default: those of deploy/systemd/groupsnap-agent.service).")
  String javaOpts;

  @Option(names = "--cds", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Use an AppCDS archive made by a first, unmeasured agent --check, as the systemd unit does "
          + "(default; --no-cds: without).")
  boolean cds;

  @Option(names = "--under", paramLabel = "DIR",
      description = "Where the run keeps its files (default: the system's temporary directory).")
  Path under;

  @Override
  public Integer call() throws Exception {
    List<Footprint.Run> results;
    try {
      results = Footprint.run(runs, javaOpts, cds, Duration.ofSeconds(idleSeconds),
          under != null ? under : Path.of(System.getProperty("java.io.tmpdir")));
    } catch (DevkitException e) {
      throw DevkitFailures.toCli(e);
    }
    List<Long> starts = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    results.forEach(r -> {
      starts.add(r.startToRegisteredMillis());
      rss.add(r.idleRssKiB());
    });
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    if (p.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("javaOpts", javaOpts);
      m.put("cds", cds);
      m.put("startToRegisteredMs", starts);
      m.put("idleRssKiB", rss);
      p.json(m);
    } else {
      out.println("agent JVM options: " + javaOpts + (cds ? " (with an AppCDS archive)" : ""));
      out.println("start to registered (ms): p50 " + Percentiles.of(starts, 50) + ", max " + Percentiles.of(starts, 100)
          + "  " + starts);
      out.println("idle RSS after " + idleSeconds + "s (MiB): p50 " + Percentiles.of(rss, 50) / 1024 + ", max "
          + Percentiles.of(rss, 100) / 1024 + "  " + rss.stream().map(k -> k / 1024).toList());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
