package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.registry.AgentSecret;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.zkauth.ClusterAcls;
import io.groupsnap.common.zkauth.RegistrationAcls;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.common.testing.ContainerCleanup;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.ProgressEvent;
import io.groupsnap.common.tls.TransportSettings;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * A real cluster for a test: a curator-test ZooKeeper server, one coordinator and N agents on loopback gRPC, each
 * agent with a {@link TestWriter}. The server removes empty container nodes every 100 ms rather than every minute
 * ({@link ContainerCleanup}). Everything runs secured, as in production: mutual TLS, and ZooKeeper credentials made in
 * the data directory ({@link DevCluster#credentials()}) with which the cluster's nodes are protected; a test that
 * writes nodes itself does so through {@link #zkAsCoordinator()} or {@link #zkAsAgent}. Closing it closes
 * everything, agents first.
 */
final class ClusterFixture implements AutoCloseable {
  final TestingServer zk;
  final DevCluster cluster;
  final Map<String, TestWriter> writers = new LinkedHashMap<>();
  final ClientChannel channel;
  final CoordinatorServiceGrpc.CoordinatorServiceBlockingStub coordinator;
  final Path dataDir;

  ClusterFixture(Path dataDir, int agents) throws Exception {
    this(dataDir, agents, UnaryOperator.identity());
  }

  /** With the coordinator's configuration adjusted (e.g. a short scrub interval). */
  ClusterFixture(Path dataDir, int agents, UnaryOperator<CoordinatorConfig> coordinatorConfig) throws Exception {
    this.dataDir = dataDir;
    zk = ContainerCleanup.fastServer(); // empty container nodes vanish in 100 ms: nothing may rely on one
    try {
      cluster = DevCluster.start(dataDir, agents, zk.getConnectString(), id -> {
        TestWriter w = new TestWriter();
        writers.put(id, w);
        return List.of(w);
      }, List.of(), Map.of(), coordinatorConfig);
    } catch (Exception e) {
      zk.close();
      throw e;
    }
    channel = ClientChannel.toCoordinator(cluster.clientTransport(), cluster.coordinator().endpoint().toString());
    coordinator = CoordinatorServiceGrpc.newBlockingStub(channel.channel);
    await().atMost(Duration.ofSeconds(20)).until(() -> cluster.coordinator().isLeader());
  }

  /** The CLI flags of the cluster's {@code admin}: its TLS files, or {@code --insecure}. */
  List<String> cliCredentials() {
    TransportSettings t = cluster.clientTransport();
    return t.insecure() ? List.of("--insecure") : List.of("--tls-ca", t.tls().ca().toString(), "--tls-cert",
        t.tls().cert().toString(), "--tls-key", t.tls().key().toString());
  }

  /** The CLI flag with which it reads the leader from this cluster's ZooKeeper: the agents' credential file. */
  List<String> cliZooKeeperCredentials() {
    return List.of("--zookeeper-auth", cluster.credentials().agentsFile().toString());
  }

  /**
   * A ZooKeeper client authenticated as the cluster's coordinators, creating nodes with their ACLs: it may read and
   * write every node but an agent's registration, as a coordinator may. The caller closes it.
   */
  CuratorFramework zkAsCoordinator() throws ZkClients.UnreachableException {
    ZkCredentials c = cluster.credentials().coordinator();
    return ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10), ZkClients.SESSION_TIMEOUT,
        new ZkAuth(c, new ClusterAcls(new ZkLayout(DevCluster.CLUSTER).agents(), c)));
  }

  /**
   * A ZooKeeper client authenticated as agent {@code id} would be (the agents' password and that agent's own secret,
   * from its state directory): it may change that agent's registration only. The caller closes it.
   */
  CuratorFramework zkAsAgent(String id) throws Exception {
    Agent a = cluster.agents().get(id);
    String user = RegistrationAcls.user(id);
    ZkCredentials c = ZkCredentials.load(cluster.credentials().agentsFile())
        .plus(user, AgentSecret.loadOrCreate(a.config().stateDir()));
    return ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10), ZkClients.SESSION_TIMEOUT,
        new ZkAuth(c, new RegistrationAcls(c.id(user), c.id(ZkCredentials.AGENTS))));
  }

  /** Runs the CLI as the cluster's {@code admin}. */
  Cli cli(String... args) {
    return Cli.run(withCredentials(args));
  }

  /** Runs the CLI as the cluster's {@code admin}, stdout and stderr going to writers another thread may read. */
  Cli cli(StringWriter out, StringWriter err, String... args) {
    return Cli.run(out, err, withCredentials(args));
  }

  /** Adds the admin's TLS flags, and the ZooKeeper credentials when the command reads the leader from ZooKeeper. */
  private String[] withCredentials(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(cliCredentials());
    if (all.contains("--zookeeper") && !all.contains("--zookeeper-auth")) {
      all.addAll(cliZooKeeperCredentials());
    }
    return all.toArray(String[]::new);
  }

  /** Runs one group snapshot to its end over gRPC; returns the final record. */
  GroupSnapshot create(CreateGroupSnapshotRequest req) {
    Iterator<ProgressEvent> events = coordinator.withDeadlineAfter(2, TimeUnit.MINUTES).createGroupSnapshot(req);
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new AssertionError("stream ended without a result");
  }

  GroupSnapshot create() {
    return create(CreateGroupSnapshotRequest.getDefaultInstance());
  }

  /** G2: no agent and no writer holds anything (waits a bounded time for in-flight thaws). */
  void assertNothingFrozen() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (Agent a : cluster.agents().values()) {
        assertThat(a.participant().isHolding()).as("agent %s holding", a.id()).isFalse();
      }
      for (Map.Entry<String, TestWriter> w : writers.entrySet()) {
        assertThat(w.getValue().holding).as("writer on %s holding", w.getKey()).isFalse();
      }
    });
  }

  /** G3: no capture and no pending record on any agent except the KEPT captures of {@code kept}. */
  void assertNoOrphans(List<String> kept) throws IOException {
    for (Agent a : cluster.agents().values()) {
      for (LocalSnapshot s : a.participant().snapshots("")) {
        assertThat(kept).as("snapshot record %s on %s", s.getGroupSnapshotId(), a.id())
            .contains(s.getGroupSnapshotId());
        assertThat(s.getState()).isEqualTo(LocalSnapshotState.LOCAL_KEPT);
      }
      Path volRoot = a.config().snapshotRoot().resolve(DevCluster.VOLUME);
      if (Files.isDirectory(volRoot)) {
        try (Stream<Path> entries = Files.list(volRoot)) {
          assertThat(entries.map(p -> p.getFileName().toString()).toList())
              .as("captures on %s", a.id()).allMatch(kept::contains);
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    channel.close();
    writers.values().forEach(w -> {
      if (w.freezeGate != null) {
        w.freezeGate.countDown();
      }
    });
    try {
      cluster.close();
    } finally {
      zk.close();
    }
  }
}
