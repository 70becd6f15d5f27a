package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** Clients made by {@link ZkClients} read a directory whose listing is larger than ZooKeeper's 1 MiB default. */
class ZkClientsTest {
  @Test
  void aListingAboveOneMebibyte_isRead() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10))) {
      zk.create().forPath("/big");
      int children = 6000;
      String pad = "x".repeat(200);
      CountDownLatch created = new CountDownLatch(children);
      for (int i = 0; i < children; i++) {
        zk.create().inBackground((c, e) -> created.countDown()).forPath("/big/" + pad + i);
      }
      assertThat(created.await(60, TimeUnit.SECONDS)).isTrue();

      List<String> names = zk.getChildren().forPath("/big");

      assertThat(names.stream().mapToInt(n -> n.length() + 4).sum()).isGreaterThan(1 << 20);
      assertThat(names).hasSize(children);
    }
  }
}
