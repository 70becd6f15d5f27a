package io.groupsnap.agent.volume.fsfreeze;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.common.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of an {@code fsfreeze} volume, parsed and checked against each other (not against the host: that is
 * {@link FsfreezeVolume#KIND}'s validation).
 *
 * @param capture how the tree is captured
 * @param freezeMethod how the file system is frozen
 * @param snapshotDir where reflink captures go; null for the default
 * @param command the capture command, for {@link Capture#COMMAND}; else null
 * @param commandTimeout how long the capture command may run
 * @param allowUnheld a reflink volume may be captured without a writer holding it
 */
record FsfreezeOptions(Capture capture, FreezeMethod freezeMethod, Path snapshotDir, CaptureCommand command,
    Duration commandTimeout, boolean allowUnheld) {

  /** How the frozen tree is captured. */
  enum Capture {
    /** Copied, while frozen, onto another file system (under the snapshot root). */
    COPY,
    /** Cloned (copy-on-write) onto the same file system, without any freeze: see {@link FsfreezeVolume}. */
    REFLINK,
    /** By the operator's command, while frozen. */
    COMMAND
  }

  /** How FIFREEZE / FITHAW are issued. */
  enum FreezeMethod {
    /** Directly, through JNA: one system call. */
    IOCTL,
    /** By running {@code fsfreeze -f} / {@code fsfreeze -u}: a process spawn each. */
    TOOL
  }

  static final Set<String> NAMES = Set.of("capture", "freezeMethod", "snapshotDir", "command", "commandTimeout",
      "allowUnheld");
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

  static FsfreezeOptions parse(Map<String, String> o) throws KindException {
    Capture capture = parseEnum(o, "capture", Capture.COPY, Capture.values());
    FreezeMethod method = parseEnum(o, "freezeMethod", FreezeMethod.IOCTL, FreezeMethod.values());
    only(o, "snapshotDir", capture, Capture.REFLINK);
    only(o, "allowUnheld", capture, Capture.REFLINK);
    only(o, "command", capture, Capture.COMMAND);
    only(o, "commandTimeout", capture, Capture.COMMAND);
    if (capture == Capture.REFLINK && o.containsKey("freezeMethod")) {
      throw new KindException("options.freezeMethod", "does not apply to capture: reflink, which never freezes");
    }
    Path dir = null;
    if (o.containsKey("snapshotDir")) {
      dir = Path.of(o.get("snapshotDir"));
      if (!dir.isAbsolute()) {
        throw new KindException("options.snapshotDir", "must be an absolute path, not '" + o.get("snapshotDir") + "'");
      }
      dir = dir.normalize();
    }
    CaptureCommand command = null;
    if (capture == Capture.COMMAND) {
      if (!o.containsKey("command")) {
        throw new KindException("options.command", "is required with capture: command");
      }
      try {
        command = CaptureCommand.parse(o.get("command"));
      } catch (IllegalArgumentException e) {
        throw new KindException("options.command", e.getMessage());
      }
    }
    Duration timeout = DEFAULT_COMMAND_TIMEOUT;
    if (o.containsKey("commandTimeout")) {
      try {
        timeout = Durations.parse(o.get("commandTimeout"));
      } catch (IllegalArgumentException e) {
        throw new KindException("options.commandTimeout", e.getMessage());
      }
    }
    String unheld = o.getOrDefault("allowUnheld", "false");
    if (!unheld.equals("true") && !unheld.equals("false")) {
      throw new KindException("options.allowUnheld", "must be true or false");
    }
    return new FsfreezeOptions(capture, method, dir, command, timeout, unheld.equals("true"));
  }

  private static void only(Map<String, String> o, String key, Capture capture, Capture applies)
      throws KindException {
    if (o.containsKey(key) && capture != applies) {
      throw new KindException("options." + key, "applies only to capture: " + lower(applies) + " (this volume's "
          + "capture is " + lower(capture) + ")");
    }
  }

  private static <E extends Enum<E>> E parseEnum(Map<String, String> o, String key, E dflt, E[] values)
      throws KindException {
    String v = o.get(key);
    if (v == null) {
      return dflt;
    }
    for (E e : values) {
      if (lower(e).equals(v)) {
        return e;
      }
    }
    StringBuilder known = new StringBuilder();
    for (E e : values) {
      known.append(known.length() == 0 ? "" : ", ").append(lower(e));
    }
    throw new KindException("options." + key, "unknown " + key + " '" + io.groupsnap.common.Names.printable(v)
        + "' (known: " + known + ")");
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
