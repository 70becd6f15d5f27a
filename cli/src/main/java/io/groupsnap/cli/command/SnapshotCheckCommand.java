package io.groupsnap.cli.command;

import io.groupsnap.cli.output.CheckReport;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.CheckGroupSnapshotRequest;
import io.groupsnap.proto.v1.CheckGroupSnapshotResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code groupsnap snapshot check ID}: asks every member whether its capture is still there and unchanged; the
 * leader records the findings, so {@code list} and {@code show} then say DAMAGED where one is missing or altered.
 * Exit 0 intact; 1 damaged, not every capture could be checked, or not checkable (not committed); 2 bad input or
 * an unknown id.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Check that every member's capture of a committed group snapshot is still there and unchanged. "
        + "Exit 0 intact; 1 damaged (a capture missing or altered), or not every member could be checked.")
public final class SnapshotCheckCommand implements Callable<Integer> {
  /** The leader gives agents 10 minutes to walk their captures; a little more for the whole call. */
  static final Duration DEADLINE = Duration.ofMinutes(11);

  @Spec CommandSpec spec;
  @Mixin Target target;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "Group snapshot id.")
  String id;

  @Option(names = "--checksum", description = "Also compare contents where agents recorded a checksum (reads every "
      + "byte), and record one where none was.")
  boolean checksum;

  @Override
  public Integer call() throws Exception {
    String checked = Connection.name("ID", id);
    try (Connection c = Connection.open(target)) {
      CheckGroupSnapshotResponse r = c.call(DEADLINE, s -> s.checkGroupSnapshot(
          CheckGroupSnapshotRequest.newBuilder().setId(checked).setChecksum(checksum).build()));
      PrintWriter out = spec.commandLine().getOut();
      Printer p = new Printer(output.format, out);
      if (p.json()) {
        p.json(CheckReport.json(r));
      } else {
        CheckReport.text(out, r);
      }
      if (CheckReport.outcome(r) == CheckReport.Outcome.INTACT) {
        return ExitCodes.OK;
      }
      spec.commandLine().getErr().println("groupsnap: " + CheckReport.summary(r));
      return ExitCodes.FAILED;
    }
  }
}
