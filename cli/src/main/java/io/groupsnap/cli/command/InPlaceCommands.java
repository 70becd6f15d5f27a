package io.groupsnap.cli.command;

import io.groupsnap.cli.output.InPlaceView;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.GetInPlaceRestoreRequest;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.ListInPlaceRestoresRequest;
import io.groupsnap.proto.v1.ListInPlaceRestoresResponse;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.groupsnap.proto.v1.SettleInPlaceRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The subcommands of {@code groupsnap restore} that follow and settle in-place restores: {@code confirm},
 * {@code rollback}, {@code show} and {@code list}. Exit 0 when the restore is where it was asked to be (asked again:
 * already there), 1 when it ended otherwise (CANCELLED) or is in a state that refuses the step, 2 for an unknown id.
 */
final class InPlaceCommands {
  private static final Duration READ_DEADLINE = Duration.ofSeconds(30);

  private InPlaceCommands() {}

  /** Prints a restore; the exit code: 1 for CANCELLED, else 0. */
  static int print(Printer p, InPlaceRestore r, PrintWriter out, boolean events) {
    if (p.json()) {
      p.json(InPlaceView.json(r));
    } else {
      InPlaceView.text(r, out, events);
    }
    return r.getState() == InPlaceState.IN_PLACE_CANCELLED ? ExitCodes.FAILED : ExitCodes.OK;
  }

  /**
   * The id, checked: a name, and not one of a restore to new places or a test restore ({@code restore-...},
   * {@code verify-...}), which end with their command and keep no record to follow; their outcome is in the audit
   * log. Exit 2 naming the id otherwise, before any call.
   */
  static String inPlaceId(String id) throws CliException {
    Connection.name("restore id", id);
    if (id.startsWith("restore-") || id.startsWith("verify-")) {
      throw new CliException(ExitCodes.USAGE, "restore id '" + id + "' names a " + (id.startsWith("verify-")
          ? "test restore" : "restore to new places") + ", which keeps no record: its outcome is in `groupsnap audit "
          + "list`; these commands follow in-place restores (inplace-...)");
    }
    return id;
  }

  /** What the settling commands share: the id, the wait. */
  abstract static class Settle implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "RESTORE_ID", description = "The in-place restore (inplace-...).")
    String restoreId;
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h",
        description = "How long to wait for every member (default: ${DEFAULT-VALUE}).") String timeout;

    abstract InPlaceRestore call(RestoreServiceGrpc.RestoreServiceBlockingStub s, SettleInPlaceRequest req);

    @Override
    public Integer call() throws Exception {
      SettleInPlaceRequest req = SettleInPlaceRequest.newBuilder()
          .setRestoreId(inPlaceId(restoreId)).build();
      Duration wait = RestoreCommand.duration(timeout);
      PrintWriter out = spec.commandLine().getOut();
      try (Connection c = Connection.open(target)) {
        InPlaceRestore r = c.call(wait, RestoreServiceGrpc::newBlockingStub, s -> call(s, req));
        return print(new Printer(output.format, out), r, out, false);
      }
    }
  }

  @Command(name = "confirm", mixinStandardHelpOptions = true,
      description = {"Confirm a SWITCHED in-place restore: the previous data is deleted on every member.",
          "Exit 0 once CONFIRMED (also when it already was), 1 when the restore is in another state, 2 for an "
              + "unknown id."})
  static final class Confirm extends Settle {
    @Override
    InPlaceRestore call(RestoreServiceGrpc.RestoreServiceBlockingStub s, SettleInPlaceRequest req) {
      return s.confirmInPlaceRestore(req);
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = {"Roll a SWITCHED in-place restore back: writers stopped, every member switched back to its "
          + "previous data, writers started again.",
          "Exit 0 once ROLLED_BACK (also when it already was), 1 when the restore is in another state (CONFIRMED: "
              + "the previous data is gone), 2 for an unknown id."})
  static final class Rollback extends Settle {
    @Override
    InPlaceRestore call(RestoreServiceGrpc.RestoreServiceBlockingStub s, SettleInPlaceRequest req) {
      return s.rollbackInPlaceRestore(req);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show an in-place restore: its state, each member's stage and switch, and its events.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;
    @Parameters(index = "0", paramLabel = "RESTORE_ID", description = "The in-place restore (inplace-...).")
    String restoreId;

    @Override
    public Integer call() throws Exception {
      GetInPlaceRestoreRequest req = GetInPlaceRestoreRequest.newBuilder()
          .setRestoreId(inPlaceId(restoreId)).build();
      PrintWriter out = spec.commandLine().getOut();
      try (Connection c = Connection.open(target)) {
        InPlaceRestore r = c.call(READ_DEADLINE, RestoreServiceGrpc::newBlockingStub, s -> s.getInPlaceRestore(req));
        print(new Printer(output.format, out), r, out, true);
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the in-place restores, oldest first.")
  static final class ListRestores implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws CliException {
      PrintWriter out = spec.commandLine().getOut();
      Printer p = new Printer(output.format, out);
      try (Connection c = Connection.open(target)) {
        ListInPlaceRestoresResponse r = c.call(READ_DEADLINE, RestoreServiceGrpc::newBlockingStub,
            s -> s.listInPlaceRestores(ListInPlaceRestoresRequest.getDefaultInstance()));
        if (p.json()) {
          p.json(Map.of("restores", r.getRestoresList().stream().map(InPlaceView::json).toList(),
              "damaged", r.getDamagedList().stream().map(d -> Map.of("id", d.getId(), "reason", d.getReason()))
                  .toList()));
        } else {
          InPlaceView.list(r.getRestoresList(), r.getDamagedList(), out);
        }
        return ExitCodes.OK;
      }
    }
  }
}
