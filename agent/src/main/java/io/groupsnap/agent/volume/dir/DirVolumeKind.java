package io.groupsnap.agent.volume.dir;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.volume.Volume;
import java.util.Set;

/** Kind {@code dir}: see {@link DirVolume}. Nothing to check on the host before PREPARE. */
public final class DirVolumeKind implements VolumeKind<DirOptions> {
  @Override
  public String name() {
    return "dir";
  }

  @Override
  public Set<String> options() {
    return DirOptions.NAMES;
  }

  @Override
  public DirOptions parse(VolumeConfig v) throws KindException {
    return DirOptions.parse(KindOptions.of(v));
  }

  @Override
  public Volume create(VolumeConfig v, DirOptions options, KindContext context) {
    return new DirVolume(v.name(), v.path(), context.snapshotRoot(), options.allowUnheld(), options.linkReadOnly());
  }
}
