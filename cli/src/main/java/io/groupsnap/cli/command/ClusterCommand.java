package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code groupsnap cluster status}. */
@Command(name = "cluster", description = "The cluster as a whole.", mixinStandardHelpOptions = true,
    subcommands = ClusterCommand.Status.class)
public final class ClusterCommand {
  /** {@code cluster status}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Leader, epoch, coordinators and agents.")
  public static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
      try (Connection c = Connection.open(target)) {
        new Printer(output.format, spec.commandLine().getOut()).cluster(c.call(Connection.CALL_DEADLINE,
            s -> s.clusterStatus(ClusterStatusRequest.getDefaultInstance())));
        return ExitCodes.OK;
      }
    }
  }
}
