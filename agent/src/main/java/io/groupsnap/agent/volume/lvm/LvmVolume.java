package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Volume kind {@code lvm}: a logical volume captured as a read-only LVM snapshot.
 *
 * <p>Consistency: crash-consistent on its own. {@code lvcreate --snapshot} has device-mapper suspend the origin, which
 * flushes and freezes the file system on it for the instant the snapshot is made, so the kind never freezes anything
 * itself (an fsfreeze around it would deadlock the suspend) and needs no writer; writers on the volume add application
 * consistency. Needs root, the {@code lvcreate}, {@code lvremove}, {@code lvs} and {@code vgs} tools (Debian package
 * {@code lvm2}) and device-mapper in the kernel ({@code dm_mod}); all checked at every PREPARE, together with the LV
 * and the free space in its volume group (too little is RETRYABLE: the reaper or an operator may free some).
 *
 * <p>Options: {@code vg} and {@code lv} name the logical volume (the volume's {@code path} is where its file system is
 * mounted: the live tree, informational); {@code snapshotSize} the copy-on-write space, e.g. {@code 10%ORIGIN} or
 * {@code 2G} (see {@link LvmSnapshotSize}); an optional {@code timeout} for each LVM command (default 60s).
 *
 * <p>Captures are named {@code <lv>-gs-<group snapshot id>} in the same volume group, created with permission
 * {@code r}. The capture location is the snapshot's device node {@code /dev/<vg>/<lv>-gs-<id>}, which backup tools
 * read as a block device or mount read-only. {@link #listCaptures} lists the LVs of the group whose origin is this LV
 * and whose name follows that scheme, so an unrelated LV never counts as a capture; {@link #delete} removes only such
 * an LV ({@code lvremove -y}).
 *
 * <p>Restores mount a writable device-mapper snapshot of the capture at the target ({@link LvmOverlays}); they also
 * need {@code dmsetup} (with {@code lvm2}) and {@code blkid}, {@code mount}, {@code umount} (util-linux).
 */
public final class LvmVolume implements Volume {
  /** The Debian package with the tools. */
  public static final String PACKAGE = "lvm2";
  static final List<String> TOOLS = List.of("lvcreate", "lvremove", "lvs", "vgs");
  /** What a restore runs besides {@link #TOOLS} and {@link LvmOverlays#TOOLS}. */
  static final List<String> RESTORE_TOOLS = List.of("lvcreate", "lvremove", "lvs", "vgs", "dmsetup");
  private static final DateTimeFormatter LV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

  private final String name;
  private final Path path;
  private final String vg;
  private final String lv;
  private final LvmSnapshotSize size;
  private final StorageTools tools;
  private final LvmOverlays overlays;
  private final CommandRunner commands;
  /** Tools found by the last check, so that the capture spawns nothing but {@code lvcreate}. */
  private volatile Map<String, Path> resolved;

  /**
   * @param probeRoot where {@code /dev/mapper/control} and {@code /sys/module/dm_mod} are looked for ({@code /})
   */
  public LvmVolume(String name, Path path, String vg, String lv, LvmSnapshotSize size, Duration timeout,
      CommandRunner commands, Path probeRoot) {
    this.name = name;
    this.path = path.toAbsolutePath().normalize();
    this.vg = vg;
    this.lv = lv;
    this.size = size;
    this.tools = new StorageTools(commands, PACKAGE, timeout, probeRoot);
    this.commands = commands;
    this.overlays = new LvmOverlays(name, vg, lv, size, tools, new StorageTools(commands, "util-linux", timeout,
        probeRoot));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "lvm";
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean needsHolder() {
    return false;
  }

  private Path groupDir() {
    return Path.of("/dev", vg);
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return groupDir().resolve(LvmNames.snapshotName(lv, groupSnapshotId));
  }

  @Override
  public boolean owns(Path location) {
    return idOf(location) != null;
  }

  /** The group snapshot id of one of this volume's capture locations, or null. */
  private String idOf(Path location) {
    Path l = location.toAbsolutePath().normalize();
    if (!groupDir().equals(l.getParent()) || l.getFileName() == null) {
      return null;
    }
    return LvmNames.idOf(lv, l.getFileName().toString());
  }

  @Override
  public void check(Path target) throws VolumeException {
    String id = idOf(target);
    if (id == null) {
      throw new VolumeException("capture path " + target + " is not one of this volume's (" + captureTarget("<id>")
          + ")", false);
    }
    Map<String, Path> t = tools.resolve(TOOLS);
    tools.requireKernel(List.of("/dev/mapper/control", "/sys/module/dm_mod"),
        "device-mapper is not available: load the kernel module dm_mod (modprobe dm_mod)");
    String snapshot = LvmNames.snapshotName(lv, id);
    String problem = LvmNames.snapshotProblem(vg, snapshot);
    if (problem != null) {
      throw new VolumeException(problem, false);
    }
    LvmReports.Group group = group(t.get("vgs"));
    LvmReports.Lv origin = origin(t.get("lvs"), snapshot);
    long need = size.extentsNeeded(group.extentBytes(), origin.bytes(), group.extents(), group.freeExtents());
    if (need > group.freeExtents()) {
      throw new VolumeException("volume group " + vg + " has " + group.freeExtents() + " free extents ("
          + group.freeExtents() * group.extentBytes() + " bytes), the snapshot (" + size.text() + ") needs " + need
          + " (" + need * group.extentBytes() + " bytes)", true);
    }
    resolved = t;
  }

  /** The volume group's extents, from {@code vgs}. */
  private LvmReports.Group group(Path vgsTool) throws VolumeException {
    CommandRunner.Result vgs = tools.runAnyExit(List.of(vgsTool.toString(), "--noheadings", "--nosuffix",
        "--units", "b", "--separator", "|", "-o", "vg_name,vg_extent_size,vg_extent_count,vg_free_count", vg));
    if (!vgs.ok()) {
      // a missing group stays missing; anything else (a lock held elsewhere) may pass on a later attempt
      boolean missing = vgs.stderr().contains("not found");
      throw new VolumeException((missing ? "volume group " + vg + " does not exist: " : "")
          + StorageTools.failed(List.of(vgsTool.toString()), vgs), !missing);
    }
    return LvmReports.group(vg, vgs.stdout());
  }

  /** The origin LV, from {@code lvs}: it exists, is active, is no snapshot, and has no capture named snapshot yet. */
  private LvmReports.Lv origin(Path lvsTool, String snapshot) throws VolumeException {
    List<LvmReports.Lv> lvs = LvmReports.lvs(tools.run(List.of(lvsTool.toString(), "--noheadings", "--nosuffix",
        "--units", "b", "--separator", "|", "-o", "lv_name,lv_attr,lv_size,origin", vg), true).stdout());
    LvmReports.Lv origin = lvs.stream().filter(l -> l.name().equals(lv)).findFirst().orElseThrow(
        () -> new VolumeException("logical volume " + vg + "/" + lv + " does not exist", false));
    if (origin.isSnapshot()) {
      throw new VolumeException("logical volume " + vg + "/" + lv + " is itself a snapshot (attributes "
          + origin.attr() + "); LVM cannot snapshot it", false);
    }
    if (!origin.isActive()) {
      throw new VolumeException("logical volume " + vg + "/" + lv + " is not active (attributes " + origin.attr()
          + ")", false);
    }
    if (lvs.stream().anyMatch(l -> l.name().equals(snapshot))) {
      throw new VolumeException("capture " + vg + "/" + snapshot + " already exists", false);
    }
    return origin;
  }

  @Override
  public Frozen freeze() {
    return Frozen.NONE; // device-mapper suspends the origin for the snapshot itself
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    String id = idOf(target);
    if (id == null) {
      throw new VolumeException("capture path " + target + " is not one of this volume's", false);
    }
    Map<String, Path> t = resolved != null ? resolved : tools.resolve(TOOLS);
    List<String> argv = new ArrayList<>(List.of(t.get("lvcreate").toString(), "--snapshot", "--permission", "r",
        "--name", LvmNames.snapshotName(lv, id)));
    argv.addAll(size.lvcreateArgs());
    argv.add(vg + "/" + lv);
    // killing lvcreate mid-way could leave the origin suspended: say where to look
    tools.run(argv, true, "; if " + vg + "/" + lv + " stays suspended, see 'dmsetup info "
        + LvmNames.dmName(vg, lv) + "'");
    return target.toAbsolutePath().normalize();
  }

  @Override
  public void delete(Path capture) throws IOException {
    String id = idOf(capture);
    if (id == null) {
      throw new IOException("refusing to delete " + capture + ": not a capture of volume " + name + " ("
          + captureTarget("<id>") + ")");
    }
    String snapshot = LvmNames.snapshotName(lv, id);
    if (list().stream().noneMatch(f -> f.groupSnapshotId().equals(id))) {
      return; // gone already, or not a snapshot of this LV: nothing of ours to remove
    }
    tools.runForIo(List.of(tools.resolveForIo("lvremove").toString(), "-y", vg + "/" + snapshot));
  }

  @Override
  public List<Found> listCaptures() throws IOException {
    return list();
  }

  private List<Found> list() throws IOException {
    String out = tools.runForIo(List.of(tools.resolveForIo("lvs").toString(), "--noheadings", "--separator", "|",
        "-o", "lv_name,lv_time,origin", vg)).stdout();
    List<Found> found = new ArrayList<>();
    int n = 0;
    for (String line : out.split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split("\\|", -1);
      if (f.length != 3) {
        throw new IOException("unexpected lvs output on line " + n + ": " + StorageTools.quote(line)
            + " (expected name|time|origin)");
      }
      String id = LvmNames.idOf(lv, f[0].strip());
      if (id == null || !f[2].strip().equals(lv)) {
        continue; // another LV, or an LV named like ours that is not a snapshot of this one
      }
      found.add(new Found(id, groupDir().resolve(f[0].strip()), lvTime(f[1].strip(), n, line)));
    }
    return found;
  }

  /** LVM's default report time ({@code 2026-11-22 01:05:05 +0000}) or seconds since the epoch, in milliseconds. */
  static long lvTime(String text, int lineNo, String line) throws IOException {
    try {
      if (text.matches("\\d{1,12}")) {
        return Long.parseLong(text) * 1000;
      }
      return OffsetDateTime.parse(text, LV_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IOException("unexpected lvs output on line " + lineNo + ": " + StorageTools.quote(line)
          + " (cannot read the time " + StorageTools.quote(text) + ")");
    }
  }

  /**
   * A writable device-mapper snapshot of the capture mounted at the target ({@link LvmOverlays}): nothing copied.
   * Checks the tools, device-mapper, the capture, the free extents for the copy-on-write space and the file system.
   */
  @Override
  public Restorer restorer(Path capture, Path target) throws VolumeException {
    String id = idOf(capture);
    if (id == null) {
      throw new VolumeException("capture " + capture + " is not one of volume " + name + "'s", false);
    }
    Map<String, Path> t = tools.resolve(RESTORE_TOOLS);
    tools.requireKernel(List.of("/dev/mapper/control", "/sys/module/dm_mod"),
        "device-mapper is not available: load the kernel module dm_mod (modprobe dm_mod)");
    return overlays.restorer(id, target, t);
  }

  /**
   * How capture {@code capture} is staged for in-place restore {@code restoreId}: not at all, the stage only checks
   * that the capture can be merged in place ({@link LvmInPlaceCheck#stager}); writes nothing.
   */
  public Restorer inPlaceStager(Path capture, String restoreId) throws VolumeException {
    String id = idOf(capture);
    if (id == null) {
      throw new VolumeException("capture " + capture + " is not one of volume " + name + "'s", false);
    }
    tools.requireKernel(List.of("/dev/mapper/control", "/sys/module/dm_mod"),
        "device-mapper is not available: load the kernel module dm_mod (modprobe dm_mod)");
    return new LvmInPlaceCheck(name, new LvmInPlace.Spec(vg, lv, size.text(), "", ""), id, restoreId, path, tools,
        new StorageTools(commands, "util-linux", tools.timeout(), Path.of("/"))).stager();
  }

  /** What the journal of an in-place restore keeps of this volume: the LV, its snapshot size, its mount. */
  public LvmInPlace.Spec inPlaceSpec() throws IOException {
    return LvmInPlaceCheck.spec(vg, lv, size, path, commands);
  }

  /** Unmounts and removes what a restore made at {@code target}, if anything, then deletes what is left there. */
  @Override
  public void removeRestored(Path target) throws IOException {
    overlays.remove(target);
  }

  @Override
  public String toString() {
    return "lvm volume " + name + " (" + vg + "/" + lv + ")";
  }
}
