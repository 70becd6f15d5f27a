package io.groupsnap.coordinator.zkauth;

import io.groupsnap.common.tls.Transport;
import static io.groupsnap.coordinator.zkauth.SecuredCluster.LAYOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.common.zkauth.RegistrationAcls;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.common.zkauth.ZkRefusedException;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.HostPort;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A cluster whose coordinator and agents hold ZooKeeper credentials (issue 10, G7): a group snapshot commits; an
 * anonymous client can neither read nor change the epoch, the leader's latch node, a transaction record, a committed
 * manifest or a registration; an agent's credentials change neither another agent's registration nor anything of the
 * coordinators'; wrong credentials stop a coordinator or an agent at start with one line; no password or secret is
 * ever logged. Real ZooKeeper, real coordinator and agents over gRPC.
 */
class ZooKeeperAclTest {
  @TempDir Path tmp;
  SecuredCluster c;
  ListAppender<ILoggingEvent> logs;
  GroupSnapshot committed;

  @BeforeEach
  void start() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    root().addAppender(logs);
    c = new SecuredCluster(tmp);
    c.startCoordinator(ZkCredentials.load(c.coordinatorFile));
    c.startAgent("agent-1", c.agentsFile);
    c.startAgent("agent-2", c.agentsFile);
    committed = c.snapshot();
    assertThat(committed.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
  }

  @AfterEach
  void stop() throws Exception {
    c.close();
    root().detachAppender(logs);
  }

  static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** The nodes an attacker would rewrite: epoch, latch node, txn record, manifest, agent-2's registration. */
  List<String> guarded() throws Exception {
    CuratorFramework admin = c.client(SecuredCluster.coordinatorCredentials(c.coordinatorFile));
    List<String> latch = admin.getChildren().forPath(LAYOUT.leader());
    assertThat(latch).isNotEmpty();
    return List.of(LAYOUT.epoch(), LAYOUT.leader() + "/" + latch.get(0), LAYOUT.txn(committed.getId()),
        LAYOUT.snapshot(committed.getId()), LAYOUT.agent("agent-2"), LAYOUT.cluster());
  }

  /** Each write of {@code who} to each guarded node is refused with NoAuth, and the node's data is unchanged. */
  void refusesWrites(CuratorFramework who) throws Exception {
    CuratorFramework admin = c.client(SecuredCluster.coordinatorCredentials(c.coordinatorFile));
    for (String path : guarded()) {
      byte[] before = admin.getData().forPath(path);
      assertThatThrownBy(() -> who.setData().forPath(path, "forged".getBytes()))
          .as("setData %s", path).isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> who.setACL().withACL(org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(path))
          .as("setACL %s", path).isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> who.delete().forPath(path))
          .as("delete %s", path).isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(admin.getData().forPath(path)).as(path).isEqualTo(before);
    }
  }

  @Test
  void anonymousClient_canNeitherReadNorChangeAnything() throws Exception {
    CuratorFramework anonymous = c.client(null);
    for (String path : guarded()) {
      assertThatThrownBy(() -> anonymous.getData().forPath(path)).as("read %s", path)
          .isInstanceOf(KeeperException.NoAuthException.class);
    }
    assertThatThrownBy(() -> anonymous.getChildren().forPath(LAYOUT.leader()))
        .isInstanceOf(KeeperException.NoAuthException.class);
    refusesWrites(anonymous);
    assertThatThrownBy(() -> anonymous.create().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.agent("fake"),
        AgentRegistration.newBuilder().setAgentId("fake").setEndpoint("127.0.0.1:1").build().toByteArray()))
        .isInstanceOf(KeeperException.NoAuthException.class);
    assertThatThrownBy(() -> anonymous.create().forPath(LAYOUT.txn("gs-forged"), new byte[0]))
        .isInstanceOf(KeeperException.NoAuthException.class);
  }

  @Test
  void agentCredentials_changeNeitherAnotherRegistrationNorTheCoordinatorsNodes() throws Exception {
    ZkCredentials agent1 = ZkCredentials.of("agent-1", Map.of("agents", SecuredCluster.AGENTS_PASSWORD,
        RegistrationAcls.user("agent-1"), c.secretOf("agent-1")));
    CuratorFramework asAgent1 = c.client(agent1);
    refusesWrites(asAgent1);
    assertThatThrownBy(() -> asAgent1.create().forPath(LAYOUT.txn("gs-forged"), new byte[0]))
        .isInstanceOf(KeeperException.NoAuthException.class);
    assertThatThrownBy(() -> asAgent1.create().forPath(LAYOUT.leader() + "/forged-latch-0000000000", new byte[0]))
        .isInstanceOf(KeeperException.NoAuthException.class);
    // what an agent may: read the cluster's nodes, and change its own registration (ACL: itself ALL, readers READ)
    assertThat(asAgent1.getData().forPath(LAYOUT.epoch())).isNotEmpty();
    assertThat(asAgent1.getACL().forPath(LAYOUT.agent("agent-1")))
        .anyMatch(a -> a.getId().getId().startsWith("agent.agent-1:") && a.getPerms() == 31)
        .noneMatch(a -> a.getId().getScheme().equals("world"));
  }

  @Test
  void coordinatorWithWrongPassword_failsAtStartWithOneLine() throws Exception {
    ZkCredentials wrong = ZkCredentials.of("/etc/groupsnap/wrong.auth", Map.of("coordinator", "not-it",
        "agents", SecuredCluster.AGENTS_PASSWORD));
    Coordinator second = new Coordinator(CoordinatorConfig.defaults("default", c.zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withZkWait(Duration.ofSeconds(10)), Transport.insecure(), DecisionRule.STRICT,
        FaultPoints.NONE,
        wrong);
    Throwable t = catchThrowable(second::start);
    assertThat(t).isInstanceOf(ZkRefusedException.class);
    assertThat(t.getMessage()).startsWith("ZooKeeper refused the coordinator credentials of /etc/groupsnap/wrong.auth"
        + " at /groupsnap/").contains(": NoAuth — ").doesNotContain("\n").doesNotContain("not-it");
    assertThat(c.coordinator.isLeader()).isTrue();
  }

  @Test
  void coordinatorWithoutCredentials_failsAtStartWithOneLine() {
    Coordinator open = new Coordinator(CoordinatorConfig.defaults("default", c.zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withZkWait(Duration.ofSeconds(10)), Transport.insecure());
    Throwable t = catchThrowable(open::start);
    assertThat(t).isInstanceOf(ZkRefusedException.class);
    assertThat(t.getMessage()).startsWith("ZooKeeper refused the coordinator (no credentials) at /groupsnap/default")
        .endsWith("start the coordinator with --zookeeper-auth FILE");
  }

  @Test
  void agentWithoutOrWithWrongCredentials_failsAtStartWithOneLine() throws Exception {
    Throwable open = catchThrowable(() -> c.startAgent("agent-3", null));
    assertThat(open).isInstanceOf(ZkRefusedException.class);
    assertThat(open.getMessage()).startsWith("ZooKeeper refused the agent agent-3 (no credentials) at /groupsnap/")
        .contains("set zookeeperAuth");
    Path wrongFile = tmp.resolve("wrong-agents.auth");
    io.groupsnap.common.zkauth.SecretFiles.create(wrongFile, "agents:guessed-wrong\n");
    Throwable wrong = catchThrowable(() -> c.startAgent("agent-4", wrongFile));
    assertThat(wrong).isInstanceOf(ZkRefusedException.class);
    assertThat(wrong.getMessage()).startsWith("ZooKeeper refused the agent agent-4 credentials of " + wrongFile
        + " at /groupsnap/default/").contains(": NoAuth — ").doesNotContain("guessed-wrong").doesNotContain("\n");
  }

  @Test
  void noPasswordOrSecret_isEverLogged() throws Exception {
    c.stopAll(); // closing logs too
    List<String> secrets = List.of(SecuredCluster.COORDINATOR_PASSWORD, SecuredCluster.AGENTS_PASSWORD,
        c.secretOf("agent-1"), c.secretOf("agent-2"));
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : logs.list) {
      lines.add(e.getFormattedMessage());
      for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(t.getMessage() == null ? "" : t.getMessage());
      }
    }
    assertThat(lines).hasSizeGreaterThan(5);
    for (String secret : secrets) {
      assertThat(lines).noneMatch(l -> l.contains(secret));
    }
    assertThat(Arrays.asList(ZkCredentials.load(c.coordinatorFile).toString())).noneMatch(
        s -> s.contains(SecuredCluster.COORDINATOR_PASSWORD) || s.contains(SecuredCluster.AGENTS_PASSWORD));
  }
}
