package io.groupsnap.devkit.bench;

import io.groupsnap.agent.volume.loopfs.LoopFs;
import java.util.Locale;
import java.util.Optional;

/**
 * The volume every bench member has ({@code groupsnap bench --volume}): a {@code dir} of small files (the default:
 * what coordination costs over a capture that is a plain copy), or one of the real kinds on file systems the bench
 * makes on loop devices for the run and removes afterwards ({@link BenchVolumes}) — {@code btrfs} (one btrfs, a
 * subvolume per member, captured as read-only snapshots) or {@code fsfreeze} (one ext4 per member, frozen around a
 * copy of its files) — so that the floor and the window include what a real kernel freeze or snapshot costs.
 */
public enum BenchVolume {
  DIR(null), BTRFS(LoopFs.Type.BTRFS), FSFREEZE(LoopFs.Type.EXT4);

  private final LoopFs.Type fileSystem;

  BenchVolume(LoopFs.Type fileSystem) {
    this.fileSystem = fileSystem;
  }

  /** As {@code --volume} names it: {@code dir}, {@code btrfs}, {@code fsfreeze}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind named {@code label}, if any. */
  public static Optional<BenchVolume> of(String label) {
    for (BenchVolume v : values()) {
      if (v.label().equals(label)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** The file system made on loop devices for this kind; null for {@code dir}. */
  LoopFs.Type fileSystem() {
    return fileSystem;
  }

  /** One line saying what the members' volumes are, for under the table. */
  public String description() {
    return switch (this) {
      case DIR -> "volumes: dir, a directory per member on the data directory's file system";
      case BTRFS -> "volumes: btrfs, one btrfs on a loop device, a subvolume per member, captured as read-only "
          + "snapshots";
      case FSFREEZE -> "volumes: fsfreeze, one ext4 on a loop device per member, frozen (FIFREEZE) around a copy of "
          + "its files";
    };
  }
}
