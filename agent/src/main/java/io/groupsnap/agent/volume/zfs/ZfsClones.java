package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Restores of a {@code zfs} volume's captures: a clone of the capture's snapshot, mounted at the target, which shares
 * every block with the snapshot (nothing is copied), and its removal, which destroys the clone.
 *
 * <p>The clone is {@code <restoreParent>/<last component of the dataset>-restore-<hash of the target>}
 * ({@link ZfsNames#restoreClone}), made with {@code zfs clone -o mountpoint=<target> -o readonly=off -o canmount=on
 * <dataset>@gs-<id> <clone>}. Naming it after the target lets {@link #remove} find it from the target alone (a test
 * restore's scratch, an agent restarted since). While the clone exists ZFS keeps the capture's snapshot (destroying it
 * fails, and the reaper tries again later). Thread-safe; holds no state besides its settings.
 */
final class ZfsClones {
  private final String volume;
  private final String dataset;
  private final String restoreParent;
  private final StorageTools tools;

  ZfsClones(String volume, String dataset, String restoreParent, StorageTools tools) {
    this.volume = volume;
    this.dataset = dataset;
    this.restoreParent = restoreParent;
    this.tools = tools;
  }

  /**
   * Checks that snapshot {@code snapshot} ({@code dataset@gs-<id>}) can be cloned to {@code target}: it exists, the
   * parent dataset exists with room for a clone's metadata, and no clone for this target exists yet. Writes nothing.
   */
  Restorer restorer(String snapshot, Path target, Map<String, Path> t) throws VolumeException {
    String zfs = t.get("zfs").toString();
    Path to = target.toAbsolutePath().normalize();
    String clone = ZfsNames.restoreClone(dataset, restoreParent, to);
    long bytes = snapshotBytes(zfs, snapshot);
    checkParent(zfs);
    if (exists(zfs, clone)) {
      throw new VolumeException("dataset " + clone + " already exists (an earlier restore to " + to + "?): destroy"
          + " it with 'zfs destroy " + clone + "' to restore there again", false);
    }
    return new Restorer() {
      @Override
      public String method() {
        return "zfs-clone";
      }

      @Override
      public long bytesNeeded() {
        return 0; // the clone shares the snapshot's blocks; its metadata is in the pool, checked above
      }

      @Override
      public long bytes() {
        return bytes;
      }

      @Override
      public boolean atTarget() {
        return true; // a mounted clone cannot be renamed into place
      }

      @Override
      public String materialize(Path where) throws VolumeException {
        if (!where.toAbsolutePath().normalize().equals(to)) {
          throw new VolumeException("clone of " + snapshot + " was checked for " + to + ", not " + where, false);
        }
        cloneAndMount(zfs, snapshot, clone, to);
        return method();
      }
    };
  }

  /** The size of the capture's files ({@code logicalreferenced}: before compression); fails when it is gone. */
  private long snapshotBytes(String zfs, String snapshot) throws VolumeException {
    List<String> argv = List.of(zfs, "list", "-H", "-p", "-t", "snapshot", "-o", "name,logicalreferenced", snapshot);
    CommandRunner.Result r = tools.runAnyExit(argv);
    if (!r.ok()) {
      boolean gone = r.stderr().contains("does not exist");
      throw new VolumeException(gone ? "capture " + snapshot + " of volume " + volume + " is gone"
          : StorageTools.failed(argv, r), !gone);
    }
    return ZfsReports.number("zfs list", ZfsReports.row("zfs list", r.stdout(), 2)[1]);
  }

  private void checkParent(String zfs) throws VolumeException {
    List<String> argv = List.of(zfs, "list", "-H", "-p", "-o", "name,available", restoreParent);
    CommandRunner.Result r = tools.runAnyExit(argv);
    if (!r.ok()) {
      boolean missing = r.stderr().contains("does not exist");
      throw new VolumeException(missing ? "dataset " + restoreParent + ", where restores clone captures (option "
          + "restoreParent), does not exist: create it with 'zfs create " + restoreParent + "'"
          : StorageTools.failed(argv, r), !missing);
    }
    long available = ZfsReports.number("zfs list", ZfsReports.row("zfs list", r.stdout(), 2)[1]);
    if (available < ZfsVolume.MIN_AVAILABLE) {
      throw new VolumeException("dataset " + restoreParent + " has only " + available + " bytes available; a clone "
          + "needs room for its metadata", true);
    }
  }

  /** Whether dataset {@code name} exists. */
  private boolean exists(String zfs, String name) throws VolumeException {
    List<String> argv = List.of(zfs, "list", "-H", "-o", "name", name);
    CommandRunner.Result r = tools.runAnyExit(argv);
    if (r.ok()) {
      return true;
    }
    if (r.stderr().contains("does not exist")) {
      return false;
    }
    throw new VolumeException(StorageTools.failed(argv, r), true);
  }

  /**
   * Clones and checks that the clone is mounted at {@code to}; a clone made but not mounted there is destroyed again,
   * so that a failed restore leaves nothing behind.
   */
  private void cloneAndMount(String zfs, String snapshot, String clone, Path to) throws VolumeException {
    try {
      tools.run(List.of(zfs, "clone", "-o", "mountpoint=" + to, "-o", "readonly=off", "-o", "canmount=on", snapshot,
          clone), true);
      List<String> get = List.of(zfs, "get", "-H", "-o", "value", "mounted", clone);
      String mounted = tools.run(get, true).stdout().strip();
      if (!mounted.equals("yes")) {
        throw new VolumeException("clone " + clone + " of " + snapshot + " was made but is not mounted at " + to
            + " (mounted: " + StorageTools.quote(mounted) + ")", true);
      }
    } catch (VolumeException e) {
      try {
        if (exists(zfs, clone)) {
          tools.run(List.of(zfs, "destroy", clone), true);
        }
      } catch (VolumeException undo) {
        e.addSuppressed(undo);
        throw new VolumeException(e.getMessage() + "; clone " + clone + " could not be destroyed again: "
            + undo.getMessage(), e.retryable(), e);
      }
      throw e;
    }
  }

  /**
   * Removes a restore at {@code target}: destroys its clone when there is one (unmounting it), then deletes what is
   * left at the target (the empty mount point; a plain tree when the restore came from an export). Idempotent.
   */
  void remove(Path target) throws IOException {
    Path to = target.toAbsolutePath().normalize();
    String clone = ZfsNames.restoreClone(dataset, restoreParent, to);
    String zfs = tools.resolveForIo("zfs").toString();
    List<String> argv = List.of(zfs, "list", "-H", "-o", "name,origin", clone);
    CommandRunner.Result r = tools.runAnyExitForIo(argv);
    if (r.ok()) {
      String origin;
      try {
        origin = ZfsReports.row("zfs list", r.stdout(), 2)[1];
      } catch (VolumeException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (!origin.startsWith(dataset + "@" + ZfsNames.PREFIX)) {
        throw new IOException("refusing to destroy " + clone + " at " + to + ": its origin " + StorageTools.quote(
            origin) + " is no capture of volume " + volume);
      }
      tools.runForIo(List.of(zfs, "destroy", clone)); // not -r: anything made from the clone stops it, and is named
    } else if (!r.stderr().contains("does not exist")) {
      throw new IOException(StorageTools.failed(argv, r));
    }
    CaptureTree.delete(to);
  }
}
