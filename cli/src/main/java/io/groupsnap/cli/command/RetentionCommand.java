package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.ScheduleViews;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.PlanRetentionRequest;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code groupsnap retention plan}: what retention would keep and remove of a group's backups now, and why. */
@Command(name = "retention", mixinStandardHelpOptions = true,
    description = "Retention of a group's local captures and exported backups.",
    subcommands = {RetentionCommand.Plan.class})
public final class RetentionCommand {
  private RetentionCommand() {}

  /** {@code retention plan}. */
  @Command(name = "plan", mixinStandardHelpOptions = true,
      description = "Show what retention would keep and remove of a group's backups now, per scope (local, export), "
          + "and why. Changes nothing.")
  public static final class Plan implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Override
    public Integer call() throws Exception {
      String g = Connection.name("GROUP", group);
      try (Connection c = Connection.open(target)) {
        RetentionPlan plan = c.call(Connection.CALL_DEADLINE, ScheduleServiceGrpc::newBlockingStub,
            st -> st.planRetention(PlanRetentionRequest.newBuilder().setGroup(g).build()));
        ScheduleViews.plan(new Printer(output.format, spec.commandLine().getOut()), spec.commandLine().getOut(),
            plan);
      }
      return ExitCodes.OK;
    }
  }
}
