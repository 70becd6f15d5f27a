package io.groupsnap.agent.volume.fsfreeze;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.volume.Volume;
import java.util.Set;

/**
 * Kind {@code fsfreeze}: see {@link FsfreezeVolume}. At load, everything about the host that PREPARE checks again
 * without freezing: the mount point and its file system, the tools, where captures go.
 */
public final class FsfreezeVolumeKind implements VolumeKind<FsfreezeOptions> {
  @Override
  public String name() {
    return "fsfreeze";
  }

  @Override
  public Set<String> options() {
    return FsfreezeOptions.NAMES;
  }

  @Override
  public FsfreezeOptions parse(VolumeConfig v) throws KindException {
    return FsfreezeOptions.parse(KindOptions.of(v));
  }

  @Override
  public void validate(VolumeConfig v, FsfreezeOptions options, KindContext context) throws KindException {
    volume(v, options, context).checkHost();
  }

  @Override
  public Volume create(VolumeConfig v, FsfreezeOptions options, KindContext context) {
    return volume(v, options, context);
  }

  private static FsfreezeVolume volume(VolumeConfig v, FsfreezeOptions options, KindContext context) {
    return new FsfreezeVolume(v.name(), v.path(), context.snapshotRoot(), options, context.commands());
  }
}
