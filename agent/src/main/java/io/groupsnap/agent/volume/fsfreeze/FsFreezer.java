package io.groupsnap.agent.volume.fsfreeze;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.fsfreeze.FsfreezeOptions.FreezeMethod;
import io.groupsnap.agent.volume.linux.ErrnoException;
import io.groupsnap.agent.volume.linux.FsIoctl;
import io.groupsnap.agent.volume.linux.Linux;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Freezes and thaws one mounted file system: {@code FIFREEZE}/{@code FITHAW} as system calls, or by running
 * {@code fsfreeze -f}/{@code -u}. {@link #prepare} (outside the freeze window) checks the method can be used and
 * resolves the tool. Calls for one volume come from one transaction at a time; the fields are volatile because the
 * phases may run on different threads.
 */
final class FsFreezer {
  static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private final Path mount;
  private final FreezeMethod method;
  private final CommandRunner commands;
  private volatile Path tool;
  /**
   * The last freeze found the file system frozen already, by someone else: the thaw the participant attempts after a
   * failed freeze must leave that freeze alone (a restarted agent has a new instance, and does thaw).
   */
  private volatile boolean frozenByOthers;

  FsFreezer(Path mount, FreezeMethod method, CommandRunner commands) {
    this.mount = mount;
    this.method = method;
    this.commands = commands;
  }

  /** Checks that the method can be used on this host; for the tool method, finds {@code fsfreeze}. */
  void prepare() throws KindException {
    if (method == FreezeMethod.IOCTL && Linux.check() != null) {
      throw new KindException("options.freezeMethod", "freezeMethod ioctl cannot be used here: " + Linux.check()
          + " (use freezeMethod: tool)");
    }
    if (method == FreezeMethod.TOOL) {
      Optional<Path> t = commands.which("fsfreeze");
      if (t.isEmpty()) {
        throw new KindException("options.freezeMethod",
            "freezeMethod tool needs the fsfreeze program (util-linux), which is not installed");
      }
      tool = t.get();
    }
  }

  /** Freezes; fails (RETRYABLE) when the file system is frozen already. */
  void freeze(String fsType) throws VolumeException {
    if (method == FreezeMethod.TOOL) {
      runTool("-f");
      return;
    }
    try {
      FsIoctl.freeze(mount);
    } catch (ErrnoException e) {
      frozenByOthers = e.errno() == Linux.EBUSY;
      if (frozenByOthers) {
        throw alreadyFrozen();
      }
      throw new VolumeException(e.errno() == Linux.EOPNOTSUPP ? mount + " (" + fsType + ") does not support freezing"
          : "freeze of " + mount + " failed: " + e.getMessage(), false, e);
    }
  }

  private VolumeException alreadyFrozen() {
    return new VolumeException(mount + " is already frozen (by another process, or a freeze not yet thawed)", true);
  }

  /**
   * Thaws. Finding the file system not frozen means someone else thawed it during the hold, which is reported (the
   * hold is then broken) — except after a restart ({@code afterRestart}), where it is the normal case.
   */
  void thaw(boolean afterRestart) throws VolumeException {
    boolean wasNotFrozen;
    if (method == FreezeMethod.IOCTL || afterRestart && Linux.check() == null) {
      try {
        FsIoctl.thaw(mount);
        return;
      } catch (ErrnoException e) {
        if (e.errno() != Linux.EINVAL) {
          throw new VolumeException("thaw of " + mount + " failed: " + e.getMessage(), true, e);
        }
        wasNotFrozen = true;
      }
    } else {
      wasNotFrozen = !runTool("-u");
    }
    if (wasNotFrozen && !afterRestart) {
      throw new VolumeException(mount + " was no longer frozen at thaw: something else thawed it during the hold",
          false);
    }
  }

  /** After a restart: thaws, unless the last freeze failed because someone else's freeze was in place. */
  void thawAfterRestart() throws VolumeException {
    if (frozenByOthers) {
      frozenByOthers = false;
      return;
    }
    thaw(true);
  }

  /** Runs {@code fsfreeze flag mount}; false when {@code -u} found the file system not frozen. */
  private boolean runTool(String flag) throws VolumeException {
    Path t = tool != null ? tool : commands.which("fsfreeze").orElse(Path.of("fsfreeze"));
    CommandRunner.Result r;
    try {
      r = commands.run(List.of(t.toString(), flag, mount.toString()), TOOL_TIMEOUT);
    } catch (IOException e) {
      throw new VolumeException("fsfreeze " + flag + " " + mount + " failed: " + e.getMessage(), true, e);
    }
    if (r.ok()) {
      return true;
    }
    if (flag.equals("-u") && r.stderr().contains("Invalid argument")) {
      return false;
    }
    if (flag.equals("-f") && r.stderr().contains("Device or resource busy")) {
      frozenByOthers = true;
      throw alreadyFrozen();
    }
    throw new VolumeException("fsfreeze " + flag + " " + mount + " failed: " + r.lastLine(), true);
  }
}
