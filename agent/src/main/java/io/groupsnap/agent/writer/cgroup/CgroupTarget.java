package io.groupsnap.agent.writer.cgroup;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Which cgroup a {@link CgroupWriter} holds: a configured directory, or the cgroup of a systemd unit, asked of systemd
 * each time it is {@link #resolve resolved} (at PREPARE, and by a restarted agent's thaw; never in the freeze window).
 */
final class CgroupTarget {
  static final String CGROUP = "cgroup";
  static final String UNIT = "unit";
  /** Exists while systemd is the init system (what sd_booted() checks). */
  static final Path SYSTEMD_RUNNING = Path.of("/run/systemd/system");

  private final Path path;
  private final String unit;
  private final CommandRunner commands;
  private final Path systemdRunning;
  private final Duration timeout;

  /**
   * @param path the cgroup directory, or null for {@code unit}
   * @param unit the systemd unit, or null for {@code path}
   * @param systemdRunning whose existence says systemd is running
   * @param timeout for {@code systemctl}
   */
  CgroupTarget(Path path, String unit, CommandRunner commands, Path systemdRunning, Duration timeout) {
    this.path = path;
    this.unit = unit;
    this.commands = commands;
    this.systemdRunning = systemdRunning;
    this.timeout = timeout;
  }

  /** The cgroup could not be found; {@link #result} says why, naming the option. */
  static final class Unresolved extends Exception {
    final transient WriterResult result;

    Unresolved(WriterResult result) {
      super(result.reason(), null, false, false);
      this.result = result;
    }
  }

  /** How messages name the cgroup: by the option that chose it. */
  String label(Cgroup cg) {
    return unit != null ? "options." + UNIT + ": " + unit + " (cgroup " + cg.dir() + ")"
        : "options." + CGROUP + ": " + cg.dir();
  }

  /** The cgroup now: the configured directory, or the unit's, asked of systemd. */
  /**
   * {@code systemctl stop} or {@code start} of the unit, for an in-place restore; refused for a writer that names
   * only a cgroup directory (nothing here knows how to stop and start what runs in it).
   *
   * @param verb {@code stop} or {@code start}
   */
  WriterResult unitCommand(String verb, String writer) {
    if (unit == null) {
      return WriterResult.nonRetryable("cgroup writer " + writer + " names a cgroup directory, not a systemd unit: an "
          + "in-place restore needs its application stopped and started (use options." + UNIT + ", or an exec "
          + "writer with preRestore and postRestore)");
    }
    String field = "options." + UNIT + ": ";
    if (!Files.isDirectory(systemdRunning)) {
      return WriterResult.nonRetryable(field + "systemd is not running on this host (no " + systemdRunning
          + "), so unit " + unit + " cannot be " + (verb.equals("stop") ? "stopped" : "started"));
    }
    Optional<Path> systemctl = commands.which("systemctl");
    if (systemctl.isEmpty()) {
      return WriterResult.nonRetryable(field + "systemctl not found");
    }
    CommandRunner.Result r;
    try {
      r = commands.run(List.of(systemctl.get().toString(), verb, "--", unit), timeout);
    } catch (IOException e) {
      return WriterResult.nonRetryable(field + "systemctl could not start: " + e.getMessage());
    }
    return r.ok() ? WriterResult.OK
        : WriterResult.nonRetryable(field + "systemctl " + verb + " " + unit + ": " + r.lastLine());
  }

  Cgroup resolve() throws Unresolved {
    if (path != null) {
      try {
        return Cgroup.open(path);
      } catch (IOException e) {
        throw new Unresolved(WriterResult.nonRetryable("options." + CGROUP + ": " + e.getMessage()));
      }
    }
    String field = "options." + UNIT + ": ";
    if (!Files.isDirectory(systemdRunning)) {
      throw new Unresolved(WriterResult.nonRetryable(field + "systemd is not running on this host (no "
          + systemdRunning + "), so unit " + unit + " has no cgroup to find; name it with options." + CGROUP));
    }
    Optional<Path> systemctl = commands.which("systemctl");
    if (systemctl.isEmpty()) {
      throw new Unresolved(WriterResult.nonRetryable(field + "systemctl not found"));
    }
    CommandRunner.Result r;
    try {
      r = commands.run(List.of(systemctl.get().toString(), "show", "-p", "ControlGroup", "--value", unit), timeout);
    } catch (IOException e) {
      throw new Unresolved(WriterResult.nonRetryable(field + "systemctl could not start: " + e.getMessage()));
    }
    if (!r.ok()) {
      throw new Unresolved(WriterResult.retryable(field + "systemctl show " + unit + ": " + r.lastLine()));
    }
    String group = r.stdout().strip();
    if (group.isEmpty()) {
      throw new Unresolved(WriterResult.nonRetryable(field + "unit " + unit + " is not running (it has no control "
          + "group)"));
    }
    if (!group.startsWith("/") || List.of(group.split("/")).contains("..") || group.contains("\n")) {
      throw new Unresolved(WriterResult.nonRetryable(field + "systemd named an unexpected control group '"
          + Names.printable(group) + "'"));
    }
    try {
      return Cgroup.open(Cgroup.locate(group));
    } catch (IOException e) {
      throw new Unresolved(WriterResult.nonRetryable(field + "unit " + unit + ": " + e.getMessage()));
    }
  }
}
