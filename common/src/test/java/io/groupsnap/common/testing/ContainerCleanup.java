package io.groupsnap.common.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/**
 * ZooKeeper's container cleanup, made fast for a test: an in-process server (curator-test) that removes empty
 * container nodes every 100 ms instead of every minute, a wait until that cleanup has surely run, and a client that
 * makes container nodes as an older groupsnap did (groupsnap's own clients never do). ZooKeeper (curator-test's
 * {@code TestingZooKeeperMain}) reads {@value #INTERVAL} once, when the server starts. Shared by the agent's, the
 * coordinator's and the integration tests (common's test-jar).
 */
public final class ContainerCleanup {
  public static final String INTERVAL = "znode.container.checkIntervalMs";

  private ContainerCleanup() {}

  /** A started server whose container cleanup runs every 100 ms. */
  public static synchronized TestingServer fastServer() throws Exception {
    String before = System.getProperty(INTERVAL);
    System.setProperty(INTERVAL, "100");
    try {
      return new TestingServer(true);
    } finally {
      if (before == null) {
        System.clearProperty(INTERVAL);
      } else {
        System.setProperty(INTERVAL, before);
      }
    }
  }

  /** A started client with Curator's defaults, whose {@code createContainers} makes container nodes. */
  public static CuratorFramework containerClient(String connectString) throws InterruptedException {
    CuratorFramework c = CuratorFrameworkFactory.newClient(connectString, new RetryOneTime(200));
    c.start();
    if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) {
      c.close();
      throw new IllegalStateException("no connection to ZooKeeper at " + connectString);
    }
    return c;
  }

  /**
   * Returns once two full cleanup passes ran after this call, so that every container that was empty when it was
   * called is gone: a probe container emptied now disappears in the first pass that sees it, twice in a row.
   */
  public static void awaitPasses(String connectString) throws Exception {
    try (CuratorFramework zk = containerClient(connectString)) {
      for (int pass = 0; pass < 2; pass++) {
        String probe = "/container-cleanup-probe-" + UUID.randomUUID();
        zk.createContainers(probe);
        zk.create().forPath(probe + "/child", new byte[0]);
        zk.delete().forPath(probe + "/child");
        await().atMost(Duration.ofSeconds(20)).until(() -> zk.checkExists().forPath(probe) == null);
      }
    }
  }
}
