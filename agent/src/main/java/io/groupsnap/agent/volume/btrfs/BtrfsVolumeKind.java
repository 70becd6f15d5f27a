package io.groupsnap.agent.volume.btrfs;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.btrfs.BtrfsVolume.Method;
import io.groupsnap.agent.volume.linux.Linux;
import java.nio.file.Path;
import java.util.Set;

/**
 * Kind {@code btrfs}: see {@link BtrfsVolume}. At load the path must be a subvolume, the snapshot method usable here
 * and the snapshot directory on the same btrfs.
 */
public final class BtrfsVolumeKind implements VolumeKind<BtrfsOptions> {
  @Override
  public String name() {
    return "btrfs";
  }

  @Override
  public boolean capturesOneFileSystem() {
    return true;
  }

  @Override
  public Set<String> options() {
    return BtrfsOptions.NAMES;
  }

  @Override
  public BtrfsOptions parse(VolumeConfig v) throws KindException {
    return BtrfsOptions.parse(KindOptions.of(v));
  }

  @Override
  public void validate(VolumeConfig v, BtrfsOptions options, KindContext context) throws KindException {
    Path p = v.path().toAbsolutePath().normalize();
    String problem = BtrfsVolume.subvolumeProblem(p);
    if (problem != null) {
      throw new KindException("path", problem);
    }
    if (options.method() == Method.IOCTL && Linux.check() != null) {
      throw new KindException(KindOptions.field("snapshotMethod"), "ioctl cannot be used here: " + Linux.check()
          + " (use snapshotMethod: tool)");
    }
    if (options.method() == Method.TOOL && context.commands().which("btrfs").isEmpty()) {
      throw new KindException(KindOptions.field("snapshotMethod"), "tool needs the btrfs program, which is not "
          + "installed");
    }
    String elsewhere = BtrfsVolume.notOnSameBtrfs(p, options.snapshotDir(v.name(), p));
    if (elsewhere != null) {
      throw new KindException(options.snapshotDir() != null ? KindOptions.field("snapshotDir") : "path", elsewhere);
    }
  }

  @Override
  public Volume create(VolumeConfig v, BtrfsOptions options, KindContext context) {
    Path p = v.path().toAbsolutePath().normalize();
    return new BtrfsVolume(v.name(), p, options.snapshotDir(v.name(), p), options.method(),
        options.minFreePercent(), context.commands());
  }
}
