package io.groupsnap.devkit.cluster;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.export.ExportsConfig;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.txn.DecisionRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A whole cluster in one process on loopback: a ZooKeeper (embedded, or an existing one), one coordinator, and N agents
 * named {@code agent-1..N}, each with one {@code dir} volume {@code data} under {@code <dataDir>/agent-i/data} and its
 * snapshot root beside it; restores go to {@code <dataDir>/agent-i/restores} by default, and any agent may also restore
 * under the shared {@link #restoreRoot} ({@code groupsnap restore ID --to <dataDir>/restores/...}). For first runs,
 * demos and tests; closing it closes everything, agents first. Every hop is mutual TLS with certificates it issues at
 * start under {@code <dataDir>/tls} ({@link DevTls}): the {@code admin} client's are in {@link #clientTransport()} and
 * in the {@code dev.env} it writes. Every daemon serves its metrics on a loopback port of its own ({@link
 * #LOOPBACK_ANY}: {@code metricsAddress()} says which).
 *
 * <p>It runs with ZooKeeper authentication and ACLs on, on its own embedded ZooKeeper and on an existing one alike
 * ({@link DevCredentials}, kept in the data directory; {@code dev.env} names the agents' file for the CLI). On an
 * existing ZooKeeper its nodes are protected with the credentials of this data directory: a later cluster there needs
 * the same data directory (or a fresh ZooKeeper).
 */
public final class DevCluster implements AutoCloseable {
  public static final String CLUSTER = "default";
  public static final String VOLUME = "data";
  /** Where every daemon of a dev cluster listens: loopback, a free port. */
  static final HostPort LOOPBACK_ANY = new HostPort("127.0.0.1", 0);
  /**
   * The export target each agent has when restic is installed: a restic repository of its own,
   * {@code <dataDir>/agent-i/restic-repo} (made at the first export), password in {@code restic.pass} beside it.
   */
  public static final String EXPORT_TARGET = "local";
  /** Where, under the data dir, the cluster's authority and certificates are ({@link DevTls}). */
  public static final String TLS_DIR = "tls";

  private final Path dataDir;
  private final EmbeddedZooKeeper embedded;
  private final String zookeeper;
  private final Coordinator coordinator;
  private final Transport coordinatorTransport;
  private final Map<String, Agent> agents;
  private final DevCredentials credentials;
  private final DevTls tls;

  private DevCluster(Path dataDir, EmbeddedZooKeeper embedded, String zookeeper, Coordinator coordinator,
      Transport coordinatorTransport, Map<String, Agent> agents, DevCredentials credentials, DevTls tls) {
    this.dataDir = dataDir;
    this.embedded = embedded;
    this.zookeeper = zookeeper;
    this.coordinator = coordinator;
    this.coordinatorTransport = coordinatorTransport;
    this.agents = agents;
    this.credentials = credentials;
    this.tls = tls;
  }

  /**
   * Starts a cluster.
   *
   * @param zookeeper an existing ZooKeeper's connect string, or null to embed one under {@code dataDir}
   * @param writers the in-process writers of each agent, by agent id (may return an empty list)
   */
  public static DevCluster start(Path dataDir, int agentCount, String zookeeper,
      Function<String, List<Writer>> writers) throws Exception {
    return start(dataDir, agentCount, zookeeper, writers, List.of());
  }

  /**
   * Starts a cluster whose agents also have {@code configured} writers in their configuration (as an agent.yaml
   * would declare them: e.g. kind {@code grpc}, for applications that subscribe to the agent's socket).
   */
  public static DevCluster start(Path dataDir, int agentCount, String zookeeper,
      Function<String, List<Writer>> writers, List<WriterConfig> configured) throws Exception {
    return start(dataDir, agentCount, zookeeper, writers, configured, Map.of());
  }

  /**
   * Starts a cluster whose agents' volumes are {@code volumes} by agent id (e.g. btrfs subvolumes, see
   * {@link BtrfsDemoVolumes}); an agent not in it gets a {@code dir} volume under {@code dataDir}.
   */
  public static DevCluster start(Path dataDir, int agentCount, String zookeeper,
      Function<String, List<Writer>> writers, List<WriterConfig> configured, Map<String, VolumeConfig> volumes)
      throws Exception {
    return start(dataDir, agentCount, zookeeper, writers, configured, volumes, UnaryOperator.identity());
  }

  /** As above, with the coordinator's configuration adjusted by {@code coordinatorConfig} (tests: short intervals). */
  public static DevCluster start(Path dataDir, int agentCount, String zookeeper,
      Function<String, List<Writer>> writers, List<WriterConfig> configured, Map<String, VolumeConfig> volumes,
      UnaryOperator<CoordinatorConfig> coordinatorConfig) throws Exception {
    return start(dataDir, agentCount, zookeeper, writers, configured, volumes, coordinatorConfig, Wire.TLS);
  }

  /** How the parts of a dev cluster speak gRPC to each other. */
  public enum Wire {
    /** Mutual TLS with certificates issued at start ({@link DevTls}): the default, as in production. */
    TLS,
    /** Plaintext, every caller trusted: only to measure what TLS costs ({@code groupsnap bench --transport}). */
    INSECURE
  }

  /** As above, on {@code wire}. */
  public static DevCluster start(Path dataDir, int agentCount, String zookeeper,
      Function<String, List<Writer>> writers, List<WriterConfig> configured, Map<String, VolumeConfig> volumes,
      UnaryOperator<CoordinatorConfig> coordinatorConfig, Wire wire) throws Exception {
    if (agentCount < 1 || agentCount > 64) {
      throw new IllegalArgumentException("--agents must be between 1 and 64, got " + agentCount);
    }
    Files.createDirectories(dataDir);
    List<AutoCloseable> started = new ArrayList<>();
    try {
      EmbeddedZooKeeper embedded = null;
      DevCredentials credentials = DevCredentials.ensure(dataDir);
      String zk = zookeeper;
      if (zk == null) {
        embedded = EmbeddedZooKeeper.start(dataDir.resolve("zookeeper"));
        started.add(embedded);
        zk = embedded.connectString();
      }
      List<String> ids = new ArrayList<>();
      for (int i = 1; i <= agentCount; i++) {
        ids.add("agent-" + i);
      }
      DevTls tls = wire == Wire.TLS ? DevTls.issue(dataDir.resolve(TLS_DIR), ids) : DevTls.plaintext(ids);
      Transport coordinatorTransport = tls.coordinator().open();
      started.add(coordinatorTransport);
      Coordinator coordinator = new Coordinator(coordinatorConfig.apply(CoordinatorConfig.defaults(CLUSTER, zk,
          new HostPort("127.0.0.1", 0)).withZkWait(Duration.ofSeconds(10))), coordinatorTransport, DecisionRule.STRICT,
          FaultPoints.NONE, credentials.coordinator())
          .withMetricsListen(LOOPBACK_ANY).start();
      started.add(coordinator);
      Map<String, Agent> agents = new LinkedHashMap<>();
      for (String id : ids) {
        List<Writer> own = writers.apply(id);
        AgentConfig config = agentConfig(dataDir, id, zk, own.isEmpty() && configured.isEmpty(), configured)
            .withZookeeperAuth(credentials.agentsFile())
            .withTransport(tls.agent(id));
        if (volumes.containsKey(id)) {
          config = config.withVolumes(List.of(volumes.get(id)), configured);
          ConfigLoader.validate("volumes of " + id, config, own.stream().map(Writer::volumes).toList());
        }
        Agent a = Agent.create(config, own, Duration.ofSeconds(10)).start();
        started.add(a);
        agents.put(id, a);
      }
      return new DevCluster(dataDir, embedded, zk, coordinator, coordinatorTransport, agents, credentials, tls);
    } catch (Exception e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).close();
      }
      throw e;
    }
  }

  /**
   * @param unheld the agent has no writers: its volume is declared {@code allowUnheld} (nothing writes to a dev
   *     volume but the operator, by hand)
   */
  static AgentConfig agentConfig(Path dataDir, String id, String zk, boolean unheld, List<WriterConfig> writers)
      throws java.io.IOException {
    Path home = dataDir.resolve(id).toAbsolutePath();
    Path volume = home.resolve(VOLUME);
    Files.createDirectories(volume);
    ExportsConfig exports = Tools.which("restic").isEmpty() ? ExportsConfig.NONE
        : new ExportsConfig(List.of(new ExportTargetConfig.Restic(EXPORT_TARGET, resticRepository(dataDir, id)
            .toString(), resticPassword(home), 0, true, ExportTargetConfig.Restic.DEFAULT_NICE,
            Duration.ofHours(1))), 1);
    return AgentConfig.builder(id, home.resolve("snapshots"))
        .exports(exports)
        .cluster(CLUSTER)
        .listen(new HostPort("127.0.0.1", 0))
        .zookeeper(zk)
        .stateDir(home.resolve("state"))
        .labels(Map.of("dev", "true"))
        .metricsListen(LOOPBACK_ANY)
        .volumes(List.of(new VolumeConfig(VOLUME, "dir", volume, unheld ? Map.of("allowUnheld", "true") : Map.of())))
        .writers(writers)
        .restoreRoots(List.of(home.resolve("restores"), restoreRoot(dataDir)))
        // a dev cluster's volumes are small: checksums make `verify` and `snapshot check` compare contents, as an
        // operator trying them expects (a same-size change is caught)
        .checksumCaptures(true)
        .build();
  }

  /** The restore root every agent of a dev cluster shares. */
  public static Path restoreRoot(Path dataDir) {
    return dataDir.resolve("restores").toAbsolutePath();
  }

  /** An agent's restic repository ({@link #EXPORT_TARGET}). */
  public static Path resticRepository(Path dataDir, String agentId) {
    return dataDir.resolve(agentId).resolve("restic-repo").toAbsolutePath();
  }

  /** The repository's password file, made once with a random password (mode 0600). */
  static Path resticPassword(Path home) throws java.io.IOException {
    Path file = home.resolve("restic.pass");
    if (!Files.exists(file)) {
      byte[] random = new byte[24];
      new java.security.SecureRandom().nextBytes(random);
      Path tmp = home.resolve("restic.pass.tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, java.util.HexFormat.of().formatHex(random) + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return file;
  }

  /** The directory of an agent's {@code data} volume. */
  public static Path volumeDir(Path dataDir, String agentId) {
    return dataDir.resolve(agentId).resolve(VOLUME).toAbsolutePath();
  }

  public Path dataDir() {
    return dataDir;
  }

  public String zookeeper() {
    return zookeeper;
  }

  public Coordinator coordinator() {
    return coordinator;
  }

  public Map<String, Agent> agents() {
    return agents;
  }

  /**
   * The ZooKeeper credential files it runs with: the coordinator's (to start another coordinator of this cluster, or
   * for a test's client that may write anything) and the agents' (what the CLI reads the leader with).
   */
  public DevCredentials credentials() {
    return credentials;
  }

  /** How the cluster's {@code admin} reaches it: its TLS files (or plaintext), for a {@link CoordinatorSession}. */
  public TransportSettings clientTransport() {
    return tls.client();
  }

  /** The coordinator's transport (its certificate, or plaintext): to start another coordinator of this cluster. */
  public TransportSettings coordinatorTransport() {
    return tls.coordinator();
  }

  /**
   * The transport the running coordinator serves and dials agents with (its certificate as last reloaded): for a
   * test that makes a hop as the coordinator does. Closed with the cluster.
   */
  public Transport coordinatorTransportInUse() {
    return coordinatorTransport;
  }

  /** A session with the coordinator as the cluster's {@code admin}; the caller closes it. */
  public CoordinatorSession session() throws TlsException {
    return new CoordinatorSession(coordinator.endpoint(), tls.client());
  }

  /**
   * Writes {@code dev.env} with the coordinator and ZooKeeper addresses and the {@code admin} client's credentials
   * (GROUPSNAP_TLS_*), and the agents' ZooKeeper credential file, with which the CLI may read the leader;
   * returns its path.
   */
  public Path writeEnv() throws java.io.IOException {
    Path env = dataDir.resolve("dev.env");
    Files.writeString(env, "GROUPSNAP_COORDINATOR=" + coordinator.endpoint() + "\n"
        + "GROUPSNAP_ZOOKEEPER=" + zookeeper + "\n"
        + "GROUPSNAP_ZOOKEEPER_AUTH=" + credentials.agentsFile().toAbsolutePath() + "\n"
        + "GROUPSNAP_CLUSTER=" + CLUSTER + "\n"
        + tls.env(), StandardCharsets.UTF_8);
    return env;
  }

  @Override
  public void close() throws Exception {
    for (Agent a : agents.values()) {
      a.close();
    }
    coordinator.close();
    coordinatorTransport.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
