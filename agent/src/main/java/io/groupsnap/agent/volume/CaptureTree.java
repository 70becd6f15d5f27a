package io.groupsnap.agent.volume;

import io.groupsnap.agent.volume.linux.ErrnoException;
import io.groupsnap.agent.volume.linux.FsIoctl;
import io.groupsnap.agent.volume.linux.Linux;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Copies of a file tree made as captures, their read-only marking, and their removal.
 *
 * <p>A copy takes directories, regular files (contents, mode, owner, times) and symbolic links (as links, never
 * followed); it skips other special files (sockets, FIFOs, devices) and does not descend into other file systems
 * mounted inside the tree. Hard links become separate files; extended attributes and ACLs are not copied.
 *
 * <p>Read-only means the immutable attribute ({@code chattr +i}): unlike permission bits it stops root too, so a
 * backup tool running as root cannot change a capture by mistake. Removal clears it first. Not thread-safe per tree.
 */
public final class CaptureTree {
  /** How regular files are reproduced. */
  public enum Mode {
    /** Byte for byte, onto any file system. */
    COPY,
    /** As copy-on-write clones sharing the original's extents ({@code FICLONE}): same file system only. */
    REFLINK
  }

  private CaptureTree() {}

  /**
   * Reproduces {@code from} at {@code to}, which must not exist.
   *
   * @param skip which directories inside {@code from} are left out (a capture directory inside the volume, the trees
   *     an in-place restore keeps there), or null
   */
  public static void copy(Path from, Path to, Mode mode, Predicate<Path> skip) throws IOException {
    long device = device(from);
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if ((skip != null && skip.test(dir)) || device(dir) != device) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectory(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path dest = to.resolve(from.relativize(file).toString());
        if (attrs.isSymbolicLink()) {
          Files.createSymbolicLink(dest, Files.readSymbolicLink(file));
          copyOwner(file, dest);
        } else if (attrs.isRegularFile() && mode == Mode.COPY) {
          Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } else if (attrs.isRegularFile()) {
          Files.createFile(dest);
          FsIoctl.clone(file, dest);
          copyMetadata(file, dest);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        copyMetadata(dir, to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Marks every regular file and directory below {@code root} immutable, deepest first, and {@code root} itself when
   * {@code includeRoot}.
   *
   * @return false (and nothing marked) when the file system does not support the attribute
   */
  public static boolean makeImmutable(Path root, boolean includeRoot) throws IOException {
    boolean[] supported = {true};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile() && !FsIoctl.setImmutable(file, true)) {
          supported[0] = false;
          return FileVisitResult.TERMINATE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        if ((includeRoot || !dir.equals(root)) && !FsIoctl.setImmutable(dir, true)) {
          supported[0] = false;
          return FileVisitResult.TERMINATE;
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return supported[0];
  }

  /**
   * Deletes a capture tree (a missing one is fine): clears immutable attributes on the way down, never follows a
   * symbolic link, and refuses to enter another file system mounted inside it. An entry that another deleter removed
   * meanwhile (the reaper and a deletion of the same group snapshot) counts as deleted: both end with the tree gone.
   */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isSymbolicLink(root)) {
      Files.delete(root);
      return;
    }
    long device;
    try {
      device = device(root);
    } catch (NoSuchFileException gone) {
      return;
    }
    deleteWalk(root, dir -> {
      if (device(dir) != device) {
        throw new IOException(dir + " is a mount point inside capture " + root + ": unmount it first");
      }
      mutable(dir);
    }, CaptureTree::mutable);
  }

  /** What a tree deletion does to an entry before deleting it (a directory before its contents). */
  @FunctionalInterface
  interface BeforeDelete {
    void on(Path p) throws IOException;
  }

  /**
   * Deletes the tree at {@code root} depth first, never following a symbolic link, running {@code beforeDir} and
   * {@code beforeFile} (regular files only) first. An entry another deleter removed meanwhile counts as deleted.
   */
  static void deleteWalk(Path root, BeforeDelete beforeDir, BeforeDelete beforeFile) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        try {
          beforeDir.on(dir);
        } catch (NoSuchFileException gone) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        try {
          if (attrs.isRegularFile()) {
            beforeFile.on(file);
          }
          Files.deleteIfExists(file);
        } catch (NoSuchFileException gone) {
          // deleted meanwhile by another deleter
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Total size of the regular files a {@link #copy} would take. */
  public static long size(Path root, Predicate<Path> skip) throws IOException {
    long device = device(root);
    AtomicLong total = new AtomicLong();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        return (skip != null && skip.test(dir)) || device(dir) != device ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          total.addAndGet(attrs.size());
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE; // vanished while walking: the copy will not need room for it
      }
    });
    return total.get();
  }

  /** The device number of the file system {@code p} is on (without following a last symbolic link). */
  public static long device(Path p) throws IOException {
    return ((Number) Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
  }

  private static final int ENOENT = 2;

  private static void mutable(Path p) throws IOException {
    if (Linux.check() != null) {
      return; // no way to set the attribute here, so none was set
    }
    try {
      FsIoctl.setImmutable(p, false);
    } catch (ErrnoException e) {
      if (e.errno() == ENOENT) {
        throw new NoSuchFileException(p.toString());
      }
      throw new IOException("cannot make " + p + " writable to delete it: " + e.getMessage(), e);
    }
  }

  private static void copyMetadata(Path source, Path dest) throws IOException {
    PosixFileAttributes a = Files.readAttributes(source, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    copyOwner(source, dest);
    Files.setPosixFilePermissions(dest, a.permissions());
    Files.getFileAttributeView(dest, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(a.lastModifiedTime(), a.lastAccessTime(), null);
  }

  private static void copyOwner(Path source, Path dest) throws IOException {
    Object uid = Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    Object gid = Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    try {
      Files.setAttribute(dest, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(dest, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | UnsupportedOperationException e) {
      // not root: the capture belongs to the agent's user, which is all a backup tool needs
    }
  }
}
