package io.groupsnap.agent.registry;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.common.ClusterIdentity;
import io.groupsnap.common.Durations;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.RegistrationAcls;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.common.zkauth.ZkRefusedException;
import io.groupsnap.proto.v1.ClusterRecord;
import io.groupsnap.proto.v1.EpochRecord;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

/**
 * How an agent reaches its cluster in ZooKeeper: anonymously (no {@code zookeeperAuth}, which only an
 * {@code insecure: true} configuration may omit: as before ZooKeeper ACLs), or
 * authenticated as {@code agents} (the shared credential file) and as its own digest user {@code agent.<agentId>}
 * ({@link AgentSecret}), which alone may change its registration ({@link RegistrationAcls}).
 *
 * <p>With credentials the agent creates nothing but its registration: it waits (bounded) for a coordinator to have
 * set the cluster up, then reads the cluster id and the epoch, and fails with one line when ZooKeeper refuses. Not
 * thread-safe; used once, at start.
 */
public final class ClusterAccess {
  private final AgentConfig config;
  private final ZkCredentials credentials;
  private final RegistrationAcls acls;

  private ClusterAccess(AgentConfig config, ZkCredentials credentials, RegistrationAcls acls) {
    this.config = config;
    this.credentials = credentials;
    this.acls = acls;
  }

  /** Reads the agent's credentials (and makes its own secret at its first start); its state directory must exist. */
  public static ClusterAccess of(AgentConfig config) throws CredentialsFileException {
    if (config.zookeeperAuth() == null) {
      return new ClusterAccess(config, null, null);
    }
    String user = RegistrationAcls.user(config.agentId());
    ZkCredentials shared = ZkCredentials.load(config.zookeeperAuth()).require(ZkCredentials.AGENTS, "an agent");
    ZkCredentials own = shared.plus(user, AgentSecret.loadOrCreate(config.stateDir()));
    return new ClusterAccess(config, own, new RegistrationAcls(own.id(user), own.id(ZkCredentials.AGENTS)));
  }

  /** The ACL its registration gets; null without credentials. */
  public RegistrationAcls registrationAcls() {
    return acls;
  }

  public CuratorFramework connect(Duration wait) throws ZkClients.UnreachableException {
    return ZkClients.connect(config.zookeeper(), wait, config.zookeeperSessionTimeout(),
        credentials == null ? null : new ZkAuth(credentials, acls));
  }

  /**
   * The cluster's id. Without credentials it is made when missing (as before); with them, a coordinator makes it:
   * this waits at most {@code wait} for the epoch (the last node a coordinator sets up), then reads both.
   *
   * @throws ZkRefusedException when ZooKeeper refuses the reads (one line naming the node)
   * @throws IllegalStateException when no coordinator set the cluster up within {@code wait}
   */
  public String clusterId(CuratorFramework zk, ZkLayout layout, Duration wait) throws Exception {
    try {
      if (credentials == null) {
        return ClusterIdentity.ensure(zk, layout);
      }
      awaitNode(zk, layout.epoch(), wait);
      String id = ClusterRecord.parseFrom(zk.getData().forPath(layout.cluster())).getClusterId();
      EpochRecord.parseFrom(zk.getData().forPath(layout.epoch()));
      return id;
    } catch (Exception e) {
      throw refused(e, layout.base());
    }
  }

  /** {@code e} as one line when it is a refusal of ZooKeeper, else {@code e} itself. */
  public Exception refused(Exception e, String path) {
    Optional<KeeperException> refusal = ZkRefusedException.refusal(e);
    if (refusal.isEmpty()) {
      return e;
    }
    return ZkRefusedException.of("agent " + config.agentId(), credentials, refusal.get(), path,
        "check that its agents password is this cluster's (the one in the coordinators' credential file)",
        "this cluster's nodes are protected: set zookeeperAuth in the agent's configuration");
  }

  private static void awaitNode(CuratorFramework zk, String path, Duration wait) throws Exception {
    long until = System.nanoTime() + wait.toNanos();
    while (zk.checkExists().forPath(path) == null) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("no " + path + " after " + Durations.format(wait) + ": a coordinator with "
            + "ZooKeeper credentials sets the cluster up; start one first");
      }
      CountDownLatch made = new CountDownLatch(1);
      if (zk.checkExists().usingWatcher((Watcher) ev -> made.countDown()).forPath(path) == null) {
        made.await(left, TimeUnit.NANOSECONDS);
      }
    }
  }
}
