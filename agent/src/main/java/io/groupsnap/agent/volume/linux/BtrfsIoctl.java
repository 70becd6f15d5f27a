package io.groupsnap.agent.volume.linux;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The btrfs ioctls the {@code btrfs} volume kind uses: snapshot a subvolume ({@code BTRFS_IOC_SNAP_CREATE_V2}), delete
 * one ({@code BTRFS_IOC_SNAP_DESTROY}) and read the file system's UUID ({@code BTRFS_IOC_FS_INFO}), which tells
 * whether two paths are on the same btrfs (device numbers differ per subvolume, so they cannot).
 */
public final class BtrfsIoctl {
  private static final int MAGIC = 0x94;
  /** {@code struct btrfs_ioctl_vol_args_v2} and {@code struct btrfs_ioctl_vol_args} are both 4096 bytes. */
  private static final int VOL_ARGS_SIZE = 4096;
  private static final long SNAP_CREATE_V2 = Linux.ioc(Linux.IOC_WRITE, MAGIC, 23, VOL_ARGS_SIZE);
  private static final long SNAP_DESTROY = Linux.ioc(Linux.IOC_WRITE, MAGIC, 15, VOL_ARGS_SIZE);
  private static final int FS_INFO_SIZE = 1024;
  private static final long FS_INFO = Linux.ioc(Linux.IOC_READ, MAGIC, 31, FS_INFO_SIZE);
  private static final long SUBVOL_RDONLY = 1L << 1;
  /** Offsets in {@code btrfs_ioctl_vol_args_v2}: fd, transid, flags, a 32-byte union, then the name. */
  private static final int V2_FLAGS = 16;
  private static final int V2_NAME = 56;
  private static final int V2_NAME_MAX = 4039;
  /** Offset of the name in {@code btrfs_ioctl_vol_args} (after the s64 fd). */
  private static final int V1_NAME = 8;
  /** Offset of {@code fsid[16]} in {@code btrfs_ioctl_fs_info_args} (after max_id and num_devices). */
  private static final int FSID = 16;

  /** The inode number of every subvolume's root directory ({@code BTRFS_FIRST_FREE_OBJECTID}). */
  public static final long SUBVOLUME_ROOT_INODE = 256;

  private BtrfsIoctl() {}

  /**
   * Snapshots the subvolume {@code source} as {@code parent/name}; read-only when asked. Atomic: the snapshot exists
   * complete or not at all. Blocks on a frozen btrfs.
   */
  public static void snapshot(Path source, Path parent, String name, boolean readOnly) throws ErrnoException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length == 0 || n.length > V2_NAME_MAX || name.indexOf('/') >= 0) {
      throw new ErrnoException("snapshot name '" + name + "'", Linux.EINVAL, "not a valid subvolume name");
    }
    int src = Linux.openReadOnly(source);
    try {
      int dir = Linux.openReadOnly(parent);
      try (Memory args = new Memory(VOL_ARGS_SIZE)) {
        args.clear();
        args.setLong(0, src);
        args.setLong(V2_FLAGS, readOnly ? SUBVOL_RDONLY : 0);
        args.write(V2_NAME, n, 0, n.length);
        Linux.ioctl(dir, SNAP_CREATE_V2, args, "BTRFS_IOC_SNAP_CREATE_V2 " + source + " to " + parent.resolve(name));
      } finally {
        Linux.close(dir);
      }
    } finally {
      Linux.close(src);
    }
  }

  /** Deletes the subvolume {@code parent/name} (read-only snapshots included; needs CAP_SYS_ADMIN). */
  public static void destroy(Path parent, String name) throws ErrnoException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length == 0 || n.length > V2_NAME_MAX || name.indexOf('/') >= 0) {
      throw new ErrnoException("subvolume name '" + name + "'", Linux.EINVAL, "not a valid subvolume name");
    }
    int dir = Linux.openReadOnly(parent);
    try (Memory args = new Memory(VOL_ARGS_SIZE)) {
      args.clear();
      args.write(V1_NAME, n, 0, n.length);
      Linux.ioctl(dir, SNAP_DESTROY, args, "BTRFS_IOC_SNAP_DESTROY " + parent.resolve(name));
    } finally {
      Linux.close(dir);
    }
  }

  /** The UUID of the btrfs that {@code path} is on, as hex; ENOTTY when it is not on btrfs. */
  public static String fsid(Path path) throws ErrnoException {
    int fd = Linux.openReadOnly(path);
    try (Memory args = new Memory(FS_INFO_SIZE)) {
      args.clear();
      Linux.ioctl(fd, FS_INFO, args, "BTRFS_IOC_FS_INFO " + path);
      return HexFormat.of().formatHex(args.getByteArray(FSID, 16));
    } finally {
      Linux.close(fd);
    }
  }
}
