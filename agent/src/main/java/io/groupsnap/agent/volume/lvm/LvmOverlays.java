package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Restores of an {@code lvm} volume's captures: a writable device-mapper snapshot of the read-only capture, mounted at
 * the target, and its removal.
 *
 * <p>Why not {@code lvcreate --snapshot} of the capture: LVM refuses a snapshot of an old-style snapshot ("Snapshots
 * of snapshots are not supported"), and the capture cannot be made writable or mounted as it is (the capture must only
 * be read, and its file system's journal needs replaying, which needs a writable device). So the restore builds the
 * same thing device-mapper builds for LVM: a plain LV for the copy-on-write space
 * ({@code <lv>-gr-<hash of the target>}, sized by the volume's {@code snapshotSize} and checked against the group's free extents before anything is written)
 * and a {@code snapshot} target over the capture with that LV as its transient exception store, named
 * {@code <vg>-<cow LV>-rw}. Nothing is copied; writes to the restored tree land in the copy-on-write LV, and the
 * capture is opened read-only. The file system's type comes from {@code blkid}; XFS is mounted with {@code nouuid}
 * (the overlay has the UUID of the mounted origin); btrfs is refused (two devices with one fsid confuse the kernel).
 *
 * <p>While a restore is mounted the capture is in use and {@code lvremove} of it fails (the reaper tries again later).
 * The overlay does not survive a reboot; its copy-on-write LV does, until {@link #remove} (or {@code lvremove}).
 * Thread-safe; holds no state besides its settings.
 */
final class LvmOverlays {
  static final List<String> TOOLS = List.of("blkid", "mount", "umount");
  /** Device-mapper snapshot chunks, in 512-byte sectors (4 KiB, as LVM's default). */
  static final int CHUNK_SECTORS = 8;
  private static final Pattern FS_TYPE = Pattern.compile("[a-z0-9_]{1,32}");

  private final String volume;
  private final String vg;
  private final String lv;
  private final LvmSnapshotSize size;
  private final StorageTools lvm;
  private final StorageTools util;

  /** @param util runs the util-linux tools ({@link #TOOLS}) */
  LvmOverlays(String volume, String vg, String lv, LvmSnapshotSize size, StorageTools lvm, StorageTools util) {
    this.volume = volume;
    this.vg = vg;
    this.lv = lv;
    this.size = size;
    this.lvm = lvm;
    this.util = util;
  }

  /** Everything a restore of capture {@code <lv>-gs-<id>} to {@code target} needs, checked; nothing written. */
  Restorer restorer(String id, Path target, Map<String, Path> t) throws VolumeException {
    Map<String, Path> u = util.resolve(TOOLS);
    Path to = target.toAbsolutePath().normalize();
    String capture = LvmNames.snapshotName(lv, id);
    String cow = LvmNames.restoreCow(lv, to);
    String overlay = LvmNames.restoreOverlay(vg, cow);
    String problem = LvmNames.lvProblem(cow);
    if (problem == null && overlay.length() > LvmNames.MAX) {
      problem = "its overlay's device-mapper name " + overlay + " is longer than " + LvmNames.MAX + " characters";
    }
    if (problem != null) {
      throw new VolumeException("cannot name the restore's copy-on-write volume " + cow + ": " + problem, false);
    }
    long bytes = captureBytes(t.get("lvs"), capture, cow, to);
    LvmReports.Group group = LvmReports.group(vg, lvm.run(List.of(t.get("vgs").toString(), "--noheadings",
        "--nosuffix", "--units", "b", "--separator", "|", "-o", "vg_name,vg_extent_size,vg_extent_count,vg_free_count",
        vg), true).stdout());
    long extents = size.extentsNeeded(group.extentBytes(), bytes, group.extents(), group.freeExtents());
    if (extents > group.freeExtents()) {
      throw new VolumeException("volume group " + vg + " has " + group.freeExtents() + " free extents ("
          + group.freeExtents() * group.extentBytes() + " bytes); the restore's copy-on-write space (snapshotSize "
          + size.text() + ") needs " + extents + " (" + extents * group.extentBytes() + " bytes)", true);
    }
    String fsType = fsType(u.get("blkid"), capture);
    Plan plan = new Plan(t, u, capture, cow, overlay, extents, bytes / 512, fsType, to);
    return new Restorer() {
      @Override
      public String method() {
        return "lvm-snapshot";
      }

      @Override
      public long bytesNeeded() {
        return 0; // the copy-on-write space is in the volume group, checked above
      }

      @Override
      public long bytes() {
        return -1; // the files' size is known once mounted
      }

      @Override
      public boolean atTarget() {
        return true; // a mount cannot be renamed into place
      }

      @Override
      public String materialize(Path where) throws VolumeException {
        if (!where.toAbsolutePath().normalize().equals(to)) {
          throw new VolumeException("restore of " + vg + "/" + capture + " was checked for " + to + ", not " + where,
              false);
        }
        plan.materialize();
        return method();
      }
    };
  }

  /**
   * The size of the capture's device, which is its origin's (a snapshot's own {@code lv_size} is its copy-on-write
   * space): the capture is present, a snapshot of this volume's LV and active; no copy-on-write LV for the target yet.
   */
  private long captureBytes(Path lvsTool, String capture, String cow, Path to) throws VolumeException {
    List<LvmReports.Lv> lvs = LvmReports.lvs(lvm.run(List.of(lvsTool.toString(), "--noheadings", "--nosuffix",
        "--units", "b", "--separator", "|", "-o", "lv_name,lv_attr,lv_size,origin", vg), true).stdout());
    LvmReports.Lv c = lvs.stream().filter(l -> l.name().equals(capture) && l.origin().equals(lv)).findFirst()
        .orElse(null);
    LvmReports.Lv origin = lvs.stream().filter(l -> l.name().equals(lv)).findFirst().orElse(null);
    if (c == null || origin == null) {
      throw new VolumeException("capture " + vg + "/" + capture + " of volume " + volume + " is gone", false);
    }
    if (!c.isSnapshot() || !c.isActive()) {
      throw new VolumeException("capture " + vg + "/" + capture + " is not an active snapshot (attributes "
          + c.attr() + "; an invalid one has filled its copy-on-write space)", false);
    }
    if (lvs.stream().anyMatch(l -> l.name().equals(cow))) {
      throw new VolumeException("logical volume " + vg + "/" + cow + " already exists (an earlier restore to " + to
          + "?): remove it with 'lvremove " + vg + "/" + cow + "' to restore there again", false);
    }
    return origin.bytes();
  }

  /** The capture's file system type, as {@code blkid} reads it from the device. */
  private String fsType(Path blkid, String capture) throws VolumeException {
    String device = "/dev/" + vg + "/" + capture;
    List<String> argv = List.of(blkid.toString(), "-o", "value", "-s", "TYPE", device);
    CommandRunner.Result r = util.runAnyExit(argv);
    if (r.exitCode() == 2) {
      throw new VolumeException("blkid finds no file system on capture " + device, false);
    }
    if (!r.ok()) {
      throw new VolumeException(StorageTools.failed(argv, r), true);
    }
    String type = r.stdout().strip();
    if (!FS_TYPE.matcher(type).matches()) {
      throw new VolumeException("blkid reports an unexpected file system type " + StorageTools.quote(type)
          + " on capture " + device, false);
    }
    if (type.equals("btrfs")) {
      throw new VolumeException("capture " + device + " holds a btrfs, which cannot be mounted beside its origin"
          + " (both would have one fsid); mount the capture read-only by hand", false);
    }
    return type;
  }

  /** The commands of one restore, checked; undone in reverse order when one fails. */
  private final class Plan {
    final Map<String, Path> t;
    final Map<String, Path> u;
    final String capture;
    final String cow;
    final String overlay;
    final long extents;
    final long sectors;
    final String fsType;
    final Path to;

    Plan(Map<String, Path> t, Map<String, Path> u, String capture, String cow, String overlay, long extents,
        long sectors, String fsType, Path to) {
      this.t = t;
      this.u = u;
      this.capture = capture;
      this.cow = cow;
      this.overlay = overlay;
      this.extents = extents;
      this.sectors = sectors;
      this.fsType = fsType;
      this.to = to;
    }

    void materialize() throws VolumeException {
      List<Undo> done = new ArrayList<>();
      try {
        lvm.run(List.of(t.get("lvcreate").toString(), "--yes", "--name", cow, "--extents", Long.toString(extents), vg),
            true);
        done.add(() -> lvm.run(List.of(t.get("lvremove").toString(), "-y", vg + "/" + cow), true));
        lvm.run(List.of(t.get("dmsetup").toString(), "create", overlay, "--table", "0 " + sectors + " snapshot /dev/"
            + vg + "/" + capture + " /dev/" + vg + "/" + cow + " N " + CHUNK_SECTORS), true);
        done.add(() -> lvm.run(List.of(t.get("dmsetup").toString(), "remove", overlay), true));
        try {
          Files.createDirectory(to);
        } catch (IOException e) {
          throw new VolumeException("cannot create mount point " + to + ": " + e.getMessage(), true, e);
        }
        done.add(() -> deleteEmpty(to));
        List<String> mount = new ArrayList<>(List.of(u.get("mount").toString(), "-t", fsType));
        if (fsType.equals("xfs")) {
          mount.addAll(List.of("-o", "nouuid"));
        }
        mount.addAll(List.of("/dev/mapper/" + overlay, to.toString()));
        util.run(mount, true);
      } catch (VolumeException e) {
        for (int i = done.size() - 1; i >= 0; i--) {
          try {
            done.get(i).run();
          } catch (VolumeException undo) {
            throw new VolumeException(e.getMessage() + "; undoing it failed too: " + undo.getMessage()
                + " (remove " + vg + "/" + cow + " and device " + overlay + " by hand)", e.retryable(), e);
          }
        }
        throw e;
      }
    }
  }

  @FunctionalInterface
  private interface Undo {
    void run() throws VolumeException;
  }

  private static void deleteEmpty(Path dir) throws VolumeException {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new VolumeException("cannot remove mount point " + dir + ": " + e.getMessage(), true, e);
    }
  }

  /**
   * Removes a restore at {@code target}: unmounts its overlay when it is open, removes the overlay and the
   * copy-on-write LV when they exist, then deletes what is left at the target (the empty mount point; a plain tree
   * when the restore came from an export). Idempotent.
   */
  void remove(Path target) throws IOException {
    Path to = target.toAbsolutePath().normalize();
    String cow = LvmNames.restoreCow(lv, to);
    String overlay = LvmNames.restoreOverlay(vg, cow);
    String dmsetup = lvm.resolveForIo("dmsetup").toString();
    List<String> info = List.of(dmsetup, "info", "-c", "--noheadings", "-o", "open", overlay);
    CommandRunner.Result r = lvm.runAnyExitForIo(info);
    if (r.ok()) {
      if (!r.stdout().strip().equals("0")) {
        util.runForIo(List.of(util.resolveForIo("umount").toString(), to.toString()));
      }
      lvm.runForIo(List.of(dmsetup, "remove", overlay));
    } else if (!r.stderr().contains("does not exist")) {
      throw new IOException(StorageTools.failed(info, r));
    }
    String lvs = lvm.runForIo(List.of(lvm.resolveForIo("lvs").toString(), "--noheadings", "-o", "lv_name", vg))
        .stdout();
    if (lvs.lines().map(String::strip).anyMatch(cow::equals)) {
      lvm.runForIo(List.of(lvm.resolveForIo("lvremove").toString(), "-y", vg + "/" + cow));
    }
    CaptureTree.delete(to);
  }
}
