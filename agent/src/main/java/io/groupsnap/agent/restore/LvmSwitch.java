package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.lvm.LvmInPlace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The switch of an {@code lvm} volume: its capture merged into the logical volume after a thick snapshot of it, the
 * aside, has kept the replaced data ({@link LvmInPlace}, which reads where it stands from {@code lvs}, the mount table
 * and the last merge journaled). Nothing is staged and nothing of it is a path: {@link #staged} and {@link #replaced}
 * are the nominal siblings of the live mount point that a directory's switch would use, never written, which give the
 * plan of the stage a target that overlaps no other volume's; the capture is shown by name ({@link #stagedName}).
 */
final class LvmSwitch implements LiveSwitch {
  private final LvmInPlace lvm;
  private final VolumeSwitch nominal;
  private final VolumeSwitch.Between between;

  LvmSwitch(LvmInPlace lvm, Path live, String restoreId, VolumeSwitch.Between between) {
    this.lvm = lvm;
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
    return lvm.capture();
  }

  @Override
  public void clearStage() {
    // nothing is staged
  }

  @Override
  public VolumeSwitch.State state() throws IOException {
    return switch (lvm.where()) {
      case OLD -> VolumeSwitch.State.OLD;
      case HALF -> VolumeSwitch.State.HALF;
      case NEW -> VolumeSwitch.State.NEW;
      case SETTLED -> VolumeSwitch.State.SETTLED;
    };
  }

  @Override
  public void forward() throws IOException {
    lvm.forward(between::renamed);
  }

  @Override
  public void back() throws IOException {
    lvm.back(between::renamed);
  }

  @Override
  public void confirm() throws IOException {
    lvm.confirm();
  }

  @Override
  public void discardStaged() {
    // nothing was staged: the capture stays, as it was
  }
}
