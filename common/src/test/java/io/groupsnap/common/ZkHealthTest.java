package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules from connection states to health, driven state by state on a client connected to a real ZooKeeper (the
 * daemons' tests cut ZooKeeper for real: CoordinatorHealthTest, AgentHealthTest).
 */
class ZkHealthTest {
  TestingServer server;
  CuratorFramework zk;
  Health health = new Health("test");

  @BeforeEach
  void connect() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
  }

  @AfterEach
  void close() throws Exception {
    zk.close();
    server.close();
  }

  @Test
  void nothingIsServing_untilStart_evenWhenConnectedAndRegistered() {
    ZkHealth h = ZkHealth.follow(zk, health, ZkHealth.Needs.CONNECTION);
    h.stateChanged(zk, ConnectionState.RECONNECTED);
    h.registered();
    assertThat(health.isServing()).isFalse();

    h.start();

    assertThat(health.isServing()).isTrue();
  }

  @Test
  void connectionOnly_followsSuspendedLostAndReconnected() {
    ZkHealth h = ZkHealth.follow(zk, health, ZkHealth.Needs.CONNECTION);
    h.start();
    assertThat(health.isServing()).isTrue();

    h.stateChanged(zk, ConnectionState.SUSPENDED);
    assertThat(health.isServing()).isFalse();
    h.stateChanged(zk, ConnectionState.RECONNECTED);
    assertThat(health.isServing()).isTrue();
    h.stateChanged(zk, ConnectionState.LOST);
    assertThat(health.isServing()).isFalse();
    h.stateChanged(zk, ConnectionState.RECONNECTED);
    assertThat(health.isServing()).as("a standby coordinator has nothing to re-create").isTrue();
    h.stateChanged(zk, ConnectionState.READ_ONLY);
    assertThat(health.isServing()).isFalse();
  }

  @Test
  void withRegistration_aSuspensionKeepsIt_butAfterALostSessionOnlyItsRecreationCounts() {
    ZkHealth h = ZkHealth.follow(zk, health, ZkHealth.Needs.CONNECTION_AND_REGISTRATION);
    h.start();
    assertThat(health.isServing()).as("connected, not yet registered").isFalse();
    h.registered();
    assertThat(health.isServing()).isTrue();

    h.stateChanged(zk, ConnectionState.SUSPENDED);
    assertThat(health.isServing()).isFalse();
    h.stateChanged(zk, ConnectionState.RECONNECTED);
    assertThat(health.isServing()).as("the same session: its ephemeral node survived").isTrue();

    h.stateChanged(zk, ConnectionState.LOST);
    h.stateChanged(zk, ConnectionState.RECONNECTED);
    assertThat(health.isServing()).as("a new session: the node is gone until re-created").isFalse();
    h.registered();
    assertThat(health.isServing()).isTrue();
  }

  @Test
  void startedWhileDisconnected_isNotServing_untilTheConnectionIsBack() throws Exception {
    server.stop();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !zk.getZookeeperClient().isConnected());
    ZkHealth h = ZkHealth.follow(zk, health, ZkHealth.Needs.CONNECTION);
    h.start();
    assertThat(health.isServing()).isFalse();

    server.restart();

    await().atMost(Duration.ofSeconds(20)).until(health::isServing);
    h.close();
  }
}
