package io.groupsnap.it.cluster;

import java.nio.file.Path;
import java.util.Map;

/**
 * The volume an agent host captures and its workload writes to. By default a {@code dir} volume in the host's own
 * directory; a test can give a host a real file system instead (a btrfs subvolume or an ext4 mount on a loop device).
 *
 * @param kind the volume kind
 * @param path the live tree the workload writes in
 * @param options the kind's options
 * @param captureDir where the kind keeps this volume's captures, one entry per group snapshot (for the G3 check)
 */
public record HostVolume(String kind, Path path, Map<String, String> options, Path captureDir) {
  public HostVolume {
    options = Map.copyOf(options);
  }

  /** A {@code dir} volume under the host's directory, captured under its snapshot root. */
  static HostVolume dir(Path hostDir) {
    return new HostVolume("dir", hostDir.resolve(AgentHost.VOLUME), Map.of(),
        hostDir.resolve("snapshots").resolve(AgentHost.VOLUME));
  }
}
