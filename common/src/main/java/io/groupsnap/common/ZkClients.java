package io.groupsnap.common;

import io.groupsnap.common.zkauth.ZkAuth;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;

/**
 * Starts Curator clients with the settings every groupsnap process uses, failing clearly instead of hanging. No client
 * made here creates a container node: parents created on demand are persistent.
 */
public final class ZkClients {
  public static final Duration DEFAULT_CONNECT_WAIT = Duration.ofSeconds(15);
  /**
   * The default ZooKeeper session timeout. It sets how long a killed leader keeps its leadership node, so it is most
   * of the failover time (docs/operations.md); shorter also means more spurious expiries when a process pauses.
   */
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  /** Bounds of a configured session timeout (ZooKeeper clamps it further, to 2–20 times its tickTime). */
  public static final Duration MIN_SESSION_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration MAX_SESSION_TIMEOUT = Duration.ofMinutes(2);

  private ZkClients() {}

  /** Connects with the default session timeout; see {@link #connect(String, Duration, Duration)}. */
  public static CuratorFramework connect(String connectString, Duration wait) throws UnreachableException {
    return connect(connectString, wait, SESSION_TIMEOUT);
  }

  /**
   * Checks a configured session timeout against {@link #MIN_SESSION_TIMEOUT} and {@link #MAX_SESSION_TIMEOUT}.
   *
   * @throws IllegalArgumentException naming {@code where} and the bounds
   */
  public static Duration requireSessionTimeout(String where, Duration timeout) {
    if (timeout.compareTo(MIN_SESSION_TIMEOUT) < 0 || timeout.compareTo(MAX_SESSION_TIMEOUT) > 0) {
      throw new IllegalArgumentException(where + ": ZooKeeper session timeout " + Durations.format(timeout)
          + " is outside [" + Durations.format(MIN_SESSION_TIMEOUT) + ", " + Durations.format(MAX_SESSION_TIMEOUT)
          + "]");
    }
    return timeout;
  }

  /**
   * Connects and waits at most {@code wait} for the first connection.
   *
   * @param sessionTimeout the session timeout asked of ZooKeeper (checked with {@link #requireSessionTimeout})
   * @throws UnreachableException naming the connect string, after closing the client
   */
  public static CuratorFramework connect(String connectString, Duration wait, Duration sessionTimeout)
      throws UnreachableException {
    return connect(connectString, wait, sessionTimeout, null);
  }

  /**
   * Connects as {@link #connect(String, Duration, Duration)} does, authenticated with {@code auth}'s digest users and
   * creating every node with {@code auth}'s ACLs (see {@code common.zkauth}); a null {@code auth} connects
   * anonymously and creates nodes open to anyone, as before ZooKeeper ACLs.
   */
  public static CuratorFramework connect(String connectString, Duration wait, Duration sessionTimeout, ZkAuth auth)
      throws UnreachableException {
    requireSessionTimeout("session timeout", sessionTimeout);
    if (connectString == null || connectString.isBlank()) {
      throw new UnreachableException("ZooKeeper connect string is empty");
    }
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
    if (auth != null) {
      builder.authorization(auth.credentials().authInfos());
      if (auth.acls() != null) {
        builder.aclProvider(auth.acls());
      }
    }
    CuratorFramework client = builder
        .connectString(connectString)
        .sessionTimeoutMs((int) sessionTimeout.toMillis())
        .connectionTimeoutMs((int) Math.min(wait.toMillis(), 10_000))
        .retryPolicy(new ExponentialBackoffRetry(200, 5, 2_000))
        // parents that Curator creates (its recipes: LeaderLatch, PersistentNode) are persistent, never containers,
        // which ZooKeeper deletes once empty: see ZkNodes
        .dontUseContainerParents()
        .zkClientConfig(clientConfig())
        .build();
    client.start();
    try {
      if (!client.blockUntilConnected((int) wait.toMillis(), TimeUnit.MILLISECONDS)) {
        client.close();
        throw new UnreachableException("cannot reach ZooKeeper at " + connectString + " within "
            + Durations.format(wait));
      }
    } catch (InterruptedException e) {
      client.close();
      Thread.currentThread().interrupt();
      throw new UnreachableException("interrupted while connecting to ZooKeeper at " + connectString);
    } catch (IllegalArgumentException e) {
      client.close();
      throw new UnreachableException("invalid ZooKeeper connect string '" + connectString + "': " + e.getMessage());
    }
    return client;
  }

  /**
   * The largest answer a client accepts from ZooKeeper. ZooKeeper's client default (1 MiB) would make listing the
   * audit trail's directory fail once it holds some 65,000 entries (about 16 bytes a name) — and fail by dropping the
   * connection; the trail keeps up to 200,000. Requests stay bounded by the servers' own limit.
   */
  public static final int MAX_ANSWER_BYTES = 8 << 20;

  private static ZKClientConfig clientConfig() {
    ZKClientConfig c = new ZKClientConfig();
    c.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(MAX_ANSWER_BYTES));
    return c;
  }

  /** A service that could not be reached within a bounded wait. */
  public static final class UnreachableException extends Exception {
    public UnreachableException(String message) {
      super(message);
    }
  }
}
