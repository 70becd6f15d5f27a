package io.groupsnap.agent.restore;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.btrfs.BtrfsVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Removal of the trees an in-place restore staged or set aside. A btrfs subvolume (a writable snapshot staged from a
 * capture, or the live subvolume replaced by the switch) is deleted as the btrfs kind deletes its captures, at once
 * and whatever it holds; anything else is a file tree, deleted file by file (immutable marks cleared, links never
 * followed, never across a mount point).
 */
final class AsideTrees {
  private AsideTrees() {}

  /** Deletes {@code tree}; a missing one is fine. */
  static void delete(Path tree) throws IOException {
    if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (BtrfsVolume.isSubvolumeOnBtrfs(tree)) {
      CommandRunner commands = CommandRunner.system();
      BtrfsVolume.deleteSubvolume(tree, commands.which("btrfs").orElse(Path.of("btrfs")), commands);
      return;
    }
    CaptureTree.delete(tree);
  }
}
