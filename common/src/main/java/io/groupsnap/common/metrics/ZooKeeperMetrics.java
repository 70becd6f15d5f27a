package io.groupsnap.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.curator.framework.CuratorFramework;

/**
 * {@code groupsnap_zookeeper_connected}: 1 while the daemon's ZooKeeper client is connected, else 0 (suspended, lost,
 * not yet connected, closed). Read from the client's own state when scraped; no call to ZooKeeper.
 */
public final class ZooKeeperMetrics {
  private ZooKeeperMetrics() {}

  /** Registers the gauge for {@code zk}. */
  public static void bind(CuratorFramework zk, MeterRegistry registry) {
    Gauge.builder("groupsnap.zookeeper.connected", zk, z -> z.getZookeeperClient().isConnected() ? 1 : 0)
        .description("1 while the ZooKeeper client is connected, else 0")
        .strongReference(true).register(registry);
  }
}
