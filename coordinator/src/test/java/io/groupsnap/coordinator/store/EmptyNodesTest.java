package io.groupsnap.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.registry.Registration;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.testing.ContainerCleanup;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ClusterRecord;
import io.groupsnap.proto.v1.EpochRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Found by a newcomer: deleting the last group snapshot left {@code snapshots/} empty, ZooKeeper removed it about a
 * minute later (it was a container node), and every later commit failed with NoNode until a restart. Here ZooKeeper's
 * container cleanup runs every 100 ms and the tests wait until it has run.
 */
class EmptyNodesTest {
  final ZkLayout layout = new ZkLayout("t");
  TestingServer server;
  CuratorFramework zk;

  @BeforeEach
  void start() throws Exception {
    server = ContainerCleanup.fastServer();
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  static GroupSnapshot record(String id, GroupSnapshotState state) {
    return GroupSnapshot.newBuilder().setId(id).setState(state).setEpoch(1).setCreatedAtMillis(1).build();
  }

  ClusterStore.Fence lead(ClusterStore store) throws Exception {
    String latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(layout.leader() + "/latch-",
        new byte[0]);
    return new ClusterStore.Fence(latch, store.bumpEpoch(latch, "c1").epochVersion());
  }

  /** Commits {@code id}, then deletes it: the catalog is empty again. */
  static void commitThenDelete(ClusterStore store, ClusterStore.Fence fence, String id) throws Exception {
    store.createTxn(record(id, GroupSnapshotState.PREPARING), fence);
    store.commitTxn(record(id, GroupSnapshotState.COMMITTED), fence);
    store.markDeleted(store.markDeleting(store.get(id).orElseThrow(), fence), fence);
  }

  /** With {@code dir} empty, lets ZooKeeper's cleanup run: a container that ever had a child would be gone after it. */
  void assertSurvivesEmptiness(String dir) throws Exception {
    assertThat(zk.getChildren().forPath(dir)).as(dir + " is empty").isEmpty();
    ContainerCleanup.awaitPasses(server.getConnectString());
    assertThat(zk.checkExists().forPath(dir)).as(dir + " is persistent: it survived emptiness").isNotNull();
  }

  @Test
  void theNextCommit_lands_afterTheLastGroupSnapshotWasDeleted_andZooKeeperCleanedUp() throws Exception {
    ClusterStore store = new ClusterStore(zk, layout);
    store.ensureCluster();
    ClusterStore.Fence fence = lead(store);
    commitThenDelete(store, fence, "gs-1");
    assertThat(store.list(false)).isEmpty();

    assertSurvivesEmptiness(layout.snapshots());
    store.createTxn(record("gs-2", GroupSnapshotState.PREPARING), fence);
    store.commitTxn(record("gs-2", GroupSnapshotState.COMMITTED), fence);
    assertThat(store.list(false)).extracting(GroupSnapshot::getId).containsExactly("gs-2");
  }

  @Test
  void aClusterAnOlderVersionMadeWithContainers_heals_asItsNodesEmpty() throws Exception {
    // the layout as the previous version left it: every directory a container; the catalog holds one group snapshot
    try (CuratorFramework old = ContainerCleanup.containerClient(server.getConnectString())) {
      old.create().creatingParentContainersIfNeeded().forPath(layout.cluster(),
          ClusterRecord.newBuilder().setClusterId("c-old").build().toByteArray());
      for (String dir : layout.directories()) {
        old.createContainers(dir);
      }
    }
    zk.create().forPath(layout.epoch(), EpochRecord.getDefaultInstance().toByteArray());
    zk.create().forPath(layout.txn("gs-1"), record("gs-1", GroupSnapshotState.COMMITTED).toByteArray());
    zk.create().forPath(layout.snapshot("gs-1"), record("gs-1", GroupSnapshotState.COMMITTED).toByteArray());

    ClusterStore store = new ClusterStore(zk, layout);
    assertThat(store.ensureCluster()).isEqualTo("c-old");
    ClusterStore.Fence fence = lead(store);
    store.markDeleted(store.markDeleting(store.get("gs-1").orElseThrow(), fence), fence);
    ContainerCleanup.awaitPasses(server.getConnectString());
    assertThat(zk.checkExists().forPath(layout.snapshots())).as("ZooKeeper removed the emptied container").isNull();

    commitThenDelete(store, fence, "gs-2");
    assertSurvivesEmptiness(layout.snapshots()); // recreated by the commit, persistent
    store.createTxn(record("gs-3", GroupSnapshotState.PREPARING), fence);
    store.commitTxn(record("gs-3", GroupSnapshotState.COMMITTED), fence);
    assertThat(store.list(false)).extracting(GroupSnapshot::getId).containsExactly("gs-3");
  }

  @Test
  void aNewRecord_lands_afterZooKeeperRemovedAnOldContainerOfRecords() throws Exception {
    ClusterStore store = new ClusterStore(zk, layout);
    store.ensureCluster();
    ClusterStore.Fence fence = lead(store);
    zk.delete().forPath(layout.txns()); // an older version's container, whose last record was pruned
    try (CuratorFramework old = ContainerCleanup.containerClient(server.getConnectString())) {
      old.createContainers(layout.txns());
    }
    zk.create().forPath(layout.txn("gs-0"), new byte[0]);
    zk.delete().forPath(layout.txn("gs-0"));
    ContainerCleanup.awaitPasses(server.getConnectString());
    assertThat(zk.checkExists().forPath(layout.txns())).isNull();

    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    assertThat(store.get("gs-1")).isPresent();
    zk.delete().forPath(layout.txn("gs-1"));
    assertSurvivesEmptiness(layout.txns());
  }

  @Test
  void theAgentsDirectory_outlivesTheLastAgent_evenWhereAnOlderVersionLeftAContainer() throws Exception {
    try (CuratorFramework old = ContainerCleanup.containerClient(server.getConnectString())) {
      old.createContainers(layout.agents());
    }
    zk.create().forPath(layout.agent("old"), new byte[0]);
    zk.delete().forPath(layout.agent("old"));
    ContainerCleanup.awaitPasses(server.getConnectString());
    assertThat(zk.checkExists().forPath(layout.agents())).isNull();

    AgentRegistration reg = AgentRegistration.newBuilder().setAgentId("a1").setEndpoint("127.0.0.1:1").build();
    try (Registration r = Registration.register(zk, layout, reg, Duration.ofSeconds(10))) {
      assertThat(new ClusterStore(zk, layout).agents()).extracting(AgentRegistration::getAgentId)
          .containsExactly("a1");
    }
    assertSurvivesEmptiness(layout.agents());
  }

  @Test
  void parentsCreatedOnDemand_byCuratorsRecipes_arePersistent() throws Exception {
    zk.create().creatingParentContainersIfNeeded().forPath("/a/b/c", new byte[0]); // as LeaderLatch, PersistentNode
    zk.delete().forPath("/a/b/c");
    assertSurvivesEmptiness("/a/b");
  }

  @Test
  void theElectionDirectory_outlivesTheLastCoordinator() throws Exception {
    ClusterStore store = new ClusterStore(zk, layout);
    store.ensureCluster();
    CountDownLatch elected = new CountDownLatch(1);
    try (Leadership l = new Leadership(zk, store, "c1", new Leadership.Listener() {
      @Override
      public void elected(long epoch) {
        elected.countDown();
      }

      @Override
      public void deposed(String why) { }
    })) {
      l.start();
      assertThat(elected.await(20, TimeUnit.SECONDS)).isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> zk.getChildren().forPath(layout.leader()).isEmpty());
    assertSurvivesEmptiness(layout.leader());
  }
}
