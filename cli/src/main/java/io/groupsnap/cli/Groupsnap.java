package io.groupsnap.cli;

import io.groupsnap.cli.command.AgentDaemonCommand;
import io.groupsnap.cli.command.AgentsCommand;
import io.groupsnap.cli.command.AuditCommand;
import io.groupsnap.cli.command.RestoreCommand;
import io.groupsnap.cli.command.VerifyCommand;
import io.groupsnap.cli.command.BackupCommand;
import io.groupsnap.cli.command.BenchCommand;
import io.groupsnap.cli.command.CertsCommand;
import io.groupsnap.cli.command.ClusterCommand;
import io.groupsnap.cli.command.CoordinatorDaemonCommand;
import io.groupsnap.cli.command.DemoCommand;
import io.groupsnap.cli.command.DevkitCommand;
import io.groupsnap.cli.command.DevCommand;
import io.groupsnap.cli.command.DoctorCommand;
import io.groupsnap.cli.command.GroupCommand;
import io.groupsnap.cli.command.HealthCommand;
import io.groupsnap.cli.command.RetentionCommand;
import io.groupsnap.cli.command.ScheduleCommand;
import io.groupsnap.cli.command.SnapshotCommand;
import io.groupsnap.cli.command.VersionCommand;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Printable;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code groupsnap} command. */
@Command(name = "groupsnap", mixinStandardHelpOptions = true, versionProvider = Groupsnap.Version.class,
    description = "Consistent group snapshots across volumes and machines.",
    subcommands = {SnapshotCommand.class, GroupCommand.class, AgentsCommand.class, ClusterCommand.class, DevCommand.class,
        DemoCommand.class, BenchCommand.class, AgentDaemonCommand.class, CoordinatorDaemonCommand.class,
        VersionCommand.class, HealthCommand.class, AuditCommand.class, CertsCommand.class, ScheduleCommand.class,
        RetentionCommand.class, BackupCommand.class, DoctorCommand.class, RestoreCommand.class,
        VerifyCommand.class, DevkitCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:failed, unreachable after a bounded wait, or refused (a role missing)",
        "2:usage or bad input (missing TLS credentials too)",
        "3:group snapshot aborted"})
public final class Groupsnap {
  /** {@code --version}: {@code groupsnap VERSION}, the build's version ({@link io.groupsnap.common.Version}). */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"groupsnap " + io.groupsnap.common.Version.current()};
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  private static final java.util.Set<String> GLOBAL_WITH_VALUE =
      java.util.Set.of("--coordinator", "--zookeeper", "--cluster", "-o", "--output", "--tls-ca", "--tls-cert",
          "--tls-key");
  private static final java.util.Set<String> GLOBAL_FLAGS = java.util.Set.of("--insecure");

  /**
   * Lets connection, TLS and output options come before the subcommand too ({@code groupsnap --coordinator H:P snapshot
   * list}): they are moved behind it, where the subcommands declare them.
   */
  static String[] hoistGlobalOptions(String[] args) {
    java.util.List<String> leading = new java.util.ArrayList<>();
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (GLOBAL_FLAGS.contains(a)) {
        leading.add(a);
        i++;
        continue;
      }
      if (!GLOBAL_WITH_VALUE.contains(name)) {
        break;
      }
      leading.add(a);
      if (!a.contains("=") && i + 1 < args.length) {
        leading.add(args[++i]);
      }
      i++;
    }
    if (leading.isEmpty() || i == args.length) {
      return args;
    }
    java.util.List<String> out = new java.util.ArrayList<>(java.util.Arrays.asList(args).subList(i, args.length));
    out.addAll(leading);
    return out.toArray(String[]::new);
  }

  /** Runs one command line; returns its exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Groupsnap());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    // every error is one line, whatever it quotes: escaped and bounded here, where all of them are printed
    cmd.setParameterExceptionHandler((ex, a) -> {
      err.println(ex.getCommandLine().getCommandName() + ": " + Printable.line(ex.getMessage()) + " (see '"
          + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      return ExitCodes.USAGE;
    });
    cmd.setExecutionExceptionHandler((ex, cl, parsed) -> {
      if (ex instanceof CliException c) {
        err.println("groupsnap: " + Printable.line(c.getMessage()));
        return c.exitCode();
      }
      err.println("groupsnap: " + Printable.line(ex.toString()));
      return ExitCodes.FAILED;
    });
    int code = cmd.execute(hoistGlobalOptions(args));
    out.flush();
    err.flush();
    return code;
  }
}
