package io.groupsnap.coordinator.zkauth;

import io.groupsnap.common.tls.Transport;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.zkauth.SecretFiles;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper, a real coordinator and real agents (one {@code dir} volume each) in this process, with or without
 * ZooKeeper credentials, and clients of ZooKeeper with any credentials to probe what they may do. Closes everything.
 */
final class SecuredCluster implements AutoCloseable {
  static final ZkLayout LAYOUT = new ZkLayout("default");
  static final String COORDINATOR_PASSWORD = "c-pass-7f3a9d";
  static final String AGENTS_PASSWORD = "a-pass-41be07";

  final Path dir;
  final TestingServer zk;
  final Path coordinatorFile;
  final Path agentsFile;
  Coordinator coordinator;
  final Map<String, Agent> agents = new LinkedHashMap<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private ManagedChannel channel;

  SecuredCluster(Path dir) throws Exception {
    this.dir = dir;
    this.zk = new TestingServer(true);
    coordinatorFile = dir.resolve("coordinator.auth");
    agentsFile = dir.resolve("agents.auth");
    SecretFiles.create(coordinatorFile, "coordinator:" + COORDINATOR_PASSWORD + "\nagents:" + AGENTS_PASSWORD + "\n");
    SecretFiles.create(agentsFile, "# the agents' shared credential\nagents:" + AGENTS_PASSWORD + "\n");
  }

  static ZkCredentials coordinatorCredentials(Path file) {
    return ZkCredentials.of(file.toString(), Map.of("coordinator", COORDINATOR_PASSWORD, "agents", AGENTS_PASSWORD));
  }

  /** Starts the coordinator with {@code credentials} (null: anonymous) and waits until it leads. */
  Coordinator startCoordinator(ZkCredentials credentials) throws Exception {
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withZkWait(Duration.ofSeconds(10)), Transport.insecure(), DecisionRule.STRICT,
        FaultPoints.NONE,
        credentials).start();
    await().atMost(Duration.ofSeconds(30)).until(coordinator::isLeader);
    if (channel != null) {
      channel.shutdownNow();
    }
    channel = NettyChannelBuilder.forTarget(coordinator.endpoint().toString()).usePlaintext().build();
    return coordinator;
  }

  /**
   * An agent's configuration: {@code auth} is its credential file, or null. Plaintext gRPC, as this cluster's
   * coordinator speaks ({@code insecure}, which is also what lets an agent start without ZooKeeper credentials).
   */
  AgentConfig agentConfig(String id, Path auth) throws Exception {
    Path home = dir.resolve(id);
    Path data = Files.createDirectories(home.resolve("data"));
    Files.writeString(data.resolve("state.txt"), "state of " + id);
    return AgentConfig.builder(id, home.resolve("snapshots")).listen(new HostPort("127.0.0.1", 0))
        .zookeeper(zk.getConnectString()).stateDir(home.resolve("state")).zookeeperAuth(auth)
        .insecure(true) // plaintext gRPC: what these tests are about is ZooKeeper
        .volumes(List.of(new VolumeConfig("data", "dir", data, Map.of("allowUnheld", "true")))).build();
  }

  Agent startAgent(String id, Path auth) throws Exception {
    Agent a = Agent.create(agentConfig(id, auth), List.of(), Duration.ofSeconds(10)).start();
    agents.put(id, a);
    return a;
  }

  void stopAll() {
    agents.values().forEach(Agent::close);
    agents.clear();
    if (coordinator != null) {
      coordinator.close();
      coordinator = null;
    }
  }

  /** Takes a group snapshot of every agent, once the coordinator sees them all; returns its final record. */
  GroupSnapshot snapshot() {
    CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub = CoordinatorServiceGrpc.newBlockingStub(channel);
    await().atMost(Duration.ofSeconds(30)).until(() -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
        .listAgents(ListAgentsRequest.getDefaultInstance()).getAgentsCount() == agents.size());
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
        .createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance());
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new AssertionError("the stream ended without a result");
  }

  /** A client of the same ZooKeeper authenticated with {@code credentials}, or anonymous for null. */
  CuratorFramework client(ZkCredentials credentials) throws Exception {
    CuratorFramework c = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10), ZkClients.SESSION_TIMEOUT,
        credentials == null ? null : new ZkAuth(credentials, null));
    clients.add(c);
    return c;
  }

  /** The secret agent {@code id} made in its state directory. */
  String secretOf(String id) throws Exception {
    return Files.readString(dir.resolve(id).resolve("state").resolve("zookeeper-secret")).strip();
  }

  @Override
  public void close() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    stopAll();
    for (AutoCloseable c : clients) {
      c.close();
    }
    zk.close();
  }
}
