package io.groupsnap.agent.volume;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A volume the agent captures: a provider of point-in-time copies of one file system tree.
 *
 * <p>Lifecycle within a transaction: {@link #check} at prepare (outside the freeze window: slow checks, tool lookups
 * and anything that could fail belong here), then within the freeze window {@link #freeze}, {@link #capture} (or
 * {@link #captureBatch} for kinds that capture several volumes in one atomic operation), and later
 * {@link Frozen#thaw()}. Implementations are called from one thread per transaction; distinct transactions never
 * overlap on one volume.
 *
 * <p>Every capture has a <em>location</em>, a path: the read-only directory a backup tool reads (a btrfs snapshot, a
 * copy under the snapshot root, a ZFS {@code .zfs/snapshot} directory) or, for kinds whose captures are not file
 * trees (an LVM snapshot device, an external system's handle), a path that names the capture. A kind only ever
 * creates and deletes locations it {@link #owns}.
 */
public interface Volume {
  String name();

  String kind();

  /** The live tree being captured (the mount point for kinds that snapshot a whole file system). */
  Path path();

  /**
   * True when a capture is consistent only while a writer holds every process that writes to the volume (a
   * file-by-file copy). Such a volume is refused at PREPARE unless a writer covers it or the operator declared that
   * nothing writes to it during snapshots. False for kinds whose capture is atomic on its own.
   */
  default boolean needsHolder() {
    return true;
  }

  /** Where the capture of a group snapshot goes; deterministic, so a restart finds it again. */
  Path captureTarget(String groupSnapshotId);

  /** True when {@code location} is a capture location of this volume, the only ones it may delete. */
  boolean owns(Path location);

  /**
   * Checks that a capture can be taken: the volume exists, is healthy, its tools are present and there is room.
   * Nothing is frozen or created here except empty parent directories.
   *
   * @throws VolumeException with the reason, which is shown to the operator with the volume's name
   */
  void check(Path target) throws VolumeException;

  /**
   * Stops the file system from changing, if this kind needs it (fsfreeze). Kinds whose captures are atomic on their
   * own (btrfs, LVM, ZFS) or that rely on their writers (dir) return {@link Frozen#NONE}.
   */
  Frozen freeze() throws VolumeException;

  /**
   * The mount point of the file system {@link #freeze} freezes, or null for kinds that freeze none. PREPARE refuses a
   * transaction in which another volume's capture location lies on that file system (the capture would block until
   * the lease ran out) or two volumes freeze the same one.
   */
  default Path frozenFileSystem() {
    return null;
  }

  /** Captures the volume to {@code target}, which must not exist yet, and returns where the capture lives. */
  Path capture(Path target) throws VolumeException;

  /**
   * Volumes with the same non-null key are captured together by one atomic operation (all datasets of one ZFS pool
   * in one {@code zfs snapshot}): {@link #captureBatch} is called on one of them with all of them.
   */
  default String batchKey() {
    return null;
  }

  /**
   * Captures several volumes of the same {@link #batchKey} at once; returns each volume's location by name. The
   * default captures them one by one.
   */
  default Map<String, Path> captureBatch(Map<Volume, Path> targets) throws VolumeException {
    Map<String, Path> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<Volume, Path> e : targets.entrySet()) {
      out.put(e.getKey().name(), e.getKey().capture(e.getValue()));
    }
    return out;
  }

  /**
   * Undoes a freeze this process no longer has a handle for (the agent restarted while frozen). Must be harmless when
   * nothing is frozen. Kinds that never freeze the file system do nothing.
   */
  default void thawAfterRestart() throws VolumeException {}

  /** Deletes a capture made by {@link #capture}; a missing capture is not an error. */
  void delete(Path capture) throws IOException;

  /**
   * Every capture location of this volume that exists, including half-made ones, so that the reaper can find those
   * no catalog entry names (a crash during capture).
   */
  List<Found> listCaptures() throws IOException;

  /**
   * Whether a capture of this volume is still on its storage, and where its files can be read, for the scrub (run
   * after the commit, never inside a freeze window). The default looks for {@code location} among
   * {@link #listCaptures()} and reads it as a file tree when it is a directory (dir, btrfs, fsfreeze, zfs); a capture
   * that is a device (lvm) is known only to be present. Kinds whose location is only a name override this.
   *
   * @throws IOException when the storage cannot be asked (a tool failed): the capture is then unchecked, not missing
   */
  default Located locate(Path location) throws IOException {
    Path l = location.toAbsolutePath().normalize();
    for (Found f : listCaptures()) {
      if (f.location().toAbsolutePath().normalize().equals(l)) {
        return java.nio.file.Files.isDirectory(l, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Located.tree(l)
            : Located.PRESENT;
      }
    }
    return Located.MISSING;
  }

  /**
   * How a capture of this volume comes back as a writable tree at {@code target} (a restore to a new place, the
   * staging of an in-place restore, a test restore's scratch copy); {@code target} does not exist yet. Checks only,
   * writes nothing: the caller checks room against {@link Restorer#bytesNeeded} and then materializes. The default
   * copies the tree {@link #locate} finds ({@link TreeRestorer}) and refuses a capture that is gone or is not a file
   * tree; kinds with a cheaper way (a writable btrfs snapshot) or with their own (an exec command) override it.
   *
   * @throws VolumeException when this capture cannot be restored so, saying why in one line
   */
  default Restorer restorer(Path capture, Path target) throws VolumeException {
    Located where;
    try {
      where = locate(capture);
    } catch (IOException e) {
      throw new VolumeException("cannot find capture " + capture + " of volume " + name() + ": " + e.getMessage(),
          true, e);
    }
    if (!where.present()) {
      throw new VolumeException("capture " + capture + " of volume " + name() + " is gone", false);
    }
    if (where.tree() == null) {
      throw new VolumeException("volume " + name() + " (kind " + kind() + ") keeps captures that are not file trees:"
          + " it cannot restore them to a path", false);
    }
    return TreeRestorer.of(where.tree());
  }

  /**
   * Removes what a restore of this volume materialized at {@code target} (a test restore's scratch copy): whatever the
   * kind mounted or cloned there, then the tree. Nothing at {@code target} is not an error, so a second call is
   * harmless. The default deletes the tree; kinds whose restores are clones or mounts (zfs, lvm) take those down first,
   * so that a recursive delete never runs through a mounted file system and leaves no dataset or device behind.
   */
  default void removeRestored(Path target) throws IOException {
    CaptureTree.delete(target);
  }

  /**
   * Where a capture stands, for the scrub.
   *
   * @param present it exists on the volume's storage
   * @param tree the directory its files can be read from, or null when only its presence can be checked
   */
  record Located(boolean present, Path tree) {
    public static final Located MISSING = new Located(false, null);
    /** Present; its contents cannot be examined. */
    public static final Located PRESENT = new Located(true, null);

    public static Located tree(Path dir) {
      return new Located(true, dir);
    }
  }

  /**
   * A capture found on storage.
   *
   * @param groupSnapshotId the group snapshot it belongs to, from its name
   * @param location what {@link #delete} takes
   * @param modifiedMillis when it was last changed, for the reaper's grace period
   */
  record Found(String groupSnapshotId, Path location, long modifiedMillis) {}

  /** A freeze in force; {@link #thaw()} ends it and is idempotent. */
  interface Frozen {
    Frozen NONE = () -> {};

    void thaw() throws VolumeException;
  }
}
