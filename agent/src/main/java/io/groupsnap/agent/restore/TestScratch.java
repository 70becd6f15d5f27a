package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Volume;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The removal of test restores' scratch copies ({@code <first restore root>/.verify-<restore_id>/<volume>}): one copy
 * with its staging directory once it has been checked (or, when the leader's group check needs it, once the leader
 * discards it or its keep limit passes), and every scratch directory a killed agent left behind when the next one
 * starts. Stateless; safe from any thread.
 */
final class TestScratch {
  private static final Logger log = LoggerFactory.getLogger(TestScratch.class);

  private TestScratch() {}

  /**
   * Removes every test restore scratch directory under {@code root} (left by an agent killed mid-test restore), each
   * copy as its volume's kind made it (a copy is named after its volume).
   */
  static void removeLeftovers(String agentId, Path root, Map<String, Volume> volumes) {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var entries = Files.newDirectoryStream(root, RestoreTargets.SCRATCH_PREFIX + "*")) {
      for (Path p : entries) {
        log.info("agent {}: removing test restore scratch {} left by an earlier run", agentId, p);
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          try (var copies = Files.newDirectoryStream(p)) {
            for (Path copy : copies) {
              removeCopy(volumes.get(copy.getFileName().toString()), copy);
            }
          }
        }
        CaptureTree.delete(p);
      }
    } catch (IOException e) {
      log.warn("agent {}: cannot remove test restore scratch in {}: {}", agentId, root, e.getMessage());
    }
  }

  /**
   * Deletes one test restore copy and its staging, and their scratch directory once empty.
   *
   * @return whether both are gone
   */
  static boolean remove(String agentId, Volume volume, Path target, Path staging) {
    try {
      CaptureTree.delete(staging);
      removeCopy(volume, target);
      try {
        Files.deleteIfExists(target.getParent());
      } catch (DirectoryNotEmptyException e) {
        // another volume of the same test restore is still there; the last one removes the directory
      }
    } catch (IOException | RuntimeException e) {
      log.warn("agent {}: cannot remove test restore scratch {}: {}", agentId, target, e.getMessage());
    }
    return !Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.exists(staging, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Removes one restored copy as its volume's kind made it ({@link Volume#removeRestored}: a ZFS clone is destroyed, an
   * LVM overlay unmounted and removed), one copy at a time: a writable btrfs snapshot or a mount is a file system of
   * its own. A volume no longer configured ({@code null}) can only have left a plain tree.
   */
  private static void removeCopy(Volume volume, Path copy) throws IOException {
    if (volume == null) {
      CaptureTree.delete(copy);
    } else {
      volume.removeRestored(copy);
    }
  }

  /** Where a volume's restore is materialized before it is renamed to {@code target}. */
  static Path staging(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".restoring");
  }
}
