package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.RestoreView;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Durations;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.MemberTarget;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
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
 *
 * <p>{@code groupsnap restore ID --in-place [--keep DURATION] [--dry-run]} puts every member's volumes back to the cut
 * instead (docs/protocol.md, "In-place restore"), and the subcommands {@code confirm}, {@code rollback}, {@code show}
 * and {@code list} follow and settle such restores ({@link InPlaceCommands}).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    subcommands = {InPlaceCommands.Confirm.class, InPlaceCommands.Rollback.class, InPlaceCommands.Show.class,
        InPlaceCommands.ListRestores.class},
    description = {"Restore a committed group snapshot to new places: every member's capture materialized as a "
        + "writable tree (a writable btrfs snapshot, a reflink or a copy, an exec volume's restore command).",
        "Targets: with --to DIR each member goes to DIR/AGENT/VOLUME (DIR must lie inside every agent's "
            + "restoreRoots); without it, to each agent's default RESTORE_ROOT/ID/VOLUME; --target overrides one "
            + "member. Live volumes and captures are never written.",
        "Exit 0 when every member was restored, 1 when some failed or a member is in the middle of an in-place "
            + "restore (retry once it has settled), 2 when the request was refused (unknown or uncommitted id, an "
            + "agent down, a target an agent does not allow, not enough space): nothing written.",
        "With --in-place: every member's live volumes are put back to the cut as one operation (staged beside the "
            + "live data, writers stopped, switched, writers started); the previous data is kept for --keep "
            + "(default 24h) until `restore confirm` or `restore rollback`. Exit 0 when SWITCHED (or checked, with "
            + "--dry-run), 1 when CANCELLED (nobody switched; the reason names the member) or refused by the cluster's "
            + "state (uncommitted id, agent down, a member busy: nothing written), 2 for bad input."})
public final class RestoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Target target;
  @Mixin OutputOption output;
  @Parameters(index = "0", arity = "0..1", paramLabel = "ID",
      description = "The group snapshot (or, with --run, the backup run).")
  String id;
  @Option(names = "--run", description = "ID names a backup run: restore its group snapshot.") boolean run;
  @Option(names = "--to", paramLabel = "DIR", description = "Each member at DIR/AGENT/VOLUME (absolute).")
  String to;
  @Option(names = "--target", paramLabel = "AGENT:VOLUME=PATH",
      description = "Where one member goes (absolute); repeatable.") List<String> targets = new ArrayList<>();
  @Option(names = "--in-place", description = "Put the live volumes back to the cut, on every member at once.")
  boolean inPlace;
  @Option(names = "--keep", paramLabel = "DURATION",
      description = "With --in-place: how long the previous data is kept before it is confirmed (default 24h).")
  String keep;
  @Option(names = "--dry-run", description = "With --in-place: check every member, write nothing.") boolean dryRun;
  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h",
      description = "How long to wait for every member to finish (default: ${DEFAULT-VALUE}).") String timeout;

  @Override
  public Integer call() throws Exception {
    if (id == null) {
      throw new CliException(ExitCodes.USAGE, "restore: missing the group snapshot ID (or a subcommand: confirm, "
          + "rollback, show, list)");
    }
    if (inPlace) {
      return inPlace();
    }
    if (keep != null || dryRun) {
      throw new CliException(ExitCodes.USAGE, (keep != null ? "--keep" : "--dry-run") + " applies to --in-place only");
    }
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

  private int inPlace() throws CliException {
    RestoreInPlaceRequest req = inPlaceRequest();
    Duration wait = duration(timeout);
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    try (Connection c = Connection.open(target)) {
      InPlaceRestore r = c.call(wait, RestoreServiceGrpc::newBlockingStub, s -> s.restoreInPlace(req));
      return InPlaceCommands.print(p, r, out, false);
    }
  }

  /** The in-place request, every argument checked; exit 2 naming the argument otherwise. */
  RestoreInPlaceRequest inPlaceRequest() throws CliException {
    if (to != null || !targets.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, (to != null ? "--to" : "--target")
          + " cannot be combined with --in-place: an in-place restore writes each volume's own place");
    }
    Connection.name(run ? "backup run id" : "group snapshot id", id);
    RestoreInPlaceRequest.Builder b = RestoreInPlaceRequest.newBuilder().setDryRun(dryRun);
    if (run) {
      b.setBackupRunId(id);
    } else {
      b.setGroupSnapshotId(id);
    }
    if (keep != null) {
      Duration d;
      try {
        d = Durations.parse(keep);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--keep '" + keep + "': " + e.getMessage());
      }
      if (d.toSeconds() < 1) {
        throw new CliException(ExitCodes.USAGE, "--keep '" + keep + "': must be at least 1s");
      }
      b.setKeepSeconds(d.toSeconds());
    }
    return b.build();
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

  static Duration duration(String text) throws CliException {
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
