package io.groupsnap.cli;

import io.groupsnap.cli.command.AgentDaemonCommand;
import io.groupsnap.cli.command.AgentsCommand;
import io.groupsnap.cli.command.ClusterCommand;
import io.groupsnap.cli.command.CoordinatorDaemonCommand;
import io.groupsnap.cli.command.DemoCommand;
import io.groupsnap.cli.command.DevCommand;
import io.groupsnap.cli.command.SnapshotCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code groupsnap} command. */
@Command(name = "groupsnap", mixinStandardHelpOptions = true, version = "groupsnap 0.1.0",
    description = "Consistent group snapshots across volumes and machines.",
    subcommands = {SnapshotCommand.class, AgentsCommand.class, ClusterCommand.class, DevCommand.class,
        DemoCommand.class, AgentDaemonCommand.class, CoordinatorDaemonCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:failed, or unreachable after a bounded wait", "2:usage or bad input",
        "3:group snapshot aborted"})
public final class Groupsnap {
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; returns its exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Groupsnap());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler((ex, a) -> {
      err.println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage() + " (see '"
          + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      return ExitCodes.USAGE;
    });
    cmd.setExecutionExceptionHandler((ex, cl, parsed) -> {
      if (ex instanceof CliException c) {
        err.println("groupsnap: " + c.getMessage());
        return c.exitCode();
      }
      err.println("groupsnap: " + ex);
      return ExitCodes.FAILED;
    });
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
