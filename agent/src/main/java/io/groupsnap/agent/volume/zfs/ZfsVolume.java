package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Volume kind {@code zfs}: a ZFS file system captured as a ZFS snapshot.
 *
 * <p>Consistency: crash-consistent on its own, and across volumes: every {@code zfs} volume of one pool that a group
 * snapshot includes is captured by a single {@code zfs snapshot pool/a@gs-<id> pool/b@gs-<id>}, which ZFS commits in
 * one transaction group (see {@link #batchKey}). Nothing is frozen (a ZFS snapshot needs no fsfreeze) and no writer is
 * required; writers add application consistency. Needs root (or {@code zfs allow snapshot,destroy}), the {@code zfs}
 * and {@code zpool} tools (Debian package {@code zfsutils-linux}) and the {@code zfs} kernel module, all checked at
 * every PREPARE together with the dataset (a mounted file system whose mount point is the volume's {@code path}), the
 * pool's health and the space available to the dataset.
 *
 * <p>Options: {@code dataset} ({@code pool/fs/...}); {@code allowDegraded} ({@code true} by default: a DEGRADED pool
 * still holds all its data and a snapshot of it is worth having; {@code false} refuses it at PREPARE, NON_RETRYABLE,
 * since a resilver takes far longer than a retry); {@code timeout} for each ZFS command (default 30s). Pools FAULTED,
 * UNAVAIL, OFFLINE, REMOVED or SUSPENDED are always refused, NON_RETRYABLE; too little space is RETRYABLE.
 *
 * <p>Captures are snapshots named {@code <dataset>@gs-<group snapshot id>}. The capture location is the read-only
 * directory {@code <path>/.zfs/snapshot/gs-<id>} that backup tools read (ZFS mounts it on first access, whatever the
 * dataset's {@code snapdir} setting). {@link #listCaptures} lists the dataset's own snapshots ({@code -d 1}) named that
 * way; {@link #delete} destroys only such a snapshot.
 *
 * <p>Restores clone the capture's snapshot ({@link ZfsClones}) under option {@code restoreParent} (default: the
 * dataset's parent) and mount the clone at the target; no data is copied. In-place restores stage a clone beside the
 * dataset and switch it in by renames and a promote ({@link ZfsInPlace}).
 */
public final class ZfsVolume implements Volume {
  /** The Debian package with the tools. */
  public static final String PACKAGE = "zfsutils-linux";
  static final List<String> TOOLS = List.of("zfs", "zpool");
  /** Below this much space available to the dataset a snapshot may fail for want of room for its metadata. */
  static final long MIN_AVAILABLE = 1L << 20;
  private static final Set<String> REFUSED_HEALTH = Set.of("FAULTED", "UNAVAIL", "OFFLINE", "REMOVED", "SUSPENDED");

  private final String name;
  private final Path path;
  private final String dataset;
  private final boolean allowDegraded;
  private final StorageTools tools;
  private final ZfsClones clones;
  private volatile Map<String, Path> resolved;

  /**
   * @param path the dataset's mount point
   * @param probeRoot where {@code /dev/zfs} and {@code /sys/module/zfs} are looked for ({@code /})
   */
  public ZfsVolume(String name, Path path, String dataset, boolean allowDegraded, Duration timeout,
      CommandRunner commands, Path probeRoot) {
    this(name, path, dataset, allowDegraded, timeout, ZfsNames.defaultRestoreParent(dataset), commands, probeRoot);
  }

  /** @param restoreParent the dataset restores clone captures under (checked with {@link ZfsNames}) */
  public ZfsVolume(String name, Path path, String dataset, boolean allowDegraded, Duration timeout,
      String restoreParent, CommandRunner commands, Path probeRoot) {
    this.name = name;
    this.path = path.toAbsolutePath().normalize();
    this.dataset = dataset;
    this.allowDegraded = allowDegraded;
    this.tools = new StorageTools(commands, PACKAGE, timeout, probeRoot);
    this.clones = new ZfsClones(name, dataset, restoreParent, tools);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "zfs";
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean needsHolder() {
    return false;
  }

  /** Volumes of one pool share a key: {@link #captureBatch} snapshots them all in one command. */
  @Override
  public String batchKey() {
    return "zfs-pool:" + ZfsNames.pool(dataset);
  }

  private Path snapshotDir() {
    return path.resolve(".zfs").resolve("snapshot");
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return snapshotDir().resolve(ZfsNames.snapshotName(groupSnapshotId));
  }

  @Override
  public boolean owns(Path location) {
    return idOf(location) != null;
  }

  private String idOf(Path location) {
    Path l = location.toAbsolutePath().normalize();
    if (!snapshotDir().equals(l.getParent()) || l.getFileName() == null) {
      return null;
    }
    return ZfsNames.idOf(l.getFileName().toString());
  }

  private String fullName(String id) {
    return dataset + "@" + ZfsNames.snapshotName(id);
  }

  @Override
  public void check(Path target) throws VolumeException {
    String id = idOf(target);
    if (id == null) {
      throw new VolumeException("capture path " + target + " is not one of this volume's (" + captureTarget("<id>")
          + ")", false);
    }
    Map<String, Path> t = tools.resolve(TOOLS);
    tools.requireKernel(List.of("/dev/zfs", "/sys/module/zfs"),
        "the ZFS kernel module is not loaded: load the kernel module zfs (modprobe zfs)");
    String problem = ZfsNames.snapshotProblem(dataset, id);
    if (problem != null) {
      throw new VolumeException(problem, false);
    }
    checkDataset(t.get("zfs"));
    checkPool(t.get("zpool"));
    if (snapshots(t.get("zfs").toString()).stream().anyMatch(f -> f.groupSnapshotId().equals(id))) {
      throw new VolumeException("capture " + fullName(id) + " already exists", false);
    }
    resolved = t;
  }

  private void checkDataset(Path zfs) throws VolumeException {
    List<String> argv = List.of(zfs.toString(), "get", "-H", "-p", "-o", "property,value",
        "type,mountpoint,mounted,available", dataset);
    CommandRunner.Result r = tools.runAnyExit(argv);
    if (!r.ok()) {
      boolean missing = r.stderr().contains("does not exist");
      throw new VolumeException((missing ? "dataset " + dataset + " does not exist: " : "")
          + StorageTools.failed(argv, r), !missing);
    }
    Map<String, String> props = ZfsReports.properties(r.stdout(), Set.of("type", "mountpoint", "mounted",
        "available"));
    if (!props.get("type").equals("filesystem")) {
      throw new VolumeException("dataset " + dataset + " is a " + props.get("type") + ", not a file system (a zvol "
          + "has no .zfs/snapshot directory for backup tools)", false);
    }
    if (!props.get("mounted").equals("yes")) {
      throw new VolumeException("dataset " + dataset + " is not mounted", false);
    }
    checkMountpoint(props.get("mountpoint"));
    long available = ZfsReports.number("zfs get", props.get("available"));
    if (available < MIN_AVAILABLE) {
      throw new VolumeException("dataset " + dataset + " has only " + available + " bytes available; a snapshot "
          + "needs room for its metadata", true);
    }
  }

  private void checkMountpoint(String mountpoint) throws VolumeException {
    if (mountpoint.equals("legacy")) {
      // mounted by mount(8): the volume's path must be the root of a ZFS mount, which has a .zfs directory
      if (!Files.isDirectory(snapshotDir(), LinkOption.NOFOLLOW_LINKS)) {
        throw new VolumeException("dataset " + dataset + " has a legacy mount point and " + path + " is not where "
            + "it is mounted (no " + snapshotDir() + ")", false);
      }
      return;
    }
    if (!mountpoint.startsWith("/")) {
      throw new VolumeException("dataset " + dataset + " has mount point '" + mountpoint + "': backup tools could not "
          + "read its snapshots", false);
    }
    Path mp = Path.of(mountpoint).normalize();
    if (!mp.equals(path) && !sameFile(mp, path)) {
      throw new VolumeException("dataset " + dataset + " is mounted at " + mp + ", not at the volume's path " + path,
          false);
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return a.toRealPath().equals(b.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private void checkPool(Path zpool) throws VolumeException {
    String pool = ZfsNames.pool(dataset);
    List<String> argv = List.of(zpool.toString(), "list", "-H", "-p", "-o", "health,free", pool);
    String[] f = ZfsReports.poolStatus(tools.run(argv, true).stdout());
    String health = f[0];
    long free = ZfsReports.number("zpool list", f[1]);
    if (REFUSED_HEALTH.contains(health) || (health.equals("DEGRADED") && !allowDegraded)) {
      throw new VolumeException("pool " + pool + " is " + health + (health.equals("DEGRADED")
          ? " (option allowDegraded is false)" : ""), false);
    }
    if (!health.equals("ONLINE") && !health.equals("DEGRADED")) {
      throw new VolumeException("pool " + pool + " reports an unknown health " + StorageTools.quote(health), false);
    }
    if (free < MIN_AVAILABLE) {
      throw new VolumeException("pool " + pool + " has only " + free + " bytes free", true);
    }
  }

  @Override
  public Frozen freeze() {
    return Frozen.NONE; // a ZFS snapshot is atomic on its own
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    return captureBatch(Map.of(this, target)).get(name);
  }

  /** One {@code zfs snapshot} for every volume given, all of this volume's pool: ZFS makes them at one instant. */
  @Override
  public Map<String, Path> captureBatch(Map<Volume, Path> targets) throws VolumeException {
    Map<String, Path> t = resolved != null ? resolved : tools.resolve(TOOLS);
    Set<String> snapshots = new LinkedHashSet<>();
    Map<String, Path> out = new LinkedHashMap<>();
    for (Map.Entry<Volume, Path> e : targets.entrySet()) {
      if (!(e.getKey() instanceof ZfsVolume z) || !z.batchKey().equals(batchKey())) {
        throw new VolumeException("volume " + e.getKey().name() + " is not a zfs volume of pool "
            + ZfsNames.pool(dataset), false);
      }
      String id = z.idOf(e.getValue());
      if (id == null) {
        throw new VolumeException("capture path " + e.getValue() + " is not one of volume " + z.name + "'s", false);
      }
      snapshots.add(z.fullName(id));
      out.put(z.name, e.getValue().toAbsolutePath().normalize());
    }
    List<String> argv = new ArrayList<>(List.of(t.get("zfs").toString(), "snapshot"));
    argv.addAll(snapshots);
    tools.run(argv, true);
    return out;
  }

  @Override
  public void delete(Path capture) throws IOException {
    String id = idOf(capture);
    if (id == null) {
      throw new IOException("refusing to delete " + capture + ": not a capture of volume " + name + " ("
          + captureTarget("<id>") + ")");
    }
    Path zfs = tools.resolveForIo("zfs");
    if (list(zfs.toString()).stream().noneMatch(f -> f.groupSnapshotId().equals(id))) {
      return; // gone already
    }
    tools.runForIo(List.of(zfs.toString(), "destroy", fullName(id)));
  }

  @Override
  public List<Found> listCaptures() throws IOException {
    return list(tools.resolveForIo("zfs").toString());
  }

  private List<Found> list(String zfs) throws IOException {
    List<String> argv = listArgv(zfs);
    CommandRunner.Result r = tools.runAnyExitForIo(argv);
    if (!r.ok()) {
      if (r.stderr().contains("does not exist")) {
        return List.of(); // the dataset is gone, and its snapshots with it
      }
      throw new IOException(StorageTools.failed(argv, r));
    }
    return ZfsReports.snapshots(r.stdout(), dataset, this::captureTarget);
  }

  /** The same listing at PREPARE, where a failure is a refusal. */
  private List<Found> snapshots(String zfs) throws VolumeException {
    CommandRunner.Result r = tools.run(listArgv(zfs), true);
    try {
      return ZfsReports.snapshots(r.stdout(), dataset, this::captureTarget);
    } catch (IOException e) {
      throw new VolumeException(e.getMessage(), false, e);
    }
  }

  private List<String> listArgv(String zfs) {
    return List.of(zfs, "list", "-H", "-t", "snapshot", "-o", "name,creation", "-p", "-d", "1", dataset);
  }

  /**
   * A clone of the capture's snapshot mounted at the target ({@link ZfsClones}): nothing copied, the blocks shared.
   * Checks the tools, the module, the snapshot, the parent dataset of clones and that no clone for the target exists.
   */
  @Override
  public Restorer restorer(Path capture, Path target) throws VolumeException {
    String id = idOf(capture);
    if (id == null) {
      throw new VolumeException("capture " + capture + " is not one of volume " + name + "'s", false);
    }
    Map<String, Path> t = tools.resolve(TOOLS);
    tools.requireKernel(List.of("/dev/zfs", "/sys/module/zfs"),
        "the ZFS kernel module is not loaded: load the kernel module zfs (modprobe zfs)");
    return clones.restorer(fullName(id), target, t);
  }

  /** The file system captured, {@code pool/fs/...}. */
  public String dataset() {
    return dataset;
  }

  /** The in-place switch of this volume for restore {@code restoreId} ({@link ZfsInPlace}). */
  public ZfsInPlace inPlace(String restoreId) {
    return new ZfsInPlace(name, dataset, restoreId, tools);
  }

  /**
   * How capture {@code capture} is staged for in-place restore {@code restoreId}: a clone beside the dataset, not
   * mounted ({@link ZfsInPlace#stager}). Checks the tools, the module, the dataset, the snapshot and the names; writes
   * nothing.
   *
   * @param restaging the restore is journaled already (a stage a killed agent left): its own clone may exist
   */
  public Restorer inPlaceStager(Path capture, String restoreId, boolean restaging) throws VolumeException {
    String id = idOf(capture);
    if (id == null) {
      throw new VolumeException("capture " + capture + " is not one of volume " + name + "'s", false);
    }
    tools.requireKernel(List.of("/dev/zfs", "/sys/module/zfs"),
        "the ZFS kernel module is not loaded: load the kernel module zfs (modprobe zfs)");
    return inPlace(restoreId).stager(fullName(id), restaging);
  }

  /** Destroys the clone a restore made at {@code target}, if any, then deletes what is left there. */
  @Override
  public void removeRestored(Path target) throws IOException {
    clones.remove(target);
  }

  @Override
  public String toString() {
    return "zfs volume " + name + " (" + dataset + ")";
  }
}
