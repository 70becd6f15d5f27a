package io.groupsnap.common;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Starts Curator clients with the settings every groupsnap process uses, failing clearly instead of hanging. */
public final class ZkClients {
  public static final Duration DEFAULT_CONNECT_WAIT = Duration.ofSeconds(15);
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  private ZkClients() {}

  /**
   * Connects and waits at most {@code wait} for the first connection.
   *
   * @throws UnreachableException naming the connect string, after closing the client
   */
  public static CuratorFramework connect(String connectString, Duration wait) throws UnreachableException {
    if (connectString == null || connectString.isBlank()) {
      throw new UnreachableException("ZooKeeper connect string is empty");
    }
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs((int) SESSION_TIMEOUT.toMillis())
        .connectionTimeoutMs((int) Math.min(wait.toMillis(), 10_000))
        .retryPolicy(new ExponentialBackoffRetry(200, 5, 2_000))
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

  /** A service that could not be reached within a bounded wait. */
  public static final class UnreachableException extends Exception {
    public UnreachableException(String message) {
      super(message);
    }
  }
}
