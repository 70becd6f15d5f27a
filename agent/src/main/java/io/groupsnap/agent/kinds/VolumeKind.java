package io.groupsnap.agent.kinds;

import io.groupsnap.agent.volume.Volume;
import java.util.Set;

/** A kind of volume ({@code dir}, {@code btrfs}, …): its options, their validation, and how to build one. */
public interface VolumeKind {
  /** As written in {@code kind:}. */
  String name();

  /** The option names this kind knows; any other is an error. */
  Set<String> options();

  /**
   * Checks the volume's settings when the configuration is loaded, before anything starts: option values, and what
   * can be checked on this host (the path is a mount point of the right file system, a device exists). Tools and
   * space are checked again at every PREPARE.
   */
  void validate(VolumeConfig volume, KindContext context) throws KindException;

  /**
   * True when a capture holds exactly the file system, subvolume or dataset whose root is the volume's path, and
   * nothing nested below it that is another one (a btrfs subvolume, a ZFS dataset, a logical volume). Two volumes of
   * such kinds may nest: neither capture contains the other's files. Other kinds capture the whole tree.
   */
  default boolean capturesOneFileSystem() {
    return false;
  }

  /** Builds the volume from settings {@link #validate} accepted. */
  Volume create(VolumeConfig volume, KindContext context);
}
