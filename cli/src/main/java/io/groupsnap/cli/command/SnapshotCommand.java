package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Durations;
import io.groupsnap.common.Printable;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsResponse;
import io.groupsnap.proto.v1.MemberSelector;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code groupsnap snapshot create|list|show|delete|check|watch}. */
@Command(name = "snapshot", description = "Create and manage group snapshots.", mixinStandardHelpOptions = true,
    subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListCmd.class, SnapshotCommand.Show.class,
        SnapshotCommand.Delete.class, SnapshotCheckCommand.class, SnapshotWatchCommand.class})
public final class SnapshotCommand {
  /** {@code snapshot create}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Take one consistent group snapshot. Without --member: every volume of every agent the cluster "
          + "knows; refused (exit 2) if one is not registered, unless --allow-missing.")
  public static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Option(names = "--member", paramLabel = "AGENT[:VOLUME]",
        description = "A member; repeat for more. Without a volume: all of the agent's volumes.")
    List<String> members = new ArrayList<>();

    @Option(names = "--group", paramLabel = "NAME",
        description = "A named group (see 'groupsnap group'): its members resolved now, its budgets unless given "
            + "here. Exclusive with --member and --allow-missing.")
    String group;

    @Option(names = "--freeze-timeout", paramLabel = "DURATION",
        description = "How long every member may take to freeze and capture, e.g. 500ms, 10s (default 10s).")
    String freezeTimeout;

    @Option(names = "--lease", paramLabel = "DURATION",
        description = "Longest hold per member before it thaws by itself (default: freeze timeout + 5s).")
    String lease;

    @Option(names = "--allow-missing", description = "Without --member: go ahead although agents the cluster knows "
        + "are not registered; the record and the output name them.")
    boolean allowMissing;

    @Option(names = "--wait", description = "Wait for the outcome; exit 0 committed, 3 aborted.")
    boolean waitForResult;

    @Option(names = "--progress", description = "Print progress on stderr even when it is not a terminal.")
    boolean progress;

    @Option(names = "--outcome-timeout", paramLabel = "DURATION", defaultValue = "2m",
        description = "How long to follow a failover when the coordinator goes away: to learn the outcome (with "
            + "--wait), or whether the group snapshot started (default ${DEFAULT-VALUE}).")
    String outcomeTimeout;

    @Override
    public Integer call() throws Exception {
      CreateGroupSnapshotRequest.Builder req = CreateGroupSnapshotRequest.newBuilder();
      if (group != null) {
        if (!members.isEmpty() || allowMissing) {
          throw new CliException(ExitCodes.USAGE, "--group: a group names its own members (not with "
              + (members.isEmpty() ? "--allow-missing" : "--member") + ")");
        }
        req.setGroup(Connection.name("--group", group));
      }
      for (String m : members) {
        req.addMembers(selector(m));
      }
      req.setAllowMissing(allowMissing);
      if (freezeTimeout != null) {
        req.setFreezeTimeoutMillis(duration("--freeze-timeout", freezeTimeout).toMillis());
      }
      Duration chosenLease = lease == null ? null : duration("--lease", lease);
      if (chosenLease != null) {
        req.setLeaseMillis(chosenLease.toMillis());
      }
      Duration outcomeWait = duration("--outcome-timeout", outcomeTimeout);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      boolean showProgress = waitForResult && (progress || System.console() != null);
      try (Connection c = Connection.open(target)) {
        if (chosenLease != null) {
          LeaseCheck.check(c, chosenLease, req.getMembersList());
        }
        CreateCall create = new CreateCall(c, waitForResult, output.format, out, err, showProgress ? err : null,
            outcomeWait);
        GroupSnapshot result = create.run(req);
        if (result == null) {
          return ExitCodes.OK;
        }
        if (!CreateCall.isFinal(result)) {
          err.println("groupsnap: " + result.getId() + " is " + result.getState() + " (" + result.getAbortReason()
              + "); waiting for the outcome");
          err.flush();
          result = create.awaitOutcome(result.getId());
        }
        new Printer(output.format, out).groupSnapshot(result);
        return CreateCall.exitCode(result);
      }
    }

    private static MemberSelector selector(String text) throws CliException {
      String[] parts = text.split(":", -1);
      String shown = "--member '" + Printable.value(text) + "'";
      if (parts.length > 2) {
        throw new CliException(ExitCodes.USAGE, shown + ": expected AGENT or AGENT:VOLUME");
      }
      MemberSelector.Builder b = MemberSelector.newBuilder().setAgentId(Connection.name(shown + ": agent", parts[0]));
      if (parts.length == 2) {
        b.setVolume(Connection.name(shown + ": volume", parts[1]));
      }
      return b.build();
    }
  }

  /** {@code snapshot list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List committed group snapshots.")
  public static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Option(names = "--all", description = "Include aborted, deleted and in-progress transactions.")
    boolean all;

    @Override
    public Integer call() throws Exception {
      try (Connection c = Connection.open(target)) {
        ListGroupSnapshotsResponse r = c.call(Connection.CALL_DEADLINE, s -> s.listGroupSnapshots(
            ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(all).build()));
        new Printer(output.format, spec.commandLine().getOut()).groupSnapshots(r.getSnapshotsList(),
            r.getDamagedList());
        return ExitCodes.OK;
      }
    }
  }

  /** {@code snapshot show}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one group snapshot.")
  public static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "ID", description = "Group snapshot id.")
    String id;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("ID", id);
      try (Connection c = Connection.open(target)) {
        GroupSnapshot g = c.call(Connection.CALL_DEADLINE,
            s -> s.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId(checked).build()));
        new Printer(output.format, spec.commandLine().getOut()).groupSnapshot(g);
        return ExitCodes.OK;
      }
    }
  }

  /** {@code snapshot delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a group snapshot's data on every member, then its catalog entry. Idempotent.")
  public static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "ID", description = "Group snapshot id.")
    String id;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("ID", id);
      try (Connection c = Connection.open(target)) {
        DeleteGroupSnapshotResponse r = c.call(Duration.ofMinutes(2),
            s -> s.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(checked).build()));
        Printer p = new Printer(output.format, spec.commandLine().getOut());
        if (p.json()) {
          p.json(io.groupsnap.cli.output.Views.groupSnapshot(r.getSnapshot()));
        } else {
          spec.commandLine().getOut().println(r.getDeletedCaptures() == 0
              ? checked + " was already deleted"
              : "deleted " + checked + " (" + r.getDeletedCaptures() + " member capture(s))");
        }
        return ExitCodes.OK;
      }
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
