package io.groupsnap.cli.command;

import io.groupsnap.cli.Connection;
import io.groupsnap.cli.ExitCodes;
import io.groupsnap.cli.OutputOption;
import io.groupsnap.cli.Target;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code groupsnap agents list}. */
@Command(name = "agents", description = "Registered agents.", mixinStandardHelpOptions = true,
    subcommands = AgentsCommand.ListCmd.class)
public final class AgentsCommand {
  /** {@code agents list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered agents.")
  public static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
      try (Connection c = Connection.open(target)) {
        ListAgentsResponse r = c.call(Connection.CALL_DEADLINE,
            s -> s.listAgents(ListAgentsRequest.getDefaultInstance()));
        new Printer(output.format, spec.commandLine().getOut()).agents(r.getAgentsList(), r.getDamagedList());
        return ExitCodes.OK;
      }
    }
  }
}
