package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.zfs.ZfsInPlace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The switch of a {@code zfs} volume: its capture's clone, staged as a sibling dataset, renamed over the live dataset
 * and promoted ({@link ZfsInPlace}, which reads where it stands from {@code zfs list} alone). Nothing of it is a path:
 * {@link #staged} and {@link #replaced} are the nominal siblings of the live mount point that a directory's switch
 * would use, never written, which give the plan of the stage a target that overlaps no other volume's and lies on the
 * live data's side for the room check (a clone needs none); the datasets are shown by name ({@link #stagedName}).
 */
final class ZfsSwitch implements LiveSwitch {
  private final ZfsInPlace zfs;
  private final VolumeSwitch nominal;
  private final VolumeSwitch.Between between;

  ZfsSwitch(ZfsInPlace zfs, Path live, String restoreId, VolumeSwitch.Between between) {
    this.zfs = zfs;
    this.nominal = VolumeSwitch.beside(live, restoreId);
    this.between = between;
  }

  @Override
  public Path staged() {
    return nominal.staged();
  }

  @Override
  public Path replaced() {
    return nominal.replaced();
  }

  @Override
  public String stagedName() {
    return zfs.staged();
  }

  @Override
  public VolumeSwitch.State state() throws IOException {
    return switch (zfs.where()) {
      case OLD -> VolumeSwitch.State.OLD;
      case HALF -> VolumeSwitch.State.HALF;
      case NEW -> VolumeSwitch.State.NEW;
      case SETTLED -> VolumeSwitch.State.SETTLED;
    };
  }

  @Override
  public void forward() throws IOException {
    zfs.forward(between::renamed);
  }

  @Override
  public void back() throws IOException {
    zfs.back(between::renamed);
  }

  @Override
  public void confirm() throws IOException {
    zfs.confirm();
  }

  @Override
  public void discardStaged() throws IOException {
    zfs.discardStaged();
  }

  @Override
  public void clearStage() throws IOException {
    zfs.destroyStaged();
  }
}
