package io.groupsnap.agent.volume.dir;

import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Volume kind {@code dir}: a plain directory, captured by copying it under the snapshot root while its writers hold.
 *
 * <p>Consistency: exactly as good as the writers' hold. The copy is taken file by file, so a process that is not a
 * registered writer and keeps writing during the capture can tear it: a {@code dir} volume that no writer covers is
 * refused at PREPARE unless its option {@code allowUnheld: "true"} declares that nothing writes to it during snapshots.
 * With {@code linkReadOnly: "true"}, files nobody may write are hard-linked instead of copied (cheap; only for trees
 * whose files are never changed in place, such as content-addressed stores), falling back to a copy across file
 * systems. Symbolic links are copied as links, never followed, so a capture never reaches outside the volume; capture
 * directories are private to the agent's user. Needs no privileges.
 *
 * <p>A capture is written to {@code target.partial} and renamed into place when complete, so a crash leaves either a
 * whole capture or a {@code .partial} directory that the reaper recognises.
 */
public final class DirVolume implements Volume {
  private final String name;
  private final Path path;
  private final Path snapshotRoot;
  private final boolean allowUnheld;
  private final boolean linkReadOnly;

  /**
   * @param snapshotRoot the only tree {@link #capture} and {@link #delete} may write in
   */
  public DirVolume(String name, Path path, Path snapshotRoot) {
    this(name, path, snapshotRoot, false, false);
  }

  public DirVolume(String name, Path path, Path snapshotRoot, boolean allowUnheld, boolean linkReadOnly) {
    this.name = name;
    this.path = path.toAbsolutePath().normalize();
    this.snapshotRoot = snapshotRoot.toAbsolutePath().normalize();
    this.allowUnheld = allowUnheld;
    this.linkReadOnly = linkReadOnly;
  }

  @Override
  public boolean needsHolder() {
    return !allowUnheld;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "dir";
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return snapshotRoot.resolve(name).resolve(groupSnapshotId);
  }

  @Override
  public boolean owns(Path location) {
    return Captures.isChildOf(snapshotRoot.resolve(name), location);
  }

  @Override
  public java.util.List<Found> listCaptures() throws IOException {
    return Captures.listDirectory(snapshotRoot.resolve(name));
  }

  @Override
  public void check(Path target) throws VolumeException {
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException("path " + path + " is not a directory", false);
    }
    if (!Files.isReadable(path)) {
      throw new VolumeException("path " + path + " is not readable", false);
    }
    confine(target);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException("capture " + target + " already exists", false);
    }
    try {
      Captures.createPrivateDirectories(target.getParent());
      long need = sizeOf(path);
      long free = Files.getFileStore(target.getParent()).getUsableSpace();
      if (need > free) {
        throw new VolumeException("insufficient space: capture needs " + need + " bytes, " + free + " free under "
            + target.getParent(), true);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new VolumeException("cannot check " + path + ": " + e.getMessage(), true, e);
    }
  }

  @Override
  public Frozen freeze() {
    return Frozen.NONE;
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    confine(target);
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try {
      Captures.deleteTree(partial);
      Captures.createPrivateDirectories(partial.getParent());
      copyTree(path, partial, linkReadOnly);
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, target);
      }
      return target;
    } catch (IOException | UncheckedIOException e) {
      try {
        Captures.deleteTree(partial);
      } catch (IOException ignored) {
        // the reaper removes .partial leftovers
      }
      throw new VolumeException("capture of " + path + " failed: " + e.getMessage(), true, e);
    }
  }

  @Override
  public void delete(Path capture) throws IOException {
    try {
      confine(capture);
    } catch (VolumeException e) {
      throw new IOException(e.getMessage(), e);
    }
    Captures.deleteTree(capture);
    Captures.deleteTree(capture.resolveSibling(capture.getFileName() + ".partial"));
  }

  private void confine(Path target) throws VolumeException {
    if (!owns(target)) {
      throw new VolumeException("capture path " + target + " is outside " + snapshotRoot.resolve(name)
          + ", this volume's part of the snapshot root", false);
    }
  }

  private static void copyTree(Path from, Path to, boolean linkReadOnly) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Path dest = to.resolve(from.relativize(dir).toString());
        Files.createDirectories(dest);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path dest = to.resolve(from.relativize(file).toString());
        if (attrs.isSymbolicLink()) {
          Files.createSymbolicLink(dest, Files.readSymbolicLink(file));
        } else if (attrs.isRegularFile() && linkReadOnly && isReadOnly(file) && link(dest, file)) {
          return FileVisitResult.CONTINUE;
        } else if (attrs.isRegularFile()) {
          Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static boolean link(Path dest, Path file) {
    try {
      Files.createLink(dest, file);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false; // another file system (EXDEV) or no hard links: copy instead
    }
  }

  private static boolean isReadOnly(Path file) {
    try {
      return !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).stream()
          .anyMatch(p -> p.name().endsWith("_WRITE"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  static long sizeOf(Path dir) throws IOException {
    AtomicLong total = new AtomicLong();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          total.addAndGet(attrs.size());
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return total.get();
  }
}
