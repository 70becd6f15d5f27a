package io.groupsnap.agent.volume.btrfs;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.linux.BtrfsIoctl;
import io.groupsnap.agent.volume.linux.ErrnoException;
import io.groupsnap.agent.volume.linux.Linux;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Volume kind {@code btrfs}: a btrfs subvolume, captured as a read-only snapshot on the same file system.
 *
 * <p>Consistency on its own: crash-consistent. A btrfs snapshot is atomic — the subvolume as a power cut at that
 * instant would have left it — so the volume needs no writer ({@link #needsHolder()} is false) and is never frozen:
 * fsfreeze must not be combined with it, since a btrfs snapshot blocks on a frozen btrfs until the thaw. Writers that
 * hold their applications make it application-consistent.
 *
 * <p>Needs: root (CAP_SYS_ADMIN, to snapshot and delete subvolumes), Linux on x86-64 or aarch64 for the default
 * {@code ioctl} method, or the {@code btrfs} tool for {@code snapshotMethod: tool}.
 *
 * <p>Options:
 * <ul>
 *   <li>{@code snapshotDir} — where the snapshots go, an absolute path on the same btrfs (a directory or a
 *       subvolume; created at PREPARE if missing). Default: {@code <mount point>/.groupsnap/<volume>}.
 *   <li>{@code snapshotMethod} — {@code ioctl} (default: {@code BTRFS_IOC_SNAP_CREATE_V2}, one system call inside the
 *       freeze window) or {@code tool} ({@code btrfs subvolume snapshot -r}, a process spawn).
 *   <li>{@code minFreePercent} — PREPARE refuses (RETRYABLE) while less than this share of the file system is free
 *       (default 5): a snapshot costs little at first but every later write to either side needs new space.
 * </ul>
 *
 * <p>Captures: the read-only subvolume {@code <snapshotDir>/<group snapshot id>}; even root cannot write into it.
 * Backup tools read it in place (or {@code btrfs send} it). {@link #listCaptures()} lists the subvolumes in the
 * snapshot directory; {@link #delete} removes one ({@code BTRFS_IOC_SNAP_DESTROY}); nothing outside the snapshot
 * directory is ever touched.
 */
public final class BtrfsVolume implements Volume {
  /** How the snapshot is taken. */
  public enum Method {
    IOCTL, TOOL
  }

  static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Path path;
  private final Path snapshotDir;
  private final Method method;
  private final int minFreePercent;
  private final CommandRunner commands;
  /** The {@code btrfs} executable, resolved at PREPARE for the tool method. */
  private volatile Path tool;

  public BtrfsVolume(String name, Path path, Path snapshotDir, Method method, int minFreePercent,
      CommandRunner commands) {
    this.name = name;
    this.path = path.toAbsolutePath().normalize();
    this.snapshotDir = snapshotDir.toAbsolutePath().normalize();
    this.method = method;
    this.minFreePercent = minFreePercent;
    this.commands = commands;
  }

  /** Why {@code p} is not a btrfs subvolume, or null when it is. */
  static String subvolumeProblem(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return p + " does not exist";
    }
    if (!Files.isDirectory(p)) {
      return p + " is not a directory";
    }
    try {
      String type = Files.getFileStore(p).type();
      if (!type.equals("btrfs")) {
        return p + " is on " + type + ", not btrfs (kind btrfs snapshots btrfs subvolumes; use kind fsfreeze for "
            + type + ")";
      }
      long ino = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
      if (ino != BtrfsIoctl.SUBVOLUME_ROOT_INODE) {
        return p + " is a directory on btrfs but not a subvolume (make it one with: btrfs subvolume create)";
      }
      return null;
    } catch (IOException e) {
      return p + " cannot be examined: " + e.getMessage();
    }
  }

  /** Why {@code dir} (or its nearest existing ancestor) is not on the same btrfs as {@code p}, or null. */
  static String notOnSameBtrfs(Path p, Path dir) {
    Path existing = dir;
    while (existing != null && !Files.isDirectory(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return "snapshot directory " + dir + " has no existing parent";
    }
    try {
      String type = Files.getFileStore(existing).type();
      if (!type.equals("btrfs")) {
        return "snapshot directory " + dir + " is on " + type + ": it must be on the same btrfs as " + p;
      }
      if (Linux.check() != null) {
        return null; // the UUID cannot be read here; the snapshot itself fails with EXDEV if it is another btrfs
      }
      String a = BtrfsIoctl.fsid(p);
      String b = BtrfsIoctl.fsid(existing);
      return a.equals(b) ? null : "snapshot directory " + dir + " is on another btrfs (" + b + ") than " + p + " ("
          + a + "): a snapshot can only be taken within one file system";
    } catch (IOException e) {
      return "snapshot directory " + dir + " cannot be examined: " + e.getMessage();
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "btrfs";
  }

  @Override
  public Path path() {
    return path;
  }

  /** Where the snapshots go. */
  public Path snapshotDir() {
    return snapshotDir;
  }

  public Method method() {
    return method;
  }

  /** False: a btrfs snapshot is atomic on its own (crash-consistent without any writer). */
  @Override
  public boolean needsHolder() {
    return false;
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return snapshotDir.resolve(groupSnapshotId);
  }

  /** Only direct children of the snapshot directory. */
  @Override
  public boolean owns(Path location) {
    Path l = location.toAbsolutePath().normalize();
    return snapshotDir.equals(l.getParent());
  }

  @Override
  public void check(Path target) throws VolumeException {
    String problem = subvolumeProblem(path);
    if (problem != null) {
      throw new VolumeException(problem, false);
    }
    confine(target);
    if (method == Method.IOCTL && Linux.check() != null) {
      throw new VolumeException("snapshotMethod ioctl cannot be used here: " + Linux.check(), false);
    }
    if (method == Method.TOOL) {
      Optional<Path> t = commands.which("btrfs");
      if (t.isEmpty()) {
        throw new VolumeException("the btrfs program is not installed (snapshotMethod: tool)", false);
      }
      tool = t.get();
    }
    String elsewhere = notOnSameBtrfs(path, snapshotDir);
    if (elsewhere != null) {
      throw new VolumeException(elsewhere, false);
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException("capture " + target + " already exists", false);
    }
    try {
      Captures.createPrivateDirectories(snapshotDir);
      checkSpace();
    } catch (IOException e) {
      throw new VolumeException("cannot prepare " + snapshotDir + ": " + e.getMessage(), true, e);
    }
  }

  private void checkSpace() throws IOException, VolumeException {
    FileStore store = Files.getFileStore(path);
    long total = store.getTotalSpace();
    long free = store.getUsableSpace();
    if (total > 0 && free * 100 < (long) minFreePercent * total) {
      throw new VolumeException(String.format(Locale.ROOT,
          "btrfs at %s is nearly full: %d MiB free of %d MiB (%.1f%%), below minFreePercent %d%%", path,
          free >> 20, total >> 20, free * 100.0 / total, minFreePercent), true);
    }
  }

  /** Nothing: fsfreeze would make the snapshot block until the thaw. */
  @Override
  public Frozen freeze() {
    return Frozen.NONE;
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    confine(target);
    Path t = target.toAbsolutePath().normalize();
    if (method == Method.IOCTL) {
      try {
        BtrfsIoctl.snapshot(path, snapshotDir, t.getFileName().toString(), true);
      } catch (ErrnoException e) {
        throw new VolumeException("snapshot of " + path + " failed: " + e.getMessage(), true, e);
      }
      return t;
    }
    Path btrfs = tool != null ? tool : Path.of("btrfs");
    try {
      CommandRunner.Result r = commands.run(List.of(btrfs.toString(), "subvolume", "snapshot", "-r", path.toString(),
          t.toString()), TOOL_TIMEOUT);
      if (!r.ok()) {
        throw new VolumeException("btrfs subvolume snapshot of " + path + " failed: " + r.lastLine(), true);
      }
    } catch (IOException e) {
      throw new VolumeException("btrfs subvolume snapshot of " + path + " failed: " + e.getMessage(), true, e);
    }
    return t;
  }

  @Override
  public void delete(Path capture) throws IOException {
    Path c = capture.toAbsolutePath().normalize();
    if (!owns(c)) {
      throw new IOException("refusing to delete " + c + ": not in " + snapshotDir + ", volume " + name
          + "'s snapshot directory");
    }
    if (!Files.exists(c, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSubvolume(c)) {
      throw new IOException("refusing to delete " + c + ": not a btrfs subvolume, so not a capture of volume " + name);
    }
    deleteSubvolume(c, tool != null ? tool : commands.which("btrfs").orElse(Path.of("btrfs")), commands);
  }

  /** Whether {@code p} is the root of a btrfs subvolume (a directory, not followed through a link). */
  public static boolean isSubvolumeOnBtrfs(Path p) throws IOException {
    return isSubvolume(p) && Files.getFileStore(p).type().equals("btrfs");
  }

  /**
   * Deletes the subvolume {@code subvolume} at once, whatever it holds ({@code BTRFS_IOC_SNAP_DESTROY}, or
   * {@code btrfs subvolume delete} as an argument list where the ioctl cannot be used): how captures go, and how the
   * subvolumes an in-place restore staged or set aside go. A subvolume nested inside it makes it fail.
   *
   * @param btrfs the {@code btrfs} program, used only without the ioctl
   */
  public static void deleteSubvolume(Path subvolume, Path btrfs, CommandRunner commands) throws IOException {
    Path c = subvolume.toAbsolutePath().normalize();
    if (Linux.check() == null) {
      BtrfsIoctl.destroy(c.getParent(), c.getFileName().toString());
      return;
    }
    CommandRunner.Result r = commands.run(List.of(btrfs.toString(), "subvolume", "delete", c.toString()), TOOL_TIMEOUT);
    if (!r.ok()) {
      throw new IOException("btrfs subvolume delete " + c + " failed: " + r.lastLine());
    }
  }

  /**
   * A writable snapshot of the read-only capture when the target's directory is on the same btrfs (no data written:
   * nothing needed but metadata), else a copy ({@link Volume#restorer}).
   */
  @Override
  public Restorer restorer(Path capture, Path target) throws VolumeException {
    Path c = capture.toAbsolutePath().normalize();
    Restorer copy = Volume.super.restorer(c, target);
    if (notOnSameBtrfs(c, target.getParent()) != null || insideLive(target.getParent())) {
      return copy;
    }
    return new Restorer() {
      @Override
      public String method() {
        return "btrfs-snapshot";
      }

      @Override
      public long bytesNeeded() {
        return 0;
      }

      @Override
      public long bytes() {
        return copy.bytes();
      }

      @Override
      public String materialize(Path t) throws VolumeException {
        writableSnapshot(c, t.toAbsolutePath().normalize());
        return method();
      }
    };
  }

  /**
   * Whether {@code dir} lies inside this volume's live data (an in-place restore of a volume that is a mount point
   * stages there): a snapshot made there would be a subvolume of its own, and entries cannot be renamed out of one
   * subvolume into another, so the capture is copied (cloned) instead.
   */
  private boolean insideLive(Path dir) {
    return dir.toAbsolutePath().normalize().startsWith(path);
  }

  private void writableSnapshot(Path capture, Path t) throws VolumeException {
    if (Linux.check() == null) {
      try {
        BtrfsIoctl.snapshot(capture, t.getParent(), t.getFileName().toString(), false);
        return;
      } catch (ErrnoException e) {
        throw new VolumeException("writable snapshot of " + capture + " at " + t + " failed: " + e.getMessage(),
            true, e);
      }
    }
    Path btrfs = commands.which("btrfs").orElse(Path.of("btrfs"));
    try {
      CommandRunner.Result r = commands.run(List.of(btrfs.toString(), "subvolume", "snapshot", capture.toString(),
          t.toString()), TOOL_TIMEOUT);
      if (!r.ok()) {
        throw new VolumeException("btrfs subvolume snapshot of " + capture + " failed: " + r.lastLine(), true);
      }
    } catch (IOException e) {
      throw new VolumeException("btrfs subvolume snapshot of " + capture + " failed: " + e.getMessage(), true, e);
    }
  }

  /** The subvolumes in the snapshot directory (anything else there was not made by this volume). */
  @Override
  public List<Found> listCaptures() throws IOException {
    List<Found> out = new ArrayList<>();
    if (!Files.isDirectory(snapshotDir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(snapshotDir)) {
      for (Path p : entries) {
        try {
          if (isSubvolume(p)) {
            out.add(new Found(p.getFileName().toString(), p,
                Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()));
          }
        } catch (IOException e) {
          // deleted meanwhile
        }
      }
    }
    return out;
  }

  private static boolean isSubvolume(Path p) throws IOException {
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
        && ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue()
            == BtrfsIoctl.SUBVOLUME_ROOT_INODE;
  }

  private void confine(Path target) throws VolumeException {
    if (!owns(target)) {
      throw new VolumeException("capture path " + target + " is not directly in " + snapshotDir
          + ", this volume's snapshot directory", false);
    }
  }
}
