package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The stage of an in-place restore of an {@code lvm} volume ({@link LvmInPlace}): checks only, nothing written, so that
 * what cannot be merged safely is refused before the restore is journaled, in one line naming the volume.
 */
final class LvmInPlaceCheck {
  private final String volume;
  private final LvmInPlace.Spec spec;
  private final String capture;
  private final String aside;
  private final Path live;
  private final StorageTools lvm;
  private final StorageTools util;
  private final LvmLiveReports reports;

  LvmInPlaceCheck(String volume, LvmInPlace.Spec spec, String groupSnapshotId, String restoreId, Path live,
      StorageTools lvm, StorageTools util) {
    this.volume = volume;
    this.spec = spec;
    this.capture = LvmNames.snapshotName(spec.lv(), groupSnapshotId);
    this.aside = LvmNames.inPlaceAside(spec.lv(), restoreId);
    this.live = live;
    this.lvm = lvm;
    this.util = util;
    this.reports = new LvmLiveReports(spec.vg(), spec.lv(), live, lvm, util);
  }

  private String capture() {
    return spec.vg() + "/" + capture;
  }

  private String aside() {
    return spec.vg() + "/" + aside;
  }


  /**
   * Checks, writing nothing, that the capture can be merged in place: the live path is where the LV is mounted; the
   * capture is a snapshot of the LV and valid (its copy-on-write space never filled: not invalid, below 100%); nothing
   * merges into the LV; the aside's name is free and fits LVM's limits; the group has the free extents for the aside
   * ({@code 100%ORIGIN}) and for re-creating the capture with the volume's snapshot size.
   *
   * @return how the stage is made: nothing to write ({@link Restorer#materialize} does nothing)
   */
  Restorer stager() throws VolumeException {
    String problem = LvmNames.snapshotProblem(spec.vg(), aside);
    if (problem != null) {
      throw refused("aside " + problem);
    }
    Map<String, Path> t = lvm.resolve(LvmInPlace.TOOLS);
    util.resolve(LvmInPlace.MOUNT_TOOLS);
    String[] mount;
    try {
      mount = reports.mountAt();
    } catch (IOException e) {
      throw new VolumeException(e.getMessage(), true, e);
    }
    if (mount == null) {
      throw refused(live + " is not where " + spec.vg() + "/" + spec.lv() + " is mounted (nothing is mounted there)");
    }
    if (!reports.isLv(mount[0])) {
      throw refused(live + " is where " + StorageTools.quote(mount[0]) + " is mounted, not " + spec.vg() + "/"
          + spec.lv());
    }
    Map<String, LvmLiveReports.Row> rows;
    try {
      rows = reports.rows();
    } catch (IOException e) {
      throw new VolumeException(e.getMessage(), true, e);
    }
    LvmLiveReports.Row o = rows.get(spec.lv());
    LvmLiveReports.Row c = rows.get(capture);
    if (o == null) {
      throw refused("logical volume " + spec.vg() + "/" + spec.lv() + " does not exist");
    }
    if (c == null || !c.origin().equals(spec.lv())) {
      throw new VolumeException("capture " + capture() + " of volume " + volume + " is gone", false);
    }
    if (c.invalid()) {
      throw refused("capture " + capture() + " is invalid (its copy-on-write space filled up, so it no longer holds "
          + "the cut); it cannot be restored");
    }
    for (LvmLiveReports.Row r : rows.values()) {
      if (r.merging() && (r.name().equals(spec.lv()) || r.origin().equals(spec.lv()))) {
        throw refused("logical volume " + spec.vg() + "/" + spec.lv() + " is merging a snapshot (" + r.name()
            + "); wait until lvs shows no merge");
      }
    }
    if (rows.containsKey(aside)) {
      throw refused("logical volume " + aside() + " already exists (left by an earlier restore with this id?); "
          + "remove it first");
    }
    LvmReports.Group g = LvmReports.group(spec.vg(), lvm.run(List.of(t.get("vgs").toString(), "--noheadings",
        "--nosuffix", "--units", "b", "--separator", "|", "-o", "vg_name,vg_extent_size,vg_extent_count,"
            + "vg_free_count", spec.vg()), true).stdout());
    long asideExtents = LvmSnapshotSize.parse("100%ORIGIN").extentsNeeded(g.extentBytes(), o.bytes(), g.extents(),
        g.freeExtents());
    long captureExtents = (c.bytes() + g.extentBytes() - 1) / g.extentBytes(); // freed by the merge
    long again = LvmSnapshotSize.parse(spec.snapshotSize()).extentsNeeded(g.extentBytes(), o.bytes(), g.extents(),
        Math.max(0, g.freeExtents() - asideExtents + captureExtents));
    long need = asideExtents + Math.max(0, again - captureExtents);
    if (need > g.freeExtents()) {
      throw refused("volume group " + spec.vg() + " has " + g.freeExtents() + " free extents, the aside snapshot of "
          + spec.vg() + "/" + spec.lv() + " (100%ORIGIN, so that it never fills up) and the re-created capture need "
          + need + " (" + need * g.extentBytes() + " bytes)");
    }
    long bytes = o.bytes();
    return new Restorer() {
      @Override
      public String method() {
        return "lvm-merge";
      }

      @Override
      public long bytesNeeded() {
        return 0; // the aside's extents come from the volume group, checked above
      }

      @Override
      public long bytes() {
        return bytes;
      }

      @Override
      public boolean atTarget() {
        return true;
      }

      @Override
      public String materialize(Path ignored) {
        return method(); // nothing is staged: the capture is merged at the switch
      }
    };
  }

  /** The file system type and mount options at the live path, for the journal; refused when it is not the LV's. */
  static LvmInPlace.Spec spec(String vg, String lv, LvmSnapshotSize size, Path live, CommandRunner commands)
      throws IOException {
    LvmLiveReports r = new LvmLiveReports(vg, lv, live, null, new StorageTools(commands, "util-linux",
        LvmInPlace.TIMEOUT, Path.of("/")));
    String[] m = r.mountAt();
    if (m == null || !r.isLv(m[0])) {
      throw new IOException(vg + "/" + lv + " is not mounted at " + live);
    }
    return new LvmInPlace.Spec(vg, lv, size.text(), m[1], m[2]);
  }

  private VolumeException refused(String why) {
    return new VolumeException("cannot be restored in place: " + why, false);
  }
}
