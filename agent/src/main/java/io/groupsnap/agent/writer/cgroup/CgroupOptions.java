package io.groupsnap.agent.writer.cgroup;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.common.Names;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options of a {@code cgroup} writer (see {@link CgroupWriter}): which cgroup it holds, by exactly one of a
 * directory and a systemd unit.
 *
 * @param cgroup the cgroup directory under {@link Cgroup#ROOT}; null with {@code unit}
 * @param unit the systemd unit whose cgroup is held; null with {@code cgroup}
 * @param allowEmpty PREPARE accepts a cgroup without processes
 */
public record CgroupOptions(Path cgroup, String unit, boolean allowEmpty) {
  static final String ALLOW_EMPTY = "allowEmpty";
  static final Set<String> NAMES = Set.of(CgroupTarget.CGROUP, CgroupTarget.UNIT, ALLOW_EMPTY);
  private static final Pattern UNIT_NAME = Pattern.compile(
      "[A-Za-z0-9_][A-Za-z0-9:_.@\\\\-]{0,240}\\.(service|scope|slice|socket|mount|swap)");

  static CgroupOptions parse(KindOptions o) throws KindException {
    String path = o.get(CgroupTarget.CGROUP);
    String unit = o.get(CgroupTarget.UNIT);
    if ((path == null) == (unit == null)) {
      throw new KindException("options", "needs exactly one of " + CgroupTarget.CGROUP + " (a cgroup directory under "
          + Cgroup.ROOT + ") and " + CgroupTarget.UNIT + " (a systemd unit)");
    }
    Path dir = path == null ? null : cgroupPath(path);
    String unitName = unit == null ? null : unitName(unit);
    return new CgroupOptions(dir, unitName, o.flag(ALLOW_EMPTY, false, "must be \"true\" or \"false\""));
  }

  private static Path cgroupPath(String value) throws KindException {
    String field = KindOptions.field(CgroupTarget.CGROUP);
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
  private static String unitName(String value) throws KindException {
    if (!UNIT_NAME.matcher(value).matches()) {
      throw new KindException(KindOptions.field(CgroupTarget.UNIT), "'" + Names.printable(value) + "' is not a "
          + "systemd unit name with a cgroup (like app.service; also .scope, .slice, .socket, .mount, .swap)");
    }
    return value;
  }
}
