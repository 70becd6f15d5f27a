package io.groupsnap.agent.volume;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A volume the agent captures: a provider of point-in-time copies of one file system tree.
 *
 * <p>Lifecycle within a transaction: {@link #check} at prepare (outside the freeze window: slow checks belong here),
 * then within the freeze window {@link #freeze}, {@link #capture}, and later {@link Frozen#thaw()}. Implementations
 * are called from one thread per transaction; distinct transactions never overlap on one volume.
 */
public interface Volume {
  String name();

  String kind();

  /** The tree being captured. */
  Path path();

  /**
   * True when a capture is consistent only while a writer holds every process that writes to the volume (a
   * file-by-file copy). Such a volume is refused at PREPARE unless a writer covers it or the operator declared that
   * nothing writes to it during snapshots. False for kinds whose capture is atomic on its own.
   */
  default boolean needsHolder() {
    return true;
  }

  /**
   * Checks that a capture can be taken: the volume exists, is healthy and there is room.
   *
   * @throws VolumeException with the reason, which is shown to the operator with the volume's name
   */
  void check(Path target) throws VolumeException;

  /**
   * Stops the file system from changing, if this kind needs it (fsfreeze). Kinds whose captures are atomic on their
   * own (btrfs, LVM, ZFS) or that rely on their writers (dir) return {@link Frozen#NONE}.
   */
  Frozen freeze() throws VolumeException;

  /** Captures the volume to {@code target}, which must not exist yet, and returns where the capture lives. */
  Path capture(Path target) throws VolumeException;

  /**
   * Undoes a freeze this process no longer has a handle for (the agent restarted while frozen). Must be harmless when
   * nothing is frozen. Kinds that never freeze the file system do nothing.
   */
  default void thawAfterRestart() throws VolumeException {}

  /** Deletes a capture made by {@link #capture}; a missing capture is not an error. */
  void delete(Path capture) throws IOException;

  /** A freeze in force; {@link #thaw()} ends it and is idempotent. */
  interface Frozen {
    Frozen NONE = () -> {};

    void thaw() throws VolumeException;
  }
}
