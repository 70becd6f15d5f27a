package io.groupsnap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's gRPC health over a real socket: SERVING while connected to ZooKeeper and registered; NOT_SERVING while
 * ZooKeeper is gone; after a lost session, SERVING again only once its registration exists again.
 */
class AgentHealthTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path tmp;
  TestingServer zk;
  Agent agent;
  ManagedChannel channel;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  /**
   * Starts the agent. A short session timeout makes a session expire soon after ZooKeeper goes away; where that is
   * not needed the default keeps a starved test machine from losing the session on its own.
   */
  void startAgent(Duration sessionTimeout) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    AgentConfig config = AgentConfig.builder("a1", tmp.resolve("snapshots"))
        .listen(new HostPort("127.0.0.1", 0)).zookeeper(zk.getConnectString())
        .zookeeperSessionTimeout(sessionTimeout)
        .volumes(List.of(new VolumeConfig("data", "dir", data, Map.of("allowUnheld", "true"))))
        .insecure(true)
        .build();
    agent = Agent.create(config, List.of(), Duration.ofSeconds(10)).start();
    channel = NettyChannelBuilder.forTarget(agent.endpoint().toString()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      channel.shutdownNow();
      agent.close();
    }
    zk.close();
  }

  ServingStatus probe(String service) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  /** Both the whole server and the agent's service name answer {@code expected}. */
  boolean reports(ServingStatus expected) {
    return probe("") == expected && probe(AgentServiceGrpc.SERVICE_NAME) == expected;
  }

  boolean serving() {
    return reports(ServingStatus.SERVING);
  }

  boolean registered() throws Exception {
    try (CuratorFramework client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10))) {
      return client.checkExists().forPath(new ZkLayout("default").agent("a1")) != null;
    }
  }

  @Test
  void health_isNotServing_whileZooKeeperIsGone_andServingAgain_onceItIsBack() throws Exception {
    startAgent(ZkClients.SESSION_TIMEOUT);
    await().atMost(WAIT).until(this::serving);
    assertThat(registered()).isTrue();

    zk.stop();
    await().atMost(WAIT).until(() -> reports(ServingStatus.NOT_SERVING));

    zk.restart();
    await().atMost(WAIT).until(this::serving);
    assertThat(registered()).isTrue();
  }

  @Test
  void afterItsSessionIsLost_healthIsServingAgain_onlyWithItsRegistrationBack() throws Exception {
    startAgent(Duration.ofSeconds(2));
    await().atMost(WAIT).until(this::serving);
    int port = zk.getPort();

    // a new, empty ZooKeeper at the same address knows neither the session nor the registration
    zk.close();
    await().atMost(WAIT).until(() -> reports(ServingStatus.NOT_SERVING));
    zk = new TestingServer(port, true);

    await().atMost(WAIT).until(this::serving);
    assertThat(registered()).as("SERVING means registered in the ZooKeeper it is connected to").isTrue();
  }
}
