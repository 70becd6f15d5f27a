package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.RunView;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.DeleteBackupRunRequest;
import io.groupsnap.proto.v1.GetBackupRunRequest;
import io.groupsnap.proto.v1.ListBackupRunsRequest;
import io.groupsnap.proto.v1.ListBackupRunsResponse;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.StartBackupRunRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code groupsnap backup run|list|show|logs|delete}: backup runs of named groups. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Backup runs: a group snapshot of a group, then an export of every member's capture.",
    subcommands = {BackupCommand.RunCmd.class, BackupCommand.ListCmd.class, BackupCommand.ShowCmd.class,
        BackupCommand.LogsCmd.class, BackupCommand.DeleteCmd.class})
public final class BackupCommand {
  /** How often {@code run --wait} asks for the run's record. */
  static final Duration FOLLOW_EVERY = Duration.ofSeconds(1);

  private BackupCommand() {}

  /** {@code backup run GROUP [--wait] [--id ID]}. */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Start a backup run of a group. With --wait, follow it to its end: exit 0 when it COMPLETED, "
          + "1 when it PARTIALLY_FAILED or FAILED (with the reason).")
  public static final class RunCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.") String group;
    @Option(names = "--wait", description = "Follow the run until it ends.") boolean waitForEnd;
    @Option(names = "--id", paramLabel = "ID", description = "The run's id (run-YYYYMMDD-HHMMSS-xxxxxx).") String id;

    @Override
    public Integer call() throws Exception {
      Connection.name("group", group);
      PrintWriter out = spec.commandLine().getOut();
      Printer p = new Printer(output.format, out);
      try (Connection c = Connection.open(target)) {
        StartBackupRunRequest req = StartBackupRunRequest.newBuilder().setGroup(group)
            .setId(id == null ? "" : id).build();
        BackupRun r = c.backup(Connection.CALL_DEADLINE, s -> s.startBackupRun(req));
        if (!waitForEnd) {
          if (p.json()) {
            p.json(RunView.run(r));
          } else {
            out.println(r.getId() + "  started (" + RunView.state(r) + ")");
          }
          return ExitCodes.OK;
        }
        return follow(c, r, p, out, System.console() != null);
      }
    }
  }

  /** Polls the run until it ends, printing one line per change (and a progress line in place on a terminal). */
  static int follow(Connection c, BackupRun first, Printer p, PrintWriter out, boolean tty) throws Exception {
    Follower f = new Follower(p, out, tty);
    BackupRun r = first;
    f.seen(r);
    CountDownLatch never = new CountDownLatch(1);
    while (r.getState() == RunState.RUN_SNAPSHOTTING || r.getState() == RunState.RUN_EXPORTING) {
      never.await(FOLLOW_EVERY.toMillis(), TimeUnit.MILLISECONDS); // a pause between polls, not a condition wait
      String id = r.getId();
      r = c.backup(Connection.CALL_DEADLINE, s -> s.getBackupRun(GetBackupRunRequest.newBuilder().setId(id).build()));
      f.seen(r);
    }
    f.end(r);
    return r.getState() == RunState.RUN_COMPLETED ? ExitCodes.OK : 1;
  }

  /** What {@code run --wait} prints as the record changes. */
  static final class Follower {
    private final Printer p;
    private final PrintWriter out;
    private final boolean tty;
    private BackupRun last;
    private boolean progressShown;

    Follower(Printer p, PrintWriter out, boolean tty) {
      this.p = p;
      this.out = out;
      this.tty = tty;
    }

    void seen(BackupRun r) {
      if (p.json()) {
        if (last == null || !last.equals(r)) {
          p.jsonLine(RunView.run(r));
        }
        last = r;
        return;
      }
      if (last == null || last.getState() != r.getState()) {
        line(r.getId() + "  " + RunView.state(r));
      }
      int events = last == null ? 0 : last.getEventsCount();
      for (int i = Math.min(events, r.getEventsCount()); i < r.getEventsCount(); i++) {
        line("  " + r.getEvents(i).getMessage());
      }
      if (tty && r.getState() == RunState.RUN_EXPORTING) {
        long done = r.getExportsList().stream().mapToLong(MemberExport::getBytesDone).sum();
        long total = r.getExportsList().stream().mapToLong(MemberExport::getBytesTotal).sum();
        long finished = r.getExportsList().stream().filter(e -> e.getState().getNumber() >= 3).count();
        out.print("\r  exports " + finished + "/" + r.getExportsCount() + " finished, " + RunView.bytes(done)
            + (total > 0 ? " of " + RunView.bytes(total) : "") + "   ");
        out.flush();
        progressShown = true;
      }
      last = r;
    }

    private void line(String s) {
      if (progressShown) {
        out.print("\r\033[K");
        progressShown = false;
      }
      out.println(s);
      out.flush();
    }

    void end(BackupRun r) {
      if (p.json()) {
        return;
      }
      for (MemberExport e : r.getExportsList()) {
        line("  " + RunView.exportLine(e));
      }
      line(r.getId() + "  " + RunView.state(r) + (r.getReason().isEmpty() ? "" : ": " + r.getReason()));
    }
  }

  /** {@code backup list [--group G] [--all]}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List backup runs, oldest first.")
  public static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Option(names = "--group", paramLabel = "GROUP", description = "Only this group's runs.") String group;
    @Option(names = "--all", description = "Deleted runs as well.") boolean all;

    @Override
    public Integer call() throws Exception {
      if (group != null) {
        Connection.name("--group", group);
      }
      ListBackupRunsRequest req = ListBackupRunsRequest.newBuilder().setGroup(group == null ? "" : group)
          .setIncludeDeleted(all).build();
      ListBackupRunsResponse r;
      try (Connection c = Connection.open(target)) {
        r = c.backup(Connection.CALL_DEADLINE, s -> s.listBackupRuns(req));
      }
      Printer p = new Printer(output.format, spec.commandLine().getOut());
      if (p.json()) {
        p.json(Map.of("runs", r.getRunsList().stream().map(RunView::run).toList(),
            "damaged", r.getDamagedList().stream().map(io.groupsnap.cli.output.Views::damaged).toList()));
      } else {
        RunView.list(spec.commandLine().getOut(), r.getRunsList(), r.getDamagedList());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code backup show ID}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show a run: its snapshot attempts and every member's export (bytes, files, duration, "
          + "throughput, repository snapshot id, error).")
  public static final class ShowCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "ID") String id;

    @Override
    public Integer call() throws Exception {
      BackupRun r = get(target, id);
      Printer p = new Printer(output.format, spec.commandLine().getOut());
      if (p.json()) {
        p.json(RunView.run(r));
      } else {
        RunView.show(spec.commandLine().getOut(), r);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code backup logs ID}. */
  @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a run's events, oldest first.")
  public static final class LogsCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "ID") String id;

    @Override
    public Integer call() throws Exception {
      BackupRun r = get(target, id);
      Printer p = new Printer(output.format, spec.commandLine().getOut());
      if (p.json()) {
        p.json(RunView.run(r).get("events"));
      } else {
        RunView.events(spec.commandLine().getOut(), r);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code backup delete ID}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a finished run: its exports in the repository, then its group snapshot.")
  public static final class DeleteCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "ID") String id;

    @Override
    public Integer call() throws Exception {
      Connection.name("run id", id);
      BackupRun r;
      try (Connection c = Connection.open(target)) {
        r = c.backup(Duration.ofMinutes(10),
            s -> s.deleteBackupRun(DeleteBackupRunRequest.newBuilder().setId(id).build()));
      }
      Printer p = new Printer(output.format, spec.commandLine().getOut());
      if (p.json()) {
        p.json(RunView.run(r));
      } else {
        spec.commandLine().getOut().println(r.getId() + "  " + RunView.state(r));
      }
      return ExitCodes.OK;
    }
  }

  static BackupRun get(Target target, String id) throws CliException {
    Connection.name("run id", id);
    try (Connection c = Connection.open(target)) {
      return c.backup(Connection.CALL_DEADLINE, s -> s.getBackupRun(GetBackupRunRequest.newBuilder().setId(id)
          .build()));
    }
  }
}
