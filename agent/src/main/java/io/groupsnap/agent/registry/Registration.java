package io.groupsnap.agent.registry;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AgentRegistration;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;

/**
 * The agent's ephemeral znode {@code agents/<agentId>}: present while the agent's ZooKeeper session lives, recreated
 * after a session expiry. Refuses to start when another live process already holds the same agent id.
 */
public final class Registration implements AutoCloseable {
  private final PersistentNode node;

  private Registration(PersistentNode node) {
    this.node = node;
  }

  public static Registration register(CuratorFramework zk, ZkLayout layout, AgentRegistration reg, Duration wait)
      throws Exception {
    String path = layout.agent(reg.getAgentId());
    Stat stat = zk.checkExists().forPath(path);
    if (stat != null && stat.getEphemeralOwner() != zk.getZookeeperClient().getZooKeeper().getSessionId()) {
      AgentRegistration other = AgentRegistration.parseFrom(zk.getData().forPath(path));
      throw new IllegalStateException("agent id '" + reg.getAgentId() + "' is already registered by a live agent at "
          + other.getEndpoint());
    }
    zk.createContainers(layout.agents());
    PersistentNode node = new PersistentNode(zk, CreateMode.EPHEMERAL, false, path, reg.toByteArray());
    node.start();
    if (!node.waitForInitialCreate(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      node.close();
      throw new IllegalStateException("could not register agent " + reg.getAgentId() + " in ZooKeeper within "
          + wait.toSeconds() + "s");
    }
    return new Registration(node);
  }

  @Override
  public void close() throws Exception {
    node.close();
  }
}
