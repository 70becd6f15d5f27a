package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.ScheduleViews;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Durations;
import io.groupsnap.proto.v1.CreateScheduleRequest;
import io.groupsnap.proto.v1.DeleteScheduleRequest;
import io.groupsnap.proto.v1.ListSchedulesRequest;
import io.groupsnap.proto.v1.ListSchedulesResponse;
import io.groupsnap.proto.v1.NextTicksRequest;
import io.groupsnap.proto.v1.NextTicksResponse;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import io.groupsnap.proto.v1.SetSchedulePausedRequest;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code groupsnap schedule}: cron schedules of groups, fired by the leader. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
    description = "Schedules: a cron expression per group, fired by the leader once per tick.",
    subcommands = {ScheduleCommand.Create.class, ScheduleCommand.ListCmd.class, ScheduleCommand.Pause.class,
        ScheduleCommand.Resume.class, ScheduleCommand.Delete.class, ScheduleCommand.Next.class})
public final class ScheduleCommand {
  /** The most ticks {@code schedule next} prints. */
  static final int MAX_COUNT = 100;

  private ScheduleCommand() {}

  /** Options every subcommand shares. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    Printer printer() {
      return new Printer(output.format, spec.commandLine().getOut());
    }

    <T> T call(Connection c, java.util.function.Function<ScheduleServiceGrpc.ScheduleServiceBlockingStub, T> call)
        throws CliException {
      return c.call(Connection.CALL_DEADLINE, ScheduleServiceGrpc::newBlockingStub, call);
    }
  }

  /** {@code schedule create}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Schedule a group's backup runs (one schedule per group).")
  public static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Option(names = "--cron", required = true, paramLabel = "EXPR",
        description = "Five fields: minute hour day-of-month month day-of-week, e.g. \"0 7 * * *\".")
    String cron;

    @Option(names = "--time-zone", paramLabel = "ZONE",
        description = "IANA zone the expression is read in (default: the group's, else UTC).")
    String zone;

    @Option(names = "--starting-deadline", paramLabel = "DURATION",
        description = "A tick found later than this after its time is recorded as missed (default 5m).")
    String deadline;

    @Option(names = "--paused", description = "Create it paused.")
    boolean paused;

    @Override
    public Integer call() throws Exception {
      Schedule.Builder s = Schedule.newBuilder().setGroup(Connection.name("GROUP", group)).setCron(cron.trim())
          .setPaused(paused);
      if (zone != null) {
        s.setTimeZone(zone.trim());
      }
      if (deadline != null) {
        s.setStartingDeadlineMillis(duration("--starting-deadline", deadline).toMillis());
      }
      try (Connection c = Connection.open(target)) {
        Schedule made = call(c, st -> st.createSchedule(CreateScheduleRequest.newBuilder().setSchedule(s).build()));
        ScheduleViews.schedule(printer(), spec.commandLine().getOut(), made, "created");
        GroupCommand.warnIfItCannotRun(c, spec, made.getGroup());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code schedule list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the schedules: cron, zone, next tick, and how many ticks fired, were skipped or missed.")
  public static final class ListCmd extends Base {
    @Override
    public Integer call() throws Exception {
      try (Connection c = Connection.open(target)) {
        ListSchedulesResponse r = call(c, st -> st.listSchedules(ListSchedulesRequest.getDefaultInstance()));
        ScheduleViews.schedules(printer(), spec.commandLine().getOut(), r.getSchedulesList(), r.getDamagedList());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code schedule pause}. */
  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a group's schedule: its ticks do not fire until it is resumed.")
  public static final class Pause extends Base {
    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Override
    public Integer call() throws Exception {
      return setPaused(this, group, true);
    }
  }

  /** {@code schedule resume}. */
  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a group's schedule; ticks that came while it was paused do not fire.")
  public static final class Resume extends Base {
    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Override
    public Integer call() throws Exception {
      return setPaused(this, group, false);
    }
  }

  static int setPaused(Base b, String group, boolean paused) throws CliException {
    String g = Connection.name("GROUP", group);
    try (Connection c = Connection.open(b.target)) {
      Schedule s = b.call(c, st -> st.setSchedulePaused(SetSchedulePausedRequest.newBuilder().setGroup(g)
          .setPaused(paused).build()));
      ScheduleViews.schedule(b.printer(), b.spec.commandLine().getOut(), s, paused ? "paused" : "resumed");
    }
    return ExitCodes.OK;
  }

  /** {@code schedule delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a group's schedule.")
  public static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Override
    public Integer call() throws Exception {
      String g = Connection.name("GROUP", group);
      try (Connection c = Connection.open(target)) {
        boolean deleted = call(c, st -> st.deleteSchedule(DeleteScheduleRequest.newBuilder().setGroup(g).build()))
            .getDeleted();
        if (printer().json()) {
          printer().json(java.util.Map.of("group", g, "deleted", deleted));
        } else {
          spec.commandLine().getOut().println(deleted ? "schedule of group " + g + " deleted"
              : "group " + g + " had no schedule");
        }
      }
      return ExitCodes.OK;
    }
  }

  /** {@code schedule next}. */
  @Command(name = "next", mixinStandardHelpOptions = true,
      description = "The next fire times of a group's schedule, or of a cron expression (--cron) not stored yet.")
  public static final class Next extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "GROUP") String group;

    @Option(names = "--cron", paramLabel = "EXPR", description = "An expression to try instead of a stored one.")
    String cron;

    @Option(names = "--time-zone", paramLabel = "ZONE", description = "The zone --cron is read in (default UTC).")
    String zone;

    @Option(names = "--count", paramLabel = "N", defaultValue = "5",
        description = "How many (1..100, default ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws Exception {
      if ((group == null) == (cron == null)) {
        throw new CliException(ExitCodes.USAGE, "schedule next: give a GROUP or --cron EXPR (one of them)");
      }
      if (zone != null && cron == null) {
        throw new CliException(ExitCodes.USAGE, "--time-zone: only with --cron (a stored schedule has its zone)");
      }
      if (count < 1 || count > MAX_COUNT) {
        throw new CliException(ExitCodes.USAGE, "--count: " + count + " is outside 1.." + MAX_COUNT);
      }
      NextTicksRequest.Builder req = NextTicksRequest.newBuilder().setCount(count);
      if (group != null) {
        req.setGroup(Connection.name("GROUP", group));
      } else {
        req.setCron(cron.trim()).setTimeZone(zone == null ? "" : zone.trim());
      }
      try (Connection c = Connection.open(target)) {
        NextTicksResponse r = call(c, st -> st.nextTicks(req.build()));
        ScheduleViews.ticks(printer(), spec.commandLine().getOut(), r.getAtMillisList(), r.getTimeZone());
      }
      return ExitCodes.OK;
    }
  }

  static Duration duration(String option, String text) throws CliException {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
    }
  }
}
