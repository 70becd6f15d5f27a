package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.VerifyView;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Durations;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.groupsnap.proto.v1.Verification;
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
 * {@code groupsnap verify ID [--run]}: a test restore. Every member is restored to scratch space on its agent, every
 * file read back and compared with the capture's recorded fingerprint, the volume's verify command (from the agent's
 * own configuration) run, and the scratch removed again; the verdict is printed and recorded on the backup run.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Test-restore a committed group snapshot: every member restored to scratch space under its "
        + "agent's first restore root, every file read back and compared with the capture's recorded fingerprint, "
        + "the volume's verify command from agent.yaml run on the copy, and the scratch removed whatever happens.",
        "The verdict (VERIFIED, or FAILED naming the member and why) is recorded on the backup run (the one given "
            + "with --run, else the one that took the group snapshot) and shown by `backup list` and `backup show`.",
        "Exit 0 VERIFIED, 1 FAILED, 2 when the request was refused (unknown or uncommitted id, an agent down): "
            + "nothing written."})
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Target target;
  @Mixin OutputOption output;
  @Parameters(index = "0", paramLabel = "ID", description = "The group snapshot (or, with --run, the backup run).")
  String id;
  @Option(names = "--run", description = "ID names a backup run: verify its group snapshot.") boolean run;
  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h",
      description = "How long to wait for every member to finish (default: ${DEFAULT-VALUE}).") String timeout;

  @Override
  public Integer call() throws Exception {
    RestoreGroupSnapshotRequest req = request();
    Duration wait = duration(timeout);
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    try (Connection c = Connection.open(target)) {
      RestoreGroupSnapshotResponse r = c.call(wait, RestoreServiceGrpc::newBlockingStub,
          s -> s.restoreGroupSnapshot(req));
      if (p.json()) {
        p.json(VerifyView.json(r));
      } else {
        VerifyView.text(r, out);
      }
      return r.getVerification() == Verification.VERIFIED ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  /** The request, its id checked; exit 2 naming the argument otherwise. */
  RestoreGroupSnapshotRequest request() throws CliException {
    Connection.name(run ? "backup run id" : "group snapshot id", id);
    RestoreGroupSnapshotRequest.Builder b = RestoreGroupSnapshotRequest.newBuilder().setVerify(true);
    return (run ? b.setBackupRunId(id) : b.setGroupSnapshotId(id)).build();
  }

  private static Duration duration(String text) throws CliException {
    try {
      Duration d = Durations.parse(text);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--timeout '" + text + "': " + e.getMessage());
    }
  }
}
