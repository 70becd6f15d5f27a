package io.groupsnap.cli.command;

import io.groupsnap.cli.CliException;
import io.groupsnap.cli.Connection;
import io.groupsnap.cli.ExitCodes;
import io.groupsnap.cli.OutputOption;
import io.groupsnap.cli.Target;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.common.Durations;
import io.groupsnap.common.Names;
import io.groupsnap.coordinator.MissingAgentsException;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.MissingAgents;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code groupsnap snapshot create|list|show|delete|check}. */
@Command(name = "snapshot", description = "Create and manage group snapshots.", mixinStandardHelpOptions = true,
    subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListCmd.class, SnapshotCommand.Show.class,
        SnapshotCommand.Delete.class, SnapshotCheckCommand.class})
public final class SnapshotCommand {
  static final Duration CREATE_DEADLINE = Duration.ofMinutes(15);

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
        description = "With --wait: how long to wait for the outcome when the coordinator goes away mid-way "
            + "(default ${DEFAULT-VALUE}).")
    String outcomeTimeout;

    @Override
    public Integer call() throws Exception {
      CreateGroupSnapshotRequest.Builder req = CreateGroupSnapshotRequest.newBuilder();
      for (String m : members) {
        req.addMembers(selector(m));
      }
      req.setAllowMissing(allowMissing);
      if (freezeTimeout != null) {
        req.setFreezeTimeoutMillis(duration("--freeze-timeout", freezeTimeout).toMillis());
      }
      if (lease != null) {
        req.setLeaseMillis(duration("--lease", lease).toMillis());
      }
      Duration outcomeWait = duration("--outcome-timeout", outcomeTimeout);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Printer printer = new Printer(output.format, out);
      boolean showProgress = waitForResult && (progress || System.console() != null);
      try (Connection c = Connection.open(target)) {
        GroupSnapshot result = run(c, req.build(), showProgress ? err : null);
        if (result == null) {
          return ExitCodes.OK;
        }
        if (!isFinal(result)) {
          if (result.getState() != GroupSnapshotState.STATE_UNSPECIFIED) {
            err.println("groupsnap: " + result.getId() + " is " + result.getState() + " ("
                + result.getAbortReason() + "); waiting for the outcome");
            err.flush();
          }
          result = awaitOutcome(c, result.getId(), outcomeWait);
        }
        printer.groupSnapshot(result);
        return result.getState() == GroupSnapshotState.COMMITTED ? ExitCodes.OK
            : result.getState() == GroupSnapshotState.ABORTED ? ExitCodes.ABORTED : ExitCodes.FAILED;
      }
    }

    /** Streams the transaction; returns the result, or null after printing the id when not waiting. */
    private GroupSnapshot run(Connection c, CreateGroupSnapshotRequest req, PrintWriter progressOut)
        throws CliException {
      String id = null;
      for (int hop = 0; ; hop++) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        Context previous = ctx.attach();
        try {
          Iterator<ProgressEvent> events = c.stub(CREATE_DEADLINE).createGroupSnapshot(req);
          while (events.hasNext()) {
            ProgressEvent e = events.next();
            id = e.getGroupSnapshotId().isEmpty() ? id : e.getGroupSnapshotId();
            if (e.hasResult()) {
              return e.getResult();
            }
            if (!waitForResult) {
              announce(e.getGroupSnapshotId(), c);
              return null;
            }
            if (progressOut != null) {
              progress(progressOut, e);
            }
          }
          throw new CliException(ExitCodes.FAILED, "the coordinator ended the stream without a result");
        } catch (StatusRuntimeException e) {
          String leader = Connection.redirect(e);
          if (leader != null && hop < 3 && id == null) {
            c.follow(leader);
            continue;
          }
          if (id != null && waitForResult) {
            // the transaction started and its coordinator went away: the cluster decides it; find out what it decided
            spec.commandLine().getErr().println("groupsnap: lost the coordinator during " + id + " ("
                + e.getStatus().getCode() + "); waiting for the outcome");
            spec.commandLine().getErr().flush();
            return GroupSnapshot.newBuilder().setId(id).setState(GroupSnapshotState.STATE_UNSPECIFIED).build();
          }
          MissingAgents missing = e.getTrailers() == null ? null
              : e.getTrailers().get(CoordinatorGrpcService.MISSING_AGENTS_KEY);
          if (missing != null) {
            throw new CliException(ExitCodes.USAGE, missing(missing));
          }
          throw c.failure(e);
        } finally {
          ctx.detach(previous);
          ctx.cancel(null);
        }
      }
    }

    /** One line naming the known agents that are not registered and what the operator can do. */
    static String missing(MissingAgents m) {
      long now = System.currentTimeMillis();
      List<KnownAgent> named = m.getAgentsList().stream().limit(10).toList();
      String who = named.stream().map(k -> Names.printable(k.getAgentId()) + " (last seen "
          + MissingAgentsException.ago(now - k.getLastSeenAtMillis()) + " ago)").collect(Collectors.joining(", "))
          + (m.getAgentsCount() > named.size() ? " and " + (m.getAgentsCount() - named.size()) + " more" : "");
      boolean one = m.getAgentsCount() == 1;
      return who + (one ? " is" : " are") + " known to the cluster but not registered; nothing was started: start "
          + (one ? "it" : "them") + ", name the members with --member, or pass --allow-missing (a retired agent: "
          + "'groupsnap agents forget ID')";
    }

    private static boolean isFinal(GroupSnapshot g) {
      return g.getState() == GroupSnapshotState.COMMITTED || g.getState() == GroupSnapshotState.ABORTED
          || g.getState() == GroupSnapshotState.DELETED;
    }

    /**
     * Polls the group snapshot's record until it is final, following the leader through ZooKeeper when the
     * coordinator is gone; bounded by {@code wait}.
     */
    private GroupSnapshot awaitOutcome(Connection c, String id, Duration wait) throws CliException {
      long until = System.nanoTime() + wait.toNanos();
      GetGroupSnapshotRequest get = GetGroupSnapshotRequest.newBuilder().setId(id).build();
      String last = "no answer yet";
      while (System.nanoTime() < until) {
        try {
          GroupSnapshot g = c.stub(Connection.CALL_DEADLINE).getGroupSnapshot(get);
          if (isFinal(g)) {
            return g;
          }
          last = g.getState().toString();
        } catch (StatusRuntimeException e) {
          last = e.getStatus().getCode().toString();
          if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
            c.relocate();
          }
        }
        try {
          java.util.concurrent.TimeUnit.MILLISECONDS.sleep(500); // polling a remote record, bounded by `wait`
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      throw new CliException(ExitCodes.FAILED, "the outcome of " + id + " is not known yet (" + last + "); check "
          + "with 'groupsnap snapshot show " + id + "', and retry if it was aborted");
    }

    private void announce(String id, Connection c) {
      PrintWriter out = spec.commandLine().getOut();
      if (output.format == Printer.Format.json) {
        new Printer(output.format, out).json(java.util.Map.of("id", id, "state", "PREPARING",
            "coordinator", c.endpoint()));
      } else {
        out.println(id);
      }
    }

    private static void progress(PrintWriter err, ProgressEvent e) {
      if (e.hasPhase()) {
        err.printf(Locale.ROOT, "%s %-10s %s%n", e.getGroupSnapshotId(), e.getPhase().getState(),
            e.getPhase().getDetail());
      } else if (e.hasMember()) {
        err.printf(Locale.ROOT, "    %-16s %-10s %s%n", e.getMember().getAgentId(),
            e.getMember().getState().name().replace("MEMBER_", ""), e.getMember().getDetail());
      }
      err.flush();
    }

    private static MemberSelector selector(String text) throws CliException {
      String[] parts = text.split(":", -1);
      if (parts.length > 2) {
        throw new CliException(ExitCodes.USAGE, "--member '" + text + "': expected AGENT or AGENT:VOLUME");
      }
      MemberSelector.Builder b = MemberSelector.newBuilder()
          .setAgentId(Connection.name("--member '" + text + "': agent", parts[0]));
      if (parts.length == 2) {
        b.setVolume(Connection.name("--member '" + text + "': volume", parts[1]));
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
        List<GroupSnapshot> list = c.call(Connection.CALL_DEADLINE, s -> s.listGroupSnapshots(
            ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(all).build()).getSnapshotsList());
        new Printer(output.format, spec.commandLine().getOut()).groupSnapshots(list);
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
