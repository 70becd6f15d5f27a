package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import java.time.Duration;
import java.util.Set;

/**
 * The options of an {@code lvm} volume (see {@link LvmVolume}), names checked as LVM accepts them.
 *
 * @param vg the volume group
 * @param lv the logical volume captured
 * @param snapshotSize the copy-on-write space of each snapshot
 * @param timeout the limit for each LVM command
 */
public record LvmOptions(String vg, String lv, LvmSnapshotSize snapshotSize, Duration timeout) {
  static final Set<String> NAMES = Set.of("vg", "lv", "snapshotSize", "timeout");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  static LvmOptions parse(KindOptions o) throws KindException {
    String vg = o.required("vg");
    String lv = o.required("lv");
    String problem = LvmNames.vgProblem(vg);
    if (problem != null) {
      throw new KindException(KindOptions.field("vg"), "volume group name " + problem);
    }
    problem = LvmNames.lvProblem(lv);
    if (problem != null) {
      throw new KindException(KindOptions.field("lv"), "logical volume name " + problem);
    }
    problem = LvmNames.roomProblem(vg, lv);
    if (problem != null) {
      throw new KindException(KindOptions.field("lv"), problem);
    }
    LvmSnapshotSize size;
    try {
      size = LvmSnapshotSize.parse(o.required("snapshotSize"));
    } catch (IllegalArgumentException e) {
      throw new KindException(KindOptions.field("snapshotSize"), e.getMessage());
    }
    return new LvmOptions(vg, lv, size, o.duration("timeout", DEFAULT_TIMEOUT));
  }
}
