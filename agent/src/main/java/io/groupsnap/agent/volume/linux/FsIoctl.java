package io.groupsnap.agent.volume.linux;

import com.sun.jna.Memory;
import java.nio.file.Path;

/**
 * File system ioctls every Linux file system may support: freeze and thaw ({@code FIFREEZE}/{@code FITHAW}, what
 * {@code fsfreeze} does), copy-on-write clone of a file ({@code FICLONE}, what {@code cp --reflink} does), and the
 * immutable attribute ({@code FS_IOC_SETFLAGS}, what {@code chattr +i} does).
 */
public final class FsIoctl {
  static final long FIFREEZE = Linux.ioc(Linux.IOC_READ | Linux.IOC_WRITE, 'X', 119, 4);
  static final long FITHAW = Linux.ioc(Linux.IOC_READ | Linux.IOC_WRITE, 'X', 120, 4);
  static final long FICLONE = Linux.ioc(Linux.IOC_WRITE, 0x94, 9, 4);
  static final long FS_IOC_GETFLAGS = Linux.ioc(Linux.IOC_READ, 'f', 1, 8);
  static final long FS_IOC_SETFLAGS = Linux.ioc(Linux.IOC_WRITE, 'f', 2, 8);
  static final int FS_IMMUTABLE_FL = 0x10;

  private FsIoctl() {}

  /**
   * Freezes the file system mounted at {@code mountPoint}: writers block until {@link #thaw}. Fails with EBUSY when it
   * is frozen already, EOPNOTSUPP when the file system cannot be frozen; needs CAP_SYS_ADMIN.
   */
  public static void freeze(Path mountPoint) throws ErrnoException {
    int fd = Linux.openReadOnly(mountPoint);
    try {
      Linux.ioctl(fd, FIFREEZE, 0L, "FIFREEZE " + mountPoint);
    } finally {
      Linux.close(fd);
    }
  }

  /** Thaws the file system mounted at {@code mountPoint}; EINVAL when it was not frozen. */
  public static void thaw(Path mountPoint) throws ErrnoException {
    int fd = Linux.openReadOnly(mountPoint);
    try {
      Linux.ioctl(fd, FITHAW, 0L, "FITHAW " + mountPoint);
    } finally {
      Linux.close(fd);
    }
  }

  /**
   * Makes the existing, empty file {@code dest} share the extents of {@code source} (same file system only; EXDEV
   * otherwise, EOPNOTSUPP where the file system cannot reflink). Blocks while the file system is frozen.
   */
  public static void clone(Path source, Path dest) throws ErrnoException {
    int src = Linux.openReadOnly(source);
    try {
      int dst = Linux.openWriteOnly(dest);
      try {
        Linux.ioctl(dst, FICLONE, src, "FICLONE " + source + " to " + dest);
      } finally {
        Linux.close(dst);
      }
    } finally {
      Linux.close(src);
    }
  }

  /**
   * Sets or clears the immutable attribute of a regular file or directory (a symbolic link is refused with ELOOP,
   * never followed). An immutable file cannot be written, renamed or deleted, and an immutable directory gains or loses no
   * entry — not even by root, until the attribute is cleared (CAP_LINUX_IMMUTABLE).
   *
   * @return false when the file system does not support the attribute
   */
  public static boolean setImmutable(Path path, boolean immutable) throws ErrnoException {
    int fd = Linux.openNoFollow(path);
    try (Memory flags = new Memory(8)) {
      if (!getFlags(fd, path, flags)) {
        return false;
      }
      int old = flags.getInt(0);
      int now = immutable ? old | FS_IMMUTABLE_FL : old & ~FS_IMMUTABLE_FL;
      if (now != old) {
        flags.setInt(0, now);
        Linux.ioctl(fd, FS_IOC_SETFLAGS, flags, "FS_IOC_SETFLAGS " + path);
      }
      return true;
    } finally {
      Linux.close(fd);
    }
  }

  /** Whether the immutable attribute is set (false where the file system has no such attribute). */
  public static boolean isImmutable(Path path) throws ErrnoException {
    int fd = Linux.openNoFollow(path);
    try (Memory flags = new Memory(8)) {
      return getFlags(fd, path, flags) && (flags.getInt(0) & FS_IMMUTABLE_FL) != 0;
    } finally {
      Linux.close(fd);
    }
  }

  /** Reads the inode flags into {@code flags}; false when the file system does not support them. */
  private static boolean getFlags(int fd, Path path, Memory flags) throws ErrnoException {
    flags.clear();
    try {
      Linux.ioctl(fd, FS_IOC_GETFLAGS, flags, "FS_IOC_GETFLAGS " + path);
      return true;
    } catch (ErrnoException e) {
      if (e.errno() == Linux.ENOTTY || e.errno() == Linux.EOPNOTSUPP || e.errno() == Linux.EINVAL) {
        return false;
      }
      throw e;
    }
  }
}
