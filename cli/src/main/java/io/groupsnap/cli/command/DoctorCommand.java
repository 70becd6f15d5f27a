package io.groupsnap.cli.command;

import io.groupsnap.cli.doctor.Doctor;
import io.groupsnap.cli.doctor.Finding;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.common.Printable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap doctor --config FILE}: checks an agent host against its configuration (see {@link Doctor}) and
 * prints one line per check with its verdict. Exit 0 when nothing failed (OK, WARN and SKIPPED lines), 1 when a line
 * failed, 2 for bad usage.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check an agent host: its configuration, each volume kind's tools and kernel support, privileges, "
        + "cgroup freezers, export targets, free space, TLS files, ZooKeeper and the clock offset. Run it as the "
        + "agent's user. Exit 0 when no line FAILs, 1 when one does.")
public final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOption output;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's YAML configuration.")
  Path config;

  /** Where the checks come from; tests give one with stand-in probes. */
  Doctor doctor = Doctor.system();

  @Override
  public Integer call() {
    List<Finding> findings = doctor.examine(config);
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    if (p.json()) {
      List<Map<String, String>> rows = new ArrayList<>();
      for (Finding f : findings) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("check", f.check());
        m.put("subject", f.subject());
        m.put("verdict", f.verdict().name());
        m.put("detail", f.detail());
        rows.add(m);
      }
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("ok", !Doctor.failed(findings));
      all.put("checks", rows);
      p.json(all);
    } else {
      int subjectWidth = Math.min(40, Math.max(7, findings.stream().mapToInt(f -> f.subject().length()).max()
          .orElse(0)));
      String row = "%-14s %-" + subjectWidth + "s %-7s %s%n";
      out.printf(Locale.ROOT, row, "CHECK", "SUBJECT", "VERDICT", "DETAIL");
      for (Finding f : findings) {
        out.printf(Locale.ROOT, row, f.check(), f.subject(), f.verdict(), Printable.line(f.detail()));
      }
    }
    out.flush();
    return Doctor.failed(findings) ? ExitCodes.FAILED : ExitCodes.OK;
  }
}
