package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GetBackupRunRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code groupsnap snapshot watch ID}: follows any group snapshot to its end, from any shell, through a leader
 * failover ({@link WatchCall}). Exit codes as {@code create --wait}: 0 committed, 3 aborted, 1 otherwise (deleted,
 * not final in time, no coordinator answering in time), 2 a malformed or unknown id. A backup run's id
 * ({@code run-...}) is followed as {@code backup run --wait} follows it: 0 completed, 1 partially failed or failed.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Follow a group snapshot or a backup run to its end: its state and each member's as they change, "
        + "then the final record. A group snapshot: exit 0 committed, 3 aborted, 1 deleted or not final in time; "
        + "a backup run (run-...): exit 0 completed, 1 partially failed or failed; 2 a malformed or unknown id. "
        + "-o json: one record per line.")
public final class SnapshotWatchCommand implements Callable<Integer> {
  private static final String RUN_PREFIX = "run-";

  @Spec CommandSpec spec;
  @Mixin Target target;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "Group snapshot id (gs-...) or backup run id (run-...).")
  String id;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15m",
      description = "Give up (exit 1) if it is not final by then (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--outcome-timeout", paramLabel = "DURATION", defaultValue = "2m",
      description = "How long to look for another coordinator when none answers (default ${DEFAULT-VALUE}).")
  String outcomeTimeout;

  @Override
  public Integer call() throws Exception {
    String checked = Connection.name("ID", id);
    Duration limit = SnapshotCommand.duration("--timeout", timeout);
    Duration outcomeWait = SnapshotCommand.duration("--outcome-timeout", outcomeTimeout);
    try (Connection c = Connection.open(target)) {
      Printer printer = new Printer(output.format, spec.commandLine().getOut());
      if (checked.startsWith(RUN_PREFIX)) {
        BackupRun first = c.backup(Connection.CALL_DEADLINE, s -> s.getBackupRun(GetBackupRunRequest.newBuilder()
            .setId(checked).build()));
        return BackupCommand.follow(c, first, printer, spec.commandLine().getOut(), System.console() != null);
      }
      GroupSnapshot last = new WatchCall(c, printer, spec.commandLine().getErr(), limit, outcomeWait).run(checked);
      return CreateCall.exitCode(last);
    }
  }
}
