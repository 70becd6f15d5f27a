package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import java.time.Duration;
import java.util.Set;

/**
 * The options of a {@code zfs} volume (see {@link ZfsVolume}).
 *
 * @param dataset the file system captured, {@code pool/fs/...}
 * @param allowDegraded whether a DEGRADED pool is still captured
 * @param timeout the limit for each ZFS command
 * @param restoreParent the dataset under which restores clone captures (default: the dataset's parent)
 */
public record ZfsOptions(String dataset, boolean allowDegraded, Duration timeout, String restoreParent) {
  static final Set<String> NAMES = Set.of("dataset", "allowDegraded", "timeout", "restoreParent");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  static ZfsOptions parse(KindOptions o) throws KindException {
    String dataset = o.required("dataset");
    String problem = ZfsNames.datasetProblem(dataset);
    if (problem != null) {
      throw new KindException(KindOptions.field("dataset"), "dataset " + problem);
    }
    String parent = o.get("restoreParent", ZfsNames.defaultRestoreParent(dataset));
    problem = ZfsNames.restoreParentProblem(dataset, parent);
    if (problem != null) {
      throw new KindException(KindOptions.field("restoreParent"), "dataset " + problem);
    }
    return new ZfsOptions(dataset, o.flag("allowDegraded", true), o.duration("timeout", DEFAULT_TIMEOUT), parent);
  }
}
