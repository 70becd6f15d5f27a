package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.RestoreView;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Durations;
import io.groupsnap.proto.v1.MemberTarget;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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

/**
 * {@code groupsnap restore ID [--to DIR] [--target AGENT:VOLUME=PATH]... [--run]}: restores a committed group snapshot
 * to new places, every member at once, and prints where each went. Every argument is checked here and every member by
 * the leader and its agent before anything is written; any refusal is one line and exit 2, nothing written.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore a committed group snapshot to new places: every member's capture materialized as a "
        + "writable tree (a writable btrfs snapshot, a reflink or a copy, an exec volume's restore command).",
        "Targets: with --to DIR each member goes to DIR/AGENT/VOLUME (DIR must lie inside every agent's "
            + "restoreRoots); without it, to each agent's default RESTORE_ROOT/ID/VOLUME; --target overrides one "
            + "member. Live volumes and captures are never written.",
        "Exit 0 when every member was restored, 1 when some failed, 2 when the request was refused (unknown or "
            + "uncommitted id, an agent down, a target an agent does not allow, not enough space): nothing written."})
public final class RestoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Target target;
  @Mixin OutputOption output;
  @Parameters(index = "0", paramLabel = "ID", description = "The group snapshot (or, with --run, the backup run).")
  String id;
  @Option(names = "--run", description = "ID names a backup run: restore its group snapshot.") boolean run;
  @Option(names = "--to", paramLabel = "DIR", description = "Each member at DIR/AGENT/VOLUME (absolute).")
  String to;
  @Option(names = "--target", paramLabel = "AGENT:VOLUME=PATH",
      description = "Where one member goes (absolute); repeatable.") List<String> targets = new ArrayList<>();
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
        p.json(RestoreView.json(r));
      } else {
        RestoreView.text(r, out);
      }
      return r.getOk() ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  /** The request, every argument checked; exit 2 naming the argument otherwise. */
  RestoreGroupSnapshotRequest request() throws CliException {
    Connection.name(run ? "backup run id" : "group snapshot id", id);
    RestoreGroupSnapshotRequest.Builder b = RestoreGroupSnapshotRequest.newBuilder();
    if (run) {
      b.setBackupRunId(id);
    } else {
      b.setGroupSnapshotId(id);
    }
    if (to != null) {
      b.setTo(absolute("--to", to));
    }
    for (String t : targets) {
      int colon = t.indexOf(':');
      int eq = t.indexOf('=');
      if (colon <= 0 || eq < colon + 2) {
        throw new CliException(ExitCodes.USAGE, "--target '" + io.groupsnap.common.Names.printable(t)
            + "': expected AGENT:VOLUME=PATH");
      }
      b.addTargets(MemberTarget.newBuilder().setAgentId(Connection.name("--target agent", t.substring(0, colon)))
          .setVolume(Connection.name("--target volume", t.substring(colon + 1, eq)))
          .setPath(absolute("--target " + t.substring(0, eq), t.substring(eq + 1))));
    }
    return b.build();
  }

  private static String absolute(String what, String value) throws CliException {
    Path p;
    try {
      p = Path.of(value);
    } catch (InvalidPathException e) {
      throw new CliException(ExitCodes.USAGE, what + ": not a valid path");
    }
    if (!p.isAbsolute()) {
      throw new CliException(ExitCodes.USAGE, what + ": '" + value + "' is not an absolute path");
    }
    for (Path n : p) {
      if (n.toString().equals("..") || n.toString().equals(".")) {
        throw new CliException(ExitCodes.USAGE, what + ": '" + value + "' contains '" + n + "'");
      }
    }
    return p.toString();
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
