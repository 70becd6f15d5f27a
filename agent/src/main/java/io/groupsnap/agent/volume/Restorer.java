package io.groupsnap.agent.volume;

import java.nio.file.Path;

/**
 * How one capture comes back as a writable tree at a new place, as its volume's kind does it most cheaply: made by
 * {@link Volume#restorer} once every check of the kind has passed, so that whoever restores can check room and the
 * target for every volume first and write only then. Used by restores to a new place; the staging of an in-place
 * restore and the scratch copies of a test restore materialize the same way.
 */
public interface Restorer {
  /**
   * How: {@code btrfs-snapshot}, {@code zfs-clone}, {@code lvm-snapshot}, {@code reflink}, {@code copy},
   * {@code exec}; shown to the operator.
   */
  String method();

  /** Bytes the materialization writes on the target's file system (0 for a copy-on-write snapshot). */
  long bytesNeeded();

  /** Size of the files the restored tree will hold (the capture's), or -1 when unknown before materializing. */
  long bytes();

  /**
   * Materializes the capture at {@code target}, which does not exist and whose parent does. On failure, whatever was
   * written at {@code target} is the caller's to remove.
   *
   * @return the method actually used (a reflink that the file system refused falls back to a copy)
   */
  String materialize(Path target) throws VolumeException;

  /**
   * True when {@link #materialize} must be given the final target itself rather than a staging sibling that is renamed
   * into place when complete: what it makes there is a mount (a ZFS clone, a device), which cannot be renamed, or a
   * command's own output. Such a restorer removes what it made itself when it fails.
   */
  default boolean atTarget() {
    return false;
  }
}
