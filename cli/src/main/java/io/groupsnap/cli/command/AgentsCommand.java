package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.ForgetAgentRequest;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code groupsnap agents list|forget}. */
@Command(name = "agents", description = "Registered agents.", mixinStandardHelpOptions = true,
    subcommands = {AgentsCommand.ListCmd.class, AgentsCommand.Forget.class})
public final class AgentsCommand {
  /** {@code agents list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the registered agents, then those the cluster knows that are not registered now.")
  public static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
      try (Connection c = Connection.open(target)) {
        ListAgentsResponse r = c.call(Connection.CALL_DEADLINE,
            s -> s.listAgents(ListAgentsRequest.getDefaultInstance()));
        Printer p = new Printer(output.format, spec.commandLine().getOut());
        p.agents(r.getAgentsList(), r.getDamagedList(), r.getMissingList());
        return ExitCodes.OK;
      }
    }
  }

  /** {@code agents forget ID}. */
  @Command(name = "forget", mixinStandardHelpOptions = true,
      description = "Forget an agent the cluster knows (a retired host), so that a group snapshot of every agent "
          + "stops waiting for it. Refused while it is registered.")
  public static final class Forget implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "ID", description = "Agent id.")
    String id;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("ID", id);
      try (Connection c = Connection.open(target)) {
        boolean forgotten = c.call(Connection.CALL_DEADLINE,
            s -> s.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId(checked).build())).getForgotten();
        Printer p = new Printer(output.format, spec.commandLine().getOut());
        if (p.json()) {
          p.json(Map.of("id", checked, "forgotten", forgotten));
        } else {
          spec.commandLine().getOut().println(forgotten ? "forgot agent " + checked
              : "agent " + checked + " was not known");
        }
        return ExitCodes.OK;
      }
    }
  }
}
