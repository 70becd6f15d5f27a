package io.groupsnap.agent.volume.btrfs;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.volume.btrfs.BtrfsVolume.Method;
import io.groupsnap.agent.volume.linux.MountTable;
import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The options of a {@code btrfs} volume (see {@link BtrfsVolume}).
 *
 * @param snapshotDir where the snapshots go, as given; null for the default (see {@link #snapshotDir(String, Path)})
 * @param method how a snapshot is taken
 * @param minFreePercent the share of the file system that must be free at PREPARE, 0 to 99
 */
public record BtrfsOptions(Path snapshotDir, Method method, int minFreePercent) {
  static final Set<String> NAMES = Set.of("snapshotDir", "snapshotMethod", "minFreePercent");
  static final String DEFAULT_DIR = ".groupsnap";
  static final int DEFAULT_MIN_FREE_PERCENT = 5;

  static BtrfsOptions parse(KindOptions o) throws KindException {
    String m = o.get("snapshotMethod", "ioctl");
    Method method = switch (m) {
      case "ioctl" -> Method.IOCTL;
      case "tool" -> Method.TOOL;
      default -> throw new KindException(KindOptions.field("snapshotMethod"), "must be ioctl or tool, not '"
          + Names.printable(m) + "'");
    };
    int minFree = DEFAULT_MIN_FREE_PERCENT;
    String percent = o.get("minFreePercent");
    if (percent != null) {
      minFree = -1;
      try {
        minFree = Integer.parseInt(percent.trim());
      } catch (NumberFormatException ignored) {
        // reported below
      }
      if (minFree < 0 || minFree > 99) {
        throw new KindException(KindOptions.field("minFreePercent"), "must be a whole number from 0 to 99, not '"
            + Names.printable(percent) + "'");
      }
    }
    return new BtrfsOptions(o.absolutePath("snapshotDir"), method, minFree);
  }

  /**
   * The snapshot directory of {@code volume}: the option, else {@code .groupsnap/<volume>} at the root of the btrfs
   * mount that holds {@code path} (next to {@code path} when the mount cannot be found).
   */
  Path snapshotDir(String volume, Path path) {
    if (snapshotDir != null) {
      return snapshotDir;
    }
    Path base;
    try {
      Path real = path.toRealPath();
      base = MountTable.containing(real).filter(m -> m.fsType().equals("btrfs")).map(MountTable.Mount::mountPoint)
          .orElse(real.getParent() != null ? real.getParent() : real);
    } catch (IOException e) {
      base = path.getParent() != null ? path.getParent() : path;
    }
    return base.resolve(DEFAULT_DIR).resolve(volume);
  }
}
