package io.groupsnap.cli.command;

import io.groupsnap.cli.output.GroupViews;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.CreateGroupRequest;
import io.groupsnap.proto.v1.DeleteGroupRequest;
import io.groupsnap.proto.v1.GetGroupRequest;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;
import io.groupsnap.proto.v1.ListGroupsRequest;
import io.groupsnap.proto.v1.ListGroupsResponse;
import io.groupsnap.proto.v1.UpdateGroupRequest;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code groupsnap group create|update|show|list|delete}: named groups (members, selectors, budgets, policies). */
@Command(name = "group", description = "Named groups: members and label selectors, budgets, export and retention.",
    mixinStandardHelpOptions = true, subcommands = {GroupCommand.Create.class, GroupCommand.Update.class,
        GroupCommand.Show.class, GroupCommand.ListCmd.class, GroupCommand.Delete.class})
public final class GroupCommand {
  /** {@code group create NAME [options]}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a named group. Needs at least one --member, --optional-member or --selector.")
  public static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Mixin GroupOptions options;

    @Parameters(paramLabel = "NAME", description = "Group name.")
    String name;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("NAME", name);
      GroupSpec g = GroupOptions.checked(options.apply(GroupSpec.newBuilder().setName(checked).build()));
      try (Connection c = Connection.open(target)) {
        GroupSpec made = c.callGroups(Connection.CALL_DEADLINE,
            s -> s.createGroup(CreateGroupRequest.newBuilder().setGroup(g).build()));
        printChanged(spec, output, made, "created");
        warnIfItCannotRun(c, spec, checked);
        return ExitCodes.OK;
      }
    }
  }

  /** {@code group update NAME [options]}: the options given change, the rest stays. */
  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Change a named group: only the options given change (a list option replaces that list).")
  public static final class Update implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Mixin GroupOptions options;

    @Parameters(paramLabel = "NAME", description = "Group name.")
    String name;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("NAME", name);
      options.apply(GroupSpec.newBuilder().setName(checked).build()); // bad options fail before any call
      try (Connection c = Connection.open(target)) {
        GroupView now = c.callGroups(Connection.CALL_DEADLINE,
            s -> s.getGroup(GetGroupRequest.newBuilder().setName(checked).build()));
        GroupSpec g = GroupOptions.checked(options.apply(now.getGroup()));
        GroupSpec changed = c.callGroups(Connection.CALL_DEADLINE,
            s -> s.updateGroup(UpdateGroupRequest.newBuilder().setGroup(g).build()));
        printChanged(spec, output, changed, "updated");
        warnIfItCannotRun(c, spec, checked);
        return ExitCodes.OK;
      }
    }
  }

  /** {@code group show NAME}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show a group, the members it resolves to now, and why a run would fail now.")
  public static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "NAME", description = "Group name.")
    String name;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("NAME", name);
      try (Connection c = Connection.open(target)) {
        GroupView v = c.callGroups(Connection.CALL_DEADLINE,
            s -> s.getGroup(GetGroupRequest.newBuilder().setName(checked).build()));
        Printer p = new Printer(output.format, spec.commandLine().getOut());
        if (p.json()) {
          p.json(GroupViews.view(v));
        } else {
          GroupViews.printView(spec.commandLine().getOut(), v);
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code group list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the named groups.")
  public static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
      try (Connection c = Connection.open(target)) {
        ListGroupsResponse r = c.callGroups(Connection.CALL_DEADLINE,
            s -> s.listGroups(ListGroupsRequest.getDefaultInstance()));
        Printer p = new Printer(output.format, spec.commandLine().getOut());
        if (p.json()) {
          p.json(GroupViews.list(r.getGroupsList(), r.getDamagedList()));
        } else {
          GroupViews.printList(spec.commandLine().getOut(), r.getGroupsList(), r.getDamagedList());
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code group delete NAME}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a named group (its group snapshots stay). Refused while a schedule or an unfinished run "
          + "needs it.")
  public static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "NAME", description = "Group name.")
    String name;

    @Override
    public Integer call() throws Exception {
      String checked = Connection.name("NAME", name);
      try (Connection c = Connection.open(target)) {
        boolean deleted = c.callGroups(Connection.CALL_DEADLINE,
            s -> s.deleteGroup(DeleteGroupRequest.newBuilder().setName(checked).build())).getDeleted();
        Printer p = new Printer(output.format, spec.commandLine().getOut());
        if (p.json()) {
          p.json(Map.of("name", checked, "deleted", deleted));
        } else if (!deleted) {
          throw new CliException(ExitCodes.USAGE, "no group '" + checked + "'");
        } else {
          spec.commandLine().getOut().println("deleted group " + checked);
        }
        return ExitCodes.OK;
      }
    }
  }

  /**
   * Prints, on standard error, why a run of the group would fail now (a required member not registered, a selector
   * matching nothing, an agent without the export target), one warning line each: the group was saved, but a
   * schedule of it would only count failed runs. Best effort: a failure to ask is not the command's failure.
   */
  static void warnIfItCannotRun(Connection c, CommandSpec spec, String group) {
    GroupView v;
    try {
      v = c.callGroups(Connection.CALL_DEADLINE, s -> s.getGroup(GetGroupRequest.newBuilder().setName(group).build()));
    } catch (Exception e) {
      return;
    }
    PrintWriter err = spec.commandLine().getErr();
    for (String problem : v.getProblemsList()) {
      err.println("groupsnap: warning: a run of group " + group + " would fail now: " + problem);
    }
    err.flush();
  }

  private static void printChanged(CommandSpec spec, OutputOption output, GroupSpec g, String what) {
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    if (p.json()) {
      p.json(GroupViews.spec(g));
    } else {
      out.println(what + " group " + g.getName() + " (see 'groupsnap group show " + g.getName() + "')");
    }
  }
}
