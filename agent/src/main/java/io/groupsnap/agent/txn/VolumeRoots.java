package io.groupsnap.agent.txn;

import io.groupsnap.agent.volume.Volume;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Confines volumes to the configured {@code volumeRoots}: a volume whose path, symbolic links resolved, is not under
 * one of them is refused at PREPARE (its path may have been swapped for a link since the configuration was checked).
 * No roots: no confinement.
 *
 * <p>Thread-safe: the roots are replaced as a whole.
 */
final class VolumeRoots {
  private volatile List<Path> roots = List.of();

  void confineTo(List<Path> newRoots) {
    this.roots = List.copyOf(newRoots);
  }

  /** Why the volume lies outside the roots, if it does. */
  Optional<String> outside(Volume v) {
    List<Path> now = roots;
    if (now.isEmpty()) {
      return Optional.empty();
    }
    Path real;
    try {
      real = v.path().toRealPath();
    } catch (IOException e) {
      return Optional.of("path " + v.path() + " cannot be resolved: " + e.getMessage());
    }
    for (Path root : now) {
      if (real.startsWith(root)) {
        return Optional.empty();
      }
    }
    return Optional.of("path " + v.path() + (real.equals(v.path()) ? "" : " (really " + real + ")")
        + " is outside the configured volumeRoots " + now);
  }
}
