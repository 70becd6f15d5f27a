package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.volume.Volume;
import java.nio.file.Path;
import java.util.Set;

/** Kind {@code lvm}: see {@link LvmVolume}. The tools, the LV and its group are checked at every PREPARE. */
public final class LvmVolumeKind implements VolumeKind<LvmOptions> {
  @Override
  public String name() {
    return "lvm";
  }

  @Override
  public boolean capturesOneFileSystem() {
    return true;
  }

  @Override
  public Set<String> options() {
    return LvmOptions.NAMES;
  }

  @Override
  public LvmOptions parse(VolumeConfig v) throws KindException {
    return LvmOptions.parse(KindOptions.of(v));
  }

  @Override
  public Volume create(VolumeConfig v, LvmOptions options, KindContext context) {
    return new LvmVolume(v.name(), v.path(), options.vg(), options.lv(), options.snapshotSize(), options.timeout(),
        context.commands(), Path.of("/"));
  }
}
