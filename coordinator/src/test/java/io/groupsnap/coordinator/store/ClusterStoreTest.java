package io.groupsnap.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fencing of leader writes, against a real ZooKeeper server. */
class ClusterStoreTest {
  TestingServer server;
  CuratorFramework zk;
  ClusterStore store;
  String latch;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    store = new ClusterStore(zk, new ZkLayout("t"));
    store.ensureCluster();
    latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/groupsnap/t/leader/latch-", new byte[0]);
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  static GroupSnapshot record(String id, GroupSnapshotState state) {
    return GroupSnapshot.newBuilder().setId(id).setState(state).setEpoch(1).setCreatedAtMillis(1).build();
  }

  @Test
  void theClusterId_isMadeOnce() throws Exception {
    assertThat(new ClusterStore(zk, new ZkLayout("t")).ensureCluster()).isEqualTo(store.ensureCluster());
  }

  @Test
  void theEpoch_risesOnlyWhileTheLatchNodeExists() throws Exception {
    assertThat(store.bumpEpoch(latch, "c1")).isEqualTo(1);
    assertThat(store.bumpEpoch(latch, "c1")).isEqualTo(2);
    zk.delete().forPath(latch); // deposed
    assertThatThrownBy(() -> store.bumpEpoch(latch, "c1")).isInstanceOf(FencedWriteException.class);
    assertThat(store.epoch()).isEqualTo(2);
  }

  @Test
  void aDeposedLeader_cannotWriteRecordsOrTheCatalog() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), latch);
    zk.delete().forPath(latch);
    assertThatThrownBy(() -> store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), latch))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.PREPARING);
    assertThat(store.list(false)).isEmpty();
  }

  @Test
  void aSuccessorsDecision_wins_overALateWriteOfThePredecessor() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), latch);
    String successorLatch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath("/groupsnap/t/leader/latch-", new byte[0]);
    ClusterStore successor = new ClusterStore(zk, new ZkLayout("t"));
    successor.adopt("gs-1");
    successor.updateTxn(record("gs-1", GroupSnapshotState.ABORTED), successorLatch);
    // the predecessor still holds its latch node (a paused JVM) but writes at a stale version
    assertThatThrownBy(() -> store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), latch))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(store.list(false)).isEmpty();
  }

  @Test
  void theCommit_writesRecordAndManifestTogether() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), latch);
    store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), latch);
    assertThat(store.list(false)).singleElement()
        .satisfies(g -> assertThat(g.getState()).isEqualTo(GroupSnapshotState.COMMITTED));
    assertThat(store.unfinished()).isEmpty();
    GroupSnapshot deleted = store.markDeleted(store.get("gs-1").orElseThrow(), latch);
    assertThat(deleted.getState()).isEqualTo(GroupSnapshotState.DELETED);
    assertThat(store.list(false)).isEmpty();
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.DELETED);
  }
}
