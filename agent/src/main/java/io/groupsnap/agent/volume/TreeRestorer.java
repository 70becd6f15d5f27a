package io.groupsnap.agent.volume;

import io.groupsnap.agent.volume.linux.Linux;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A {@link Restorer} that reproduces a capture's file tree ({@link CaptureTree#copy}): as copy-on-write clones when the
 * target lies on the capture's file system and it supports them (btrfs, XFS with reflink), else byte for byte. The
 * restored tree is writable: the capture's immutable marks are not copied. The way of every kind whose captures are
 * file trees and that has no cheaper one (dir, fsfreeze, zfs through {@code .zfs/snapshot}).
 */
public final class TreeRestorer implements Restorer {
  private final Path tree;
  private final long bytes;

  private TreeRestorer(Path tree, long bytes) {
    this.tree = tree;
    this.bytes = bytes;
  }

  /** A copy of the capture whose files are at {@code tree}; measures it (a walk, no reads). */
  public static TreeRestorer of(Path tree) throws VolumeException {
    try {
      return new TreeRestorer(tree, CaptureTree.size(tree, null));
    } catch (IOException | UncheckedIOException e) {
      throw new VolumeException("cannot measure capture " + tree + ": " + e.getMessage(), true, e);
    }
  }

  @Override
  public String method() {
    return "copy";
  }

  /** Counted in full even when clones may share extents: room is checked for the worst case. */
  @Override
  public long bytesNeeded() {
    return bytes;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  @Override
  public String materialize(Path target) throws VolumeException {
    try {
      if (Linux.check() == null && CaptureTree.device(tree) == CaptureTree.device(target.getParent())) {
        try {
          CaptureTree.copy(tree, target, CaptureTree.Mode.REFLINK, null);
          return "reflink";
        } catch (IOException | UncheckedIOException | UnsupportedOperationException e) {
          CaptureTree.delete(target); // the file system refused clones: copy instead
        }
      }
      CaptureTree.copy(tree, target, CaptureTree.Mode.COPY, null);
      return "copy";
    } catch (IOException | UncheckedIOException e) {
      throw new VolumeException("copy of " + tree + " to " + target + " failed: " + e.getMessage(), true, e);
    }
  }
}
