package io.groupsnap.agent.volume.fsfreeze;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.fsfreeze.FsfreezeOptions.Capture;
import io.groupsnap.agent.volume.linux.ErrnoException;
import io.groupsnap.agent.volume.linux.FsIoctl;
import io.groupsnap.agent.volume.linux.Linux;
import io.groupsnap.agent.volume.linux.MountTable;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Volume kind {@code fsfreeze}: a whole mounted file system without snapshots of its own (ext4, XFS, any that
 * supports {@code FIFREEZE}), frozen around its capture.
 *
 * <p>Consistency on its own: with {@code capture: copy} or {@code command}, crash-consistent for the whole file
 * system — {@code FIFREEZE} flushes it and blocks every writer until the thaw, so the capture sees one instant and the
 * volume needs no writer ({@link #needsHolder()} false). {@code capture: reflink} never freezes (see below) and is
 * only as consistent as its writers' hold, like {@code dir}: refused unheld unless {@code allowUnheld: "true"}.
 *
 * <p>Needs root (CAP_SYS_ADMIN for {@code FIFREEZE}, CAP_LINUX_IMMUTABLE to make copies read-only), Linux on x86-64
 * or aarch64 for the ioctls, and {@code fsfreeze} (util-linux) for {@code freezeMethod: tool}. A btrfs mount is
 * refused: a btrfs snapshot blocks on a frozen btrfs — use kind {@code btrfs}.
 *
 * <p>Options: {@code capture} ({@code copy} default, {@code reflink}, {@code command}); {@code freezeMethod}
 * ({@code ioctl} default — one system call — or {@code tool}); {@code command} (an argument list with whole-argument
 * placeholders {@code {volume}} {@code {snapshot}} {@code {path}} {@code {target}}) and {@code commandTimeout}
 * (default 30s) for {@code command}; {@code snapshotDir} and {@code allowUnheld} for {@code reflink}.
 *
 * <p>Why reflink never freezes: cloning ({@code FICLONE}, {@code cp --reflink}) writes to the file system being
 * cloned, and on this project's test host both block on a frozen XFS until the thaw — a clone inside the freeze
 * would wait for the lease to run out. So a reflink capture is taken unfrozen, file by file (each clone is atomic for
 * its file), while the writers hold.
 *
 * <p>Captures: {@code copy} and {@code command} write {@code <snapshotRoot>/<volume>/<group snapshot id>}, which must
 * be on another file system than the frozen one (checked at load and at PREPARE: a copy onto the frozen file system
 * would block); {@code reflink} writes {@code <snapshotDir>/<group snapshot id>} on the same file system (default
 * {@code <mount point>/.groupsnap/<volume>}, left out of the captures themselves). Copies and clones are built under
 * a {@code .partial} name, renamed when complete, and made immutable ({@code chattr +i}: not even root can change
 * them) where the file system supports it; a command's capture is whatever the command leaves at {@code {target}}.
 * {@link #listCaptures()} lists the capture directory, {@link #delete} clears the attribute and removes one capture,
 * never outside that directory and never across a mount point.
 */
public final class FsfreezeVolume implements Volume {
  /** File system types FIFREEZE does not work on (besides btrfs, which is refused for a different reason). */
  static final Set<String> NOT_FREEZABLE = Set.of("tmpfs", "ramfs", "overlay", "proc", "sysfs", "devtmpfs",
      "squashfs", "iso9660", "nfs", "nfs4", "cifs", "smb3", "zfs", "fuse", "fuseblk");
  /** File system types that cannot reflink at all. */
  static final Set<String> NO_REFLINK = Set.of("ext2", "ext3", "ext4");
  static final String DEFAULT_DIR = ".groupsnap";

  private final String name;
  private final Path path;
  private final FsfreezeOptions options;
  private final Path captureDir;
  /**
   * What a copy or clone of the tree leaves out: the capture directory, when it lies inside the volume, and the
   * staged and replaced trees of an in-place restore (kept at the top level of the mount until it is settled).
   */
  private final Predicate<Path> skip;
  private final CommandRunner commands;
  private final FsFreezer freezer;
  private volatile String fsType = "?";
  private volatile Prepared prepared;

  /** The command resolved at PREPARE for one target, so that the freeze window only runs it. */
  private record Prepared(Path target, List<String> argv) {}

  FsfreezeVolume(String name, Path path, Path snapshotRoot, FsfreezeOptions options, CommandRunner commands) {
    this.name = name;
    this.path = path.toAbsolutePath().normalize();
    this.options = options;
    this.commands = commands;
    this.freezer = new FsFreezer(this.path, this.options.freezeMethod(), commands);
    if (this.options.capture() != Capture.REFLINK) {
      this.captureDir = snapshotRoot.toAbsolutePath().normalize().resolve(name);
      this.skip = p -> Captures.setAsideByInPlaceRestore(this.path, p);
    } else {
      Path inside = this.options.snapshotDir() != null ? this.options.snapshotDir() : this.path.resolve(DEFAULT_DIR);
      this.captureDir = this.options.snapshotDir() != null ? inside : inside.resolve(name);
      this.skip = p -> p.equals(inside) || Captures.setAsideByInPlaceRestore(this.path, p);
    }
  }

  /**
   * Everything about this host that can be checked without freezing: the mount, its type, the tools, where captures
   * go. At configuration load and again at every PREPARE.
   */
  void checkHost() throws KindException {
    String problem = mountProblem(path);
    if (problem != null) {
      throw new KindException("path", problem);
    }
    if (options.capture() == Capture.REFLINK) {
      checkReflinkHost();
      return;
    }
    freezer.prepare();
    if (sameFileSystem(captureDir)) {
      throw new KindException("options.capture", "capture location " + captureDir + " is on " + path
          + ", the file system this volume freezes: a " + FsfreezeOptions.lower(options.capture())
          + " capture onto it would block until the lease ran out; put the snapshot root on another file system");
    }
    if (options.capture() == Capture.COMMAND && !Files.isExecutable(options.command().executable())) {
      throw new KindException("options.command",
          "command " + options.command().executable() + " is not an executable file");
    }
  }

  private void checkReflinkHost() throws KindException {
    if (NO_REFLINK.contains(fsType)) {
      throw new KindException("options.capture",
          path + " is " + fsType + ", which cannot reflink (use capture: copy)");
    }
    if (Linux.check() != null) {
      throw new KindException("options.capture", "capture reflink cannot be used here: " + Linux.check());
    }
    if (!sameFileSystem(captureDir)) {
      throw new KindException(options.snapshotDir() != null ? "options.snapshotDir" : "options.capture",
          "snapshotDir " + captureDir + " is not on " + path + ": reflink clones only within one file system");
    }
  }

  /** Why {@code p} cannot be an fsfreeze volume, or null; records its file system type. */
  private String mountProblem(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return p + " does not exist";
    }
    try {
      Path real = p.toRealPath();
      if (!Files.isDirectory(real)) {
        return p + " is not a directory";
      }
      Optional<MountTable.Mount> m = MountTable.at(real);
      if (m.isEmpty()) {
        return p + " is not a mount point" + MountTable.containing(real).map(c -> " (it is inside the "
            + c.fsType() + " file system mounted at " + c.mountPoint() + ")").orElse("")
            + ": fsfreeze freezes a whole file system, so path must be its mount point";
      }
      String type = m.get().fsType();
      fsType = type;
      if (type.equals("btrfs")) {
        return p + " is a btrfs file system: fsfreeze must not be used on btrfs (a btrfs snapshot blocks on a "
            + "frozen btrfs, and needs no freeze); use kind btrfs";
      }
      if (NOT_FREEZABLE.contains(type) || type.startsWith("fuse.")) {
        return p + " is a " + type + " file system, which cannot be frozen";
      }
      return null;
    } catch (IOException e) {
      return p + " cannot be examined: " + e.getMessage();
    }
  }

  /** Whether {@code dir}, or its nearest existing ancestor, is on the file system mounted at {@link #path}. */
  private boolean sameFileSystem(Path dir) throws KindException {
    Path existing = dir;
    while (existing != null && !Files.isDirectory(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing != null && CaptureTree.device(existing) == CaptureTree.device(path);
    } catch (IOException e) {
      throw new KindException("path", "cannot examine " + dir + ": " + e.getMessage());
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "fsfreeze";
  }

  /** The mount point. */
  @Override
  public Path path() {
    return path;
  }

  /** The mount point, except for reflink captures, which never freeze. */
  @Override
  public Path frozenFileSystem() {
    return options.capture() == Capture.REFLINK ? null : path;
  }

  /** Where this volume's captures go. */
  public Path captureDir() {
    return captureDir;
  }

  /** False while captures happen frozen (copy, command); for reflink, true unless {@code allowUnheld}. */
  @Override
  public boolean needsHolder() {
    return options.capture() == Capture.REFLINK && !options.allowUnheld();
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return captureDir.resolve(groupSnapshotId);
  }

  /** Only direct children of the capture directory. */
  @Override
  public boolean owns(Path location) {
    return captureDir.equals(location.toAbsolutePath().normalize().getParent());
  }

  @Override
  public void check(Path target) throws VolumeException {
    try {
      checkHost();
    } catch (KindException e) {
      throw new VolumeException(e.getMessage(), false);
    }
    confine(target);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException("capture " + target + " already exists", false);
    }
    try {
      Captures.createPrivateDirectories(captureDir);
      switch (options.capture()) {
        case COPY -> checkSpace();
        case REFLINK -> probeReflink();
        case COMMAND -> prepared = new Prepared(target, options.command().expand(values(target)));
        default -> throw new IllegalStateException();
      }
    } catch (IOException e) {
      throw new VolumeException("cannot prepare " + captureDir + ": " + e.getMessage(), true, e);
    }
  }

  private void checkSpace() throws IOException, VolumeException {
    long need = CaptureTree.size(path, skip);
    long free = Files.getFileStore(captureDir).getUsableSpace();
    if (need > free) {
      throw new VolumeException("insufficient space for a copy of " + path + ": it needs " + need + " bytes ("
          + (need >> 20) + " MiB), " + free + " bytes (" + (free >> 20) + " MiB) are free under " + captureDir, true);
    }
  }

  /** Clones a one-byte file in the capture directory: proves the file system reflinks before anything is frozen. */
  private void probeReflink() throws IOException, VolumeException {
    Path src = captureDir.resolve(".reflink-probe-" + ProcessHandle.current().pid());
    Path dst = captureDir.resolve(src.getFileName() + ".clone");
    try {
      Files.deleteIfExists(dst);
      Files.write(src, new byte[] {1});
      Files.createFile(dst);
      FsIoctl.clone(src, dst);
    } catch (ErrnoException e) {
      throw new VolumeException(path + " (" + fsType + ") cannot reflink: " + e.getMessage()
          + " (XFS needs reflink=1 at mkfs; or use capture: copy)", false, e);
    } finally {
      Files.deleteIfExists(src);
      Files.deleteIfExists(dst);
    }
  }

  private Map<String, String> values(Path target) {
    return Map.of("volume", name, "snapshot", target.getFileName().toString(), "path", path.toString(),
        "target", target.toString());
  }

  @Override
  public Frozen freeze() throws VolumeException {
    if (options.capture() == Capture.REFLINK) {
      return Frozen.NONE;
    }
    freezer.freeze(fsType);
    AtomicBoolean thawed = new AtomicBoolean();
    return () -> {
      if (thawed.compareAndSet(false, true)) {
        freezer.thaw(false);
      }
    };
  }

  /**
   * FITHAW; harmless when nothing is frozen. Nothing for reflink, which never freezes, nor right after a freeze that
   * failed because someone else had frozen the file system.
   */
  @Override
  public void thawAfterRestart() throws VolumeException {
    if (options.capture() != Capture.REFLINK) {
      freezer.thawAfterRestart();
    }
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    confine(target);
    Path t = target.toAbsolutePath().normalize();
    if (options.capture() == Capture.COMMAND) {
      return runCommand(t);
    }
    Path partial = t.resolveSibling(t.getFileName() + Captures.PARTIAL);
    try {
      CaptureTree.delete(partial);
      CaptureTree.copy(path, partial, options.capture() == Capture.REFLINK ? CaptureTree.Mode.REFLINK
          : CaptureTree.Mode.COPY, skip);
      boolean readOnly = Linux.check() == null && CaptureTree.makeImmutable(partial, false);
      try {
        Files.move(partial, t, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, t);
      }
      if (readOnly) {
        FsIoctl.setImmutable(t, true);
      }
      return t;
    } catch (IOException | RuntimeException e) {
      try {
        CaptureTree.delete(partial);
      } catch (IOException ignored) {
        // the reaper removes .partial leftovers
      }
      throw new VolumeException(FsfreezeOptions.lower(options.capture()) + " of " + path + " failed: "
          + e.getMessage(), true, e);
    }
  }

  private Path runCommand(Path target) throws VolumeException {
    Prepared p = prepared;
    List<String> argv = p != null && p.target().equals(target) ? p.argv() : options.command().expand(values(target));
    CommandRunner.Result r;
    try {
      r = commands.run(argv, options.commandTimeout());
    } catch (IOException e) {
      throw new VolumeException("capture command " + argv.get(0) + " could not start: " + e.getMessage(), true, e);
    }
    if (!r.ok()) {
      throw new VolumeException("capture command " + argv.get(0) + (r.timedOut() ? " timed out after "
          + options.commandTimeout().toSeconds() + "s" : " exited with " + r.exitCode()) + ": " + r.lastLine(), true);
    }
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException("capture command " + argv.get(0) + " succeeded but left nothing at " + target
          + " ({target})", true);
    }
    return target;
  }

  @Override
  public void delete(Path capture) throws IOException {
    Path c = capture.toAbsolutePath().normalize();
    if (!owns(c)) {
      throw new IOException("refusing to delete " + c + ": not in " + captureDir + ", volume " + name
          + "'s capture directory");
    }
    CaptureTree.delete(c);
    if (!c.getFileName().toString().endsWith(Captures.PARTIAL)) {
      CaptureTree.delete(c.resolveSibling(c.getFileName() + Captures.PARTIAL));
    }
  }

  @Override
  public List<Found> listCaptures() throws IOException {
    return Captures.listDirectory(captureDir).stream()
        .filter(f -> !f.location().getFileName().toString().startsWith(".")).toList();
  }

  private void confine(Path target) throws VolumeException {
    if (!owns(target)) {
      throw new VolumeException("capture path " + target + " is not directly in " + captureDir
          + ", this volume's capture directory", false);
    }
  }
}
