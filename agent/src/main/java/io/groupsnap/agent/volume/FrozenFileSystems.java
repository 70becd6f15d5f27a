package io.groupsnap.agent.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Cross-volume check at PREPARE: within one transaction, nothing may be captured onto a file system that another of
 * its volumes freezes (the capture's writes would block until the lease ran out and the hold broke), and no file
 * system may be frozen twice (the second FIFREEZE fails). Each volume checks its own capture location itself.
 */
public final class FrozenFileSystems {
  private FrozenFileSystems() {}

  /** Why these volumes cannot be captured together, or null. */
  public static String conflict(List<Volume> volumes, Function<Volume, Path> captureTarget) {
    for (Volume frozen : volumes) {
      Path mount = frozen.frozenFileSystem();
      if (mount == null) {
        continue;
      }
      try {
        long device = device(mount);
        for (Volume other : volumes) {
          if (other == frozen) {
            continue;
          }
          Path otherMount = other.frozenFileSystem();
          if (otherMount != null && device(otherMount) == device) {
            return "volumes " + frozen.name() + " and " + other.name() + " both freeze the file system at " + mount
                + ": give it once";
          }
          Path location = nearestExisting(captureTarget.apply(other));
          if (location != null && device(location) == device) {
            return "volume " + other.name() + ": its capture location " + captureTarget.apply(other) + " is on "
                + mount + ", which volume " + frozen.name() + " freezes: the capture would block until the lease "
                + "ran out; keep captures off frozen file systems";
          }
        }
      } catch (IOException e) {
        return "volume " + frozen.name() + ": cannot examine " + mount + ": " + e.getMessage();
      }
    }
    return null;
  }

  private static Path nearestExisting(Path p) {
    Path existing = p.toAbsolutePath().normalize();
    while (existing != null && !Files.isDirectory(existing)) {
      existing = existing.getParent();
    }
    return existing;
  }

  private static long device(Path p) throws IOException {
    return CaptureTree.device(p);
  }
}
