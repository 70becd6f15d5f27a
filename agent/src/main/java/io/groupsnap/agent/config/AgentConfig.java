package io.groupsnap.agent.config;

import io.groupsnap.agent.export.ExportsConfig;
import io.groupsnap.agent.hub.SocketAccess;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated configuration of one agent. Build it with {@link ConfigLoader} from YAML, or in code with
 * {@link #builder} (dev mode, tests); either way {@link ConfigLoader#validate} has checked it.
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
 * @param zookeeperSessionTimeout the agent's ZooKeeper session timeout: how long a killed agent stays registered
 *     (within {@link ZkClients#MIN_SESSION_TIMEOUT}..{@link ZkClients#MAX_SESSION_TIMEOUT})
 * @param zookeeperAuth the credential file (mode 0600 or 0400) holding the line {@code agents:PASSWORD} this agent
 *     authenticates to ZooKeeper with, beside its own secret kept in {@code stateDir}; null only when {@code insecure}
 *     (anonymous, the nodes it makes open to anyone); with {@code insecure} it may still be given, and is used
 * @param writerHub the writer hub socket's mode and group ({@code writerHub: {socketMode, socketGroup}})
 * @param tls the PEM files of its mutual TLS (the authority it trusts, its certificate, its key); null only when
 *     {@code insecure}
 * @param insecure plaintext gRPC, every caller obeyed, and ZooKeeper without credentials allowed: only when the
 *     operator wrote {@code insecure: true}
 * @param tlsReloadEvery how often the TLS files are reread, so that rotated ones take effect without a restart
 *     ({@code tls.reloadEvery}; default {@link TransportSettings#RELOAD_EVERY})
 * @param metricsListen where the Prometheus metrics are served ({@code metrics.listen}); null: not at all
 * @param exports the export targets ({@code exports:}) and how many exports run at once ({@code
 *     exportConcurrency:}); {@link ExportsConfig#NONE}: none
 * @param restoreRoots the only trees restores may write in ({@code restoreRoots:}); the first holds default targets;
 *     empty or null: {@code <stateDir>/restores}; never overlapping a volume
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
    boolean checksumCaptures,
    Duration zookeeperSessionTimeout,
    Path zookeeperAuth,
    SocketAccess writerHub,
    TlsFiles tls,
    boolean insecure,
    Duration tlsReloadEvery,
    HostPort metricsListen,
    ExportsConfig exports,
    List<Path> restoreRoots) {
  public AgentConfig {
    java.util.Objects.requireNonNull(tlsReloadEvery, "tlsReloadEvery");
    exports = exports == null ? ExportsConfig.NONE : exports;
    restoreRoots = restoreRoots == null || restoreRoots.isEmpty() ? List.of(stateDir.resolve("restores"))
        : List.copyOf(restoreRoots);
    volumeRoots = List.copyOf(volumeRoots);
    labels = Map.copyOf(labels);
    volumes = List.copyOf(volumes);
    writers = List.copyOf(writers);
  }

  /** The agent's configuration with another ZooKeeper credential file (null: none). */
  public AgentConfig withZookeeperAuth(Path file) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        file, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
  }

  /** The agent's configuration with its metrics served on {@code address} (null: not at all). */
  public AgentConfig withMetricsListen(HostPort address) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, address, exports, restoreRoots);
  }

  /** The agent's configuration with another ZooKeeper connect string. */
  public AgentConfig withZookeeper(String connect) {
    return new AgentConfig(agentId, cluster, listen, advertise, connect, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
  }

  /** The agent's configuration with another ZooKeeper session timeout. */
  public AgentConfig withZookeeperSessionTimeout(Duration timeout) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, timeout, zookeeperAuth,
        writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
  }

  /** The agent's configuration with other volumes and writers. */
  public AgentConfig withVolumes(List<VolumeConfig> newVolumes, List<WriterConfig> newWriters) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, newVolumes, newWriters, reaperInterval, reaperGrace, volumeRoots, checksumCaptures,
        zookeeperSessionTimeout, zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
  }

  /** The agent's configuration with other reaper timings. */
  public AgentConfig withReaper(Duration interval, Duration grace) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, interval, grace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
  }

  /** The agent's configuration with checksums of its captures on or off. */
  public AgentConfig withChecksumCaptures(boolean on) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, on, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
  }

  /** The agent's configuration with other export targets. */
  public AgentConfig withExports(ExportsConfig value) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, value, restoreRoots);
  }

  /** The agent's configuration with other restore roots (empty: the default). */
  public AgentConfig withRestoreRoots(List<Path> value) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, value);
  }

  /** How it serves gRPC: checked by {@link ConfigLoader#validate} to be exactly one of TLS files and insecure. */
  public TransportSettings transport() {
    return new TransportSettings(tls, insecure, tlsReloadEvery);
  }

  /** The agent's configuration with another transport. */
  public AgentConfig withTransport(TransportSettings t) {
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxFreezeLease,
        labels, volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
        zookeeperAuth, writerHub, t.tls(), t.insecure(), t.reloadEvery(), metricsListen, exports, restoreRoots);
  }

  /**
   * A configuration built in code, starting from what an agent.yaml that sets only these fields would give: cluster
   * {@code default}, listen {@code 0.0.0.0:7400}, no advertise address, ZooKeeper {@code 127.0.0.1:2181}, state under
   * {@code <snapshotRoot>/.groupsnap-state}, the default lease and reaper timings, no labels, volumes, writers or
   * volume roots, no checksums, the default ZooKeeper session timeout, the default writer hub socket (0660, the
   * agent's group), no ZooKeeper credentials, and neither TLS files nor insecure — which
   * {@link ConfigLoader#validate} refuses until TLS files and ZooKeeper credentials, or insecure, are set. {@link Builder#build} does not validate: pass the result to {@link ConfigLoader#validate}.
   */
  public static Builder builder(String agentId, Path snapshotRoot) {
    return new Builder(agentId, snapshotRoot);
  }

  /** Builds an {@link AgentConfig} field by field; not thread-safe. */
  public static final class Builder {
    private final String agentId;
    private final Path snapshotRoot;
    private String cluster = "default";
    private HostPort listen = new HostPort("0.0.0.0", 7400);
    private HostPort advertise;
    private String zookeeper = "127.0.0.1:2181";
    private Path stateDir;
    private Duration maxFreezeLease = ConfigLoader.DEFAULT_MAX_LEASE;
    private Map<String, String> labels = Map.of();
    private List<VolumeConfig> volumes = List.of();
    private List<WriterConfig> writers = List.of();
    private Duration reaperInterval = ConfigLoader.DEFAULT_REAPER_INTERVAL;
    private Duration reaperGrace = ConfigLoader.DEFAULT_REAPER_GRACE;
    private List<Path> volumeRoots = List.of();
    private boolean checksumCaptures;
    private Duration zookeeperSessionTimeout = ZkClients.SESSION_TIMEOUT;
    private Path zookeeperAuth;
    private SocketAccess writerHub = SocketAccess.DEFAULT;
    private TlsFiles tls;
    private boolean insecure;
    private HostPort metricsListen;
    private Duration tlsReloadEvery = TransportSettings.RELOAD_EVERY;
    private ExportsConfig exports = ExportsConfig.NONE;
    private List<Path> restoreRoots = List.of();

    private Builder(String agentId, Path snapshotRoot) {
      this.agentId = agentId;
      this.snapshotRoot = snapshotRoot;
    }

    public Builder cluster(String value) {
      this.cluster = value;
      return this;
    }

    public Builder listen(HostPort value) {
      this.listen = value;
      return this;
    }

    /** The endpoint coordinators dial; null (the default) derives it from the listen address. */
    public Builder advertise(HostPort value) {
      this.advertise = value;
      return this;
    }

    public Builder zookeeper(String connect) {
      this.zookeeper = connect;
      return this;
    }

    /** The agent's own durable state; null (the default) means {@code <snapshotRoot>/.groupsnap-state}. */
    public Builder stateDir(Path value) {
      this.stateDir = value;
      return this;
    }

    public Builder maxFreezeLease(Duration value) {
      this.maxFreezeLease = value;
      return this;
    }

    public Builder labels(Map<String, String> value) {
      this.labels = value;
      return this;
    }

    public Builder volumes(List<VolumeConfig> value) {
      this.volumes = value;
      return this;
    }

    public Builder writers(List<WriterConfig> value) {
      this.writers = value;
      return this;
    }

    public Builder reaper(Duration interval, Duration grace) {
      this.reaperInterval = interval;
      this.reaperGrace = grace;
      return this;
    }

    public Builder volumeRoots(List<Path> value) {
      this.volumeRoots = value;
      return this;
    }

    public Builder checksumCaptures(boolean on) {
      this.checksumCaptures = on;
      return this;
    }

    public Builder zookeeperSessionTimeout(Duration value) {
      this.zookeeperSessionTimeout = value;
      return this;
    }

    /** The ZooKeeper credential file; null (the default): anonymous. */
    public Builder zookeeperAuth(Path file) {
      this.zookeeperAuth = file;
      return this;
    }

    public Builder writerHub(SocketAccess value) {
      this.writerHub = value;
      return this;
    }

    /** Mutual TLS with these files. */
    public Builder tls(TlsFiles files) {
      this.tls = files;
      return this;
    }

    /** Plaintext gRPC, every caller obeyed (dev clusters and tests that say so). */
    public Builder insecure(boolean on) {
      this.insecure = on;
      return this;
    }

    /** Either of the above, as {@code t} says. */
    public Builder transport(TransportSettings t) {
      this.tls = t.tls();
      this.insecure = t.insecure();
      this.tlsReloadEvery = t.reloadEvery();
      return this;
    }

    /** Where the Prometheus metrics are served; null (the default): not at all. */
    public Builder metricsListen(HostPort value) {
      this.metricsListen = value;
      return this;
    }

    /** The export targets and concurrency; {@link ExportsConfig#NONE} (the default): none. */
    public Builder exports(ExportsConfig value) {
      this.exports = value;
      return this;
    }

    /** Where restores may write; empty (the default): {@code <stateDir>/restores}. */
    public Builder restoreRoots(List<Path> value) {
      this.restoreRoots = value;
      return this;
    }

    public AgentConfig build() {
      return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot,
          stateDir != null ? stateDir : snapshotRoot.resolve(".groupsnap-state"), maxFreezeLease, labels, volumes,
          writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, zookeeperSessionTimeout,
          zookeeperAuth, writerHub, tls, insecure, tlsReloadEvery, metricsListen, exports, restoreRoots);
    }
  }
}
