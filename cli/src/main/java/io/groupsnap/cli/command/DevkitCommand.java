package io.groupsnap.cli.command;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.workload.CutVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap devkit}: hidden tools around the demo's workloads. {@code check-cut NAME=PATH...} checks that
 * copies of the demo's volumes are one consistent cut ({@link CutVerifier#verifyPresent}): the group check of the
 * demo's test restores ({@code groupVerify} in the coordinator's settings, with {@code {paths}}).
 */
@Command(name = "devkit", hidden = true, mixinStandardHelpOptions = true,
    description = "Tools around the demo's workloads.", subcommands = DevkitCommand.CheckCut.class)
public final class DevkitCommand {
  /** {@code groupsnap devkit check-cut NAME=PATH...}: exit 0 consistent, 1 with the first problem on one line. */
  @Command(name = "check-cut", mixinStandardHelpOptions = true,
      description = {"Check that copies of the demo's volumes (one per member, as a test restore's group check "
          + "receives them) are one consistent cut: the ledger adds up across all of them, and no header-count file "
          + "is torn.", "Exit 0 consistent; 1 with the first problem on the first line; 2 for bad arguments."})
  public static final class CheckCut implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME=PATH", arity = "2..*",
        description = "Each copy: a name (e.g. agent:volume) and the copy's root directory.")
    List<String> copies;

    @Override
    public Integer call() throws Exception {
      Map<String, Path> byName = new LinkedHashMap<>();
      for (String c : copies) {
        int eq = c.indexOf('=');
        if (eq <= 0 || eq == c.length() - 1) {
          throw new CliException(ExitCodes.USAGE, "'" + c + "': expected NAME=PATH");
        }
        Path p = Path.of(c.substring(eq + 1));
        if (!Files.isDirectory(p)) {
          throw new CliException(ExitCodes.USAGE, c.substring(0, eq) + ": " + p + " is not a directory");
        }
        if (byName.put(c.substring(0, eq), p) != null) {
          throw new CliException(ExitCodes.USAGE, c.substring(0, eq) + " is given twice");
        }
      }
      CutVerifier.Report r = CutVerifier.verifyPresent(byName);
      if (r.consistent()) {
        spec.commandLine().getOut().println("consistent: " + byName.size() + " copies");
        return ExitCodes.OK;
      }
      var out = spec.commandLine().getOut();
      r.tornFiles().forEach(t -> out.println(t + ": torn header-count file"));
      r.ledgerProblems().forEach(out::println);
      return ExitCodes.FAILED;
    }
  }
}
