package io.groupsnap.agent.kinds;

import io.groupsnap.agent.volume.Volume;
import java.util.Set;

/**
 * A kind of volume ({@code dir}, {@code btrfs}, …): its options, how they are read and checked, and how a volume is
 * built from them. The agent's configuration is validated through {@link #parse} and {@link #validate} before anything
 * starts; {@link #create} then gets the options {@link #parse} returned and reads nothing again.
 *
 * <p>Implementations are stateless and may be called from any thread.
 *
 * @param <O> the kind's options record
 */
public interface VolumeKind<O> {
  /** As written in {@code kind:}. */
  String name();

  /** The option names this kind knows; any other is an error. */
  Set<String> options();

  /**
   * Reads the volume's options into this kind's record: each value, and how they combine. Looks at nothing on the
   * host.
   *
   * @throws KindException naming the option at fault
   */
  O parse(VolumeConfig volume) throws KindException;

  /**
   * Checks what can be checked on this host when the configuration is loaded, before anything starts: the path is a
   * mount point of the right file system, a device or a command exists. Tools and space are checked again at every
   * PREPARE. Nothing by default.
   */
  default void validate(VolumeConfig volume, O options, KindContext context) throws KindException {}

  /**
   * True when a capture holds exactly the file system, subvolume or dataset whose root is the volume's path, and
   * nothing nested below it that is another one (a btrfs subvolume, a ZFS dataset, a logical volume). Two volumes of
   * such kinds may nest: neither capture contains the other's files. Other kinds capture the whole tree.
   */
  default boolean capturesOneFileSystem() {
    return false;
  }

  /** Builds the volume from the options {@link #parse} read and {@link #validate} accepted. */
  Volume create(VolumeConfig volume, O options, KindContext context);
}
