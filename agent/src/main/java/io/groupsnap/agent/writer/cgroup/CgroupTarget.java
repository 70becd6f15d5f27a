package io.groupsnap.agent.writer.cgroup;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which cgroup a {@link CgroupWriter} holds: a configured directory, or the cgroup of a systemd unit, asked of systemd
 * each time it is {@link #resolve resolved} (at PREPARE, and by a restarted agent's thaw; never in the freeze window).
 */
final class CgroupTarget {
  static final String CGROUP = "cgroup";
  static final String UNIT = "unit";
  /** Exists while systemd is the init system (what sd_booted() checks). */
  static final Path SYSTEMD_RUNNING = Path.of("/run/systemd/system");
  private static final Pattern UNIT_NAME = Pattern.compile(
      "[A-Za-z0-9_][A-Za-z0-9:_.@\\\\-]{0,240}\\.(service|scope|slice|socket|mount|swap)");

  private final Path path;
  private final String unit;
  private final CommandRunner commands;
  private final Path systemdRunning;
  private final Duration timeout;

  /**
   * From the writer's options, which {@link #cgroupPath} / {@link #unitName} accepted.
   *
   * @param systemdRunning whose existence says systemd is running
   * @param timeout for {@code systemctl}
   */
  CgroupTarget(String path, String unit, CommandRunner commands, Path systemdRunning, Duration timeout)
      throws KindException {
    if ((path == null) == (unit == null)) {
      throw new KindException("options", "needs exactly one of " + CGROUP + " (a cgroup directory under "
          + Cgroup.ROOT + ") and " + UNIT + " (a systemd unit)");
    }
    this.path = path == null ? null : cgroupPath(path);
    this.unit = unit == null ? null : unitName(unit);
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

  static Path cgroupPath(String value) throws KindException {
    String field = "options." + CGROUP;
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new KindException(field, "has control characters ('" + Names.printable(value) + "')");
    }
    Path p;
    try {
      p = Path.of(value);
    } catch (InvalidPathException e) {
      throw new KindException(field, "'" + Names.printable(value) + "' is not a path");
    }
    List<String> parts = List.of(value.split("/"));
    if (!p.isAbsolute() || parts.contains("..") || parts.contains(".") || !p.normalize().equals(p)) {
      throw new KindException(field, "must be an absolute path without '.' or '..' (got '" + Names.printable(value)
          + "')");
    }
    if (!p.startsWith(Cgroup.ROOT) || p.equals(Cgroup.ROOT)) {
      throw new KindException(field, "must be a cgroup directory under " + Cgroup.ROOT + " (got '"
          + Names.printable(value) + "')");
    }
    return p;
  }

  /** A unit name systemd could give a cgroup; never starts with '-', so it cannot pass for an option. */
  static String unitName(String value) throws KindException {
    if (!UNIT_NAME.matcher(value).matches()) {
      throw new KindException("options." + UNIT, "'" + Names.printable(value) + "' is not a systemd unit name with "
          + "a cgroup (like app.service; also .scope, .slice, .socket, .mount, .swap)");
    }
    return value;
  }

  /** How messages name the cgroup: by the option that chose it. */
  String label(Cgroup cg) {
    return unit != null ? "options." + UNIT + ": " + unit + " (cgroup " + cg.dir() + ")"
        : "options." + CGROUP + ": " + cg.dir();
  }

  /** The cgroup now: the configured directory, or the unit's, asked of systemd. */
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
