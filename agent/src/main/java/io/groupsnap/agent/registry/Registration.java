package io.groupsnap.agent.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.ZkNodes;
import io.groupsnap.common.zkauth.RegistrationAcls;
import io.groupsnap.common.zkauth.ZkRefusedException;
import io.groupsnap.proto.v1.AgentRegistration;
import java.time.Duration;
import io.groupsnap.common.ZkClients;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The agent's ephemeral znode {@code agents/<agentId>}: present while the agent's ZooKeeper session lives, recreated
 * after a session expiry. An agent restarted after a crash finds its previous session's node still there until that
 * session expires, and waits for it (bounded by the session timeout); a node that outlives that wait belongs to a
 * live process with the same agent id, and the agent refuses to start. The directory {@code agents/} is made a
 * persistent node first (never a container, which ZooKeeper would delete in a moment without agents).
 *
 * <p>With ZooKeeper credentials ({@link RegistrationAcls}) only this agent may change the node, and {@code agents/}
 * must exist (a coordinator makes it). Agents may create in {@code agents/} but not delete there, so closing leaves
 * the node to vanish with the agent's session, which the agent ends right after.
 */
public final class Registration implements AutoCloseable {
  private final PersistentNode node;

  private Registration(PersistentNode node) {
    this.node = node;
  }

  /** Registers; see {@link #register(CuratorFramework, ZkLayout, AgentRegistration, Duration, Runnable)}. */
  public static Registration register(CuratorFramework zk, ZkLayout layout, AgentRegistration reg, Duration wait)
      throws Exception {
    return register(zk, layout, reg, wait, () -> { }, null);
  }

  /**
   * Creates the agent's ephemeral node, first waiting out a previous session's (see the class comment).
   *
   * @param created called (on a Curator thread) each time the node is created in the current session: the first
   *     time, and again after a session expiry took it away; never when it merely survived a disconnection
   * @param acls the ACL provider of {@code zk} when it has credentials: it learns the readers of {@code agents/}
   *     here; null for an anonymous client
   */
  public static Registration register(CuratorFramework zk, ZkLayout layout, AgentRegistration registration,
      Duration wait, Runnable created, RegistrationAcls acls) throws Exception {
    AgentRegistration reg = Formats.stamp(registration);
    String path = layout.agent(reg.getAgentId());
    ZooKeeper session = zk.getZookeeperClient().getZooKeeper();
    long ours = session.getSessionId();
    // the previous session's timeout is not known here: this one's, negotiated with the same servers from the same
    // configuration, stands in for it
    Duration timeout = session.getSessionTimeout() > 0 ? Duration.ofMillis(session.getSessionTimeout())
        : ZkClients.SESSION_TIMEOUT;
    long until = System.nanoTime() + timeout.plusSeconds(5).toNanos();
    Stat stat;
    while ((stat = zk.checkExists().forPath(path)) != null && stat.getEphemeralOwner() != ours) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("agent id '" + reg.getAgentId() + "' is already registered by a live agent "
            + holder(zk, path));
      }
      CountDownLatch gone = new CountDownLatch(1);
      if (zk.checkExists().usingWatcher((Watcher) e -> gone.countDown()).forPath(path) != null) {
        gone.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
      }
    }
    if (acls == null) {
      ZkNodes.ensurePersistent(zk, layout.agents()); // never a container: it must outlive a moment without agents
    } else {
      acls.readersFrom(zk.getACL().forPath(layout.agents()));
    }
    PersistentNode node = new PersistentNode(zk, CreateMode.EPHEMERAL, false, path, reg.toByteArray());
    node.getListenable().addListener(p -> created.run());
    node.start();
    if (!node.waitForInitialCreate(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      closeQuietly(node);
      refusal(zk, path, reg);
      throw new IllegalStateException("could not register agent " + reg.getAgentId() + " in ZooKeeper within "
          + wait.toSeconds() + "s");
    }
    return new Registration(node);
  }

  /** Throws ZooKeeper's refusal when that is why the node could not be made (the background create hides it). */
  private static void refusal(CuratorFramework zk, String path, AgentRegistration reg) throws Exception {
    try {
      zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, reg.toByteArray());
    } catch (KeeperException e) {
      if (ZkRefusedException.refusal(e).isPresent()) {
        throw e;
      }
    }
  }

  private static void closeQuietly(PersistentNode node) {
    try {
      node.close();
    } catch (Exception e) {
      // it was never made, or it goes with the session
    }
  }

  private static String holder(CuratorFramework zk, String path) throws Exception {
    try {
      return "at " + AgentRegistration.parseFrom(zk.getData().forPath(path)).getEndpoint();
    } catch (InvalidProtocolBufferException e) {
      return "(its registration " + path + " cannot be decoded)";
    } catch (KeeperException.NoNodeException e) {
      return "(gone just now: start again)";
    }
  }

  @Override
  public void close() throws Exception {
    try {
      node.close();
    } catch (Exception e) {
      if (ZkRefusedException.refusal(e).isEmpty()) {
        throw e;
      }
      // an agent with credentials may not delete in agents/: the node goes with its session, ended right after
    }
  }
}
