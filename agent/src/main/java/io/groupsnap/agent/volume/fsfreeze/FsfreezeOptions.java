package io.groupsnap.agent.volume.fsfreeze;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The options of an {@code fsfreeze} volume, parsed and checked against each other (not against the host: that is
 * {@link FsfreezeVolumeKind#validate}).
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

  static FsfreezeOptions parse(KindOptions o) throws KindException {
    Capture capture = o.choice("capture", Capture.COPY, Capture.values());
    FreezeMethod method = o.choice("freezeMethod", FreezeMethod.IOCTL, FreezeMethod.values());
    only(o, "snapshotDir", capture, Capture.REFLINK);
    only(o, "allowUnheld", capture, Capture.REFLINK);
    only(o, "command", capture, Capture.COMMAND);
    only(o, "commandTimeout", capture, Capture.COMMAND);
    if (capture == Capture.REFLINK && o.has("freezeMethod")) {
      throw new KindException("options.freezeMethod", "does not apply to capture: reflink, which never freezes");
    }
    Path dir = o.absolutePath("snapshotDir");
    CaptureCommand command = null;
    if (capture == Capture.COMMAND) {
      String text = o.required("command", "is required with capture: command");
      try {
        command = CaptureCommand.parse(text);
      } catch (IllegalArgumentException e) {
        throw new KindException("options.command", e.getMessage());
      }
    }
    return new FsfreezeOptions(capture, method, dir, command, o.duration("commandTimeout", DEFAULT_COMMAND_TIMEOUT),
        o.flag("allowUnheld", false));
  }

  private static void only(KindOptions o, String key, Capture capture, Capture applies) throws KindException {
    if (o.has(key) && capture != applies) {
      throw new KindException("options." + key, "applies only to capture: " + lower(applies) + " (this volume's "
          + "capture is " + lower(capture) + ")");
    }
  }

  static String lower(Enum<?> e) {
    return KindOptions.lower(e);
  }
}
