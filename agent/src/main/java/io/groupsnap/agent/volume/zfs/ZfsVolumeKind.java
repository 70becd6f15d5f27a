package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.volume.Volume;
import java.nio.file.Path;
import java.util.Set;

/** Kind {@code zfs}: see {@link ZfsVolume}. The tools, the dataset and its pool are checked at every PREPARE. */
public final class ZfsVolumeKind implements VolumeKind<ZfsOptions> {
  @Override
  public String name() {
    return "zfs";
  }

  @Override
  public boolean capturesOneFileSystem() {
    return true;
  }

  @Override
  public Set<String> options() {
    return ZfsOptions.NAMES;
  }

  @Override
  public ZfsOptions parse(VolumeConfig v) throws KindException {
    return ZfsOptions.parse(KindOptions.of(v));
  }

  @Override
  public Volume create(VolumeConfig v, ZfsOptions options, KindContext context) {
    return new ZfsVolume(v.name(), v.path(), options.dataset(), options.allowDegraded(), options.timeout(),
        options.restoreParent(), context.commands(), Path.of("/"));
  }
}
