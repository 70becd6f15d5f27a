package io.groupsnap.agent.config;

import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.common.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated configuration of one agent. Build it with {@link ConfigLoader} from YAML, or directly (dev mode);
 * either way {@link ConfigLoader#validate} has checked it.
 *
 * @param agentId the agent's name in the cluster; defaults to the host name
 * @param cluster the cluster name (a ZooKeeper namespace)
 * @param listen where the AgentService listens; port 0 picks a free port
 * @param advertise the endpoint coordinators dial; null means derived from {@code listen}
 * @param zookeeper ZooKeeper connect string
 * @param snapshotRoot where captures are kept; never inside a volume
 * @param stateDir the agent's own durable state (pending snapshots); defaults under the snapshot root; never inside a
 *     volume
 * @param maxFreezeLease the longest lease a coordinator may ask for
 * @param labels free-form labels published with the registration
 * @param reaperInterval how often captures are reconciled with the coordinator's decisions
 * @param reaperGrace how old a capture without any transaction record must be before it is deleted
 * @param volumeRoots directories every volume must lie in (symbolic links resolved); empty: anywhere
 * @param checksumCaptures whether the fingerprint recorded of each capture after its commit includes a SHA-256 of
 *     its contents (read once, in the background, never inside a freeze window), for {@code snapshot check --checksum}
 */
public record AgentConfig(
    String agentId,
    String cluster,
    HostPort listen,
    HostPort advertise,
    String zookeeper,
    Path snapshotRoot,
    Path stateDir,
    Duration maxFreezeLease,
    Map<String, String> labels,
    List<VolumeConfig> volumes,
    List<WriterConfig> writers,
    Duration reaperInterval,
    Duration reaperGrace,
    List<Path> volumeRoots,
    boolean checksumCaptures) {
  public AgentConfig {
    volumeRoots = List.copyOf(volumeRoots);
    labels = Map.copyOf(labels);
    volumes = List.copyOf(volumes);
    writers = List.copyOf(writers);
  }

  /** The agent's configuration with another ZooKeeper connect string. */
  public AgentConfig withZookeeper(String connect) {
    return new AgentConfig(agentId, cluster, listen, advertise, connect, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures);
  }

  /** The agent's configuration with other volumes and writers. */
  public AgentConfig withVolumes(List<VolumeConfig> newVolumes, List<WriterConfig> newWriters) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, newVolumes, newWriters, reaperInterval, reaperGrace, volumeRoots, checksumCaptures);
  }

  /** The agent's configuration with other reaper timings. */
  public AgentConfig withReaper(Duration interval, Duration grace) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, interval, grace, volumeRoots, checksumCaptures);
  }

  /** The agent's configuration with checksums of its captures on or off. */
  public AgentConfig withChecksumCaptures(boolean on) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, on);
  }
}
