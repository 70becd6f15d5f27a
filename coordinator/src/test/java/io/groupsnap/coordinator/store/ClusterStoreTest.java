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
  ClusterStore.Fence fence;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    store = new ClusterStore(zk, new ZkLayout("t"));
    store.ensureCluster();
    latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/groupsnap/t/leader/latch-", new byte[0]);
    fence = new ClusterStore.Fence(latch, store.bumpEpoch(latch, "c1").epochVersion());
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
    assertThat(store.epoch()).isEqualTo(1);
    assertThat(store.bumpEpoch(latch, "c1").epoch()).isEqualTo(2);
    zk.delete().forPath(latch); // deposed
    assertThatThrownBy(() -> store.bumpEpoch(latch, "c1")).isInstanceOf(FencedWriteException.class);
    assertThat(store.epoch()).isEqualTo(2);
  }

  @Test
  void aDeposedLeader_cannotWriteRecordsOrTheCatalog() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    zk.delete().forPath(latch);
    assertThatThrownBy(() -> store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), fence))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.PREPARING);
    assertThat(store.list(false)).isEmpty();
  }

  @Test
  void aSuccessorsDecision_wins_overALateWriteOfThePredecessor() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    String successorLatch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath("/groupsnap/t/leader/latch-", new byte[0]);
    ClusterStore successor = new ClusterStore(zk, new ZkLayout("t"));
    ClusterStore.Fence successorFence = new ClusterStore.Fence(successorLatch,
        successor.bumpEpoch(successorLatch, "c2").epochVersion());
    successor.adopt("gs-1");
    successor.updateTxn(record("gs-1", GroupSnapshotState.ABORTED), successorFence);
    // the predecessor still holds its latch node (a paused JVM) but writes at a stale version
    assertThatThrownBy(() -> store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), fence))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(store.list(false)).isEmpty();
  }

  @Test
  void aWriteFromAnEarlierTerm_failsEvenWhenTheSameProcessWasReelected() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    // a short SUSPENDED: the same latch node survives, the same process is elected again and raises the epoch
    ClusterStore.Fence newTerm = new ClusterStore.Fence(latch, store.bumpEpoch(latch, "c1").epochVersion());
    assertThatThrownBy(() -> store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), fence))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.list(false)).isEmpty();
    store.adopt("gs-1");
    store.updateTxn(record("gs-1", GroupSnapshotState.ABORTED), newTerm);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.ABORTED);
  }

  @Test
  void theCommit_writesRecordAndManifestTogether() throws Exception {
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    store.commitTxn(record("gs-1", GroupSnapshotState.COMMITTED), fence);
    assertThat(store.list(false)).singleElement()
        .satisfies(g -> assertThat(g.getState()).isEqualTo(GroupSnapshotState.COMMITTED));
    assertThat(store.unfinished()).isEmpty();
    GroupSnapshot deleting = store.markDeleting(store.get("gs-1").orElseThrow(), fence);
    assertThat(store.list(false)).as("no longer listed once deletion starts").isEmpty();
    assertThat(store.deleting()).extracting(GroupSnapshot::getId).containsExactly("gs-1");
    GroupSnapshot deleted = store.markDeleted(deleting, fence);
    assertThat(deleted.getState()).isEqualTo(GroupSnapshotState.DELETED);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.DELETED);
  }

  /**
   * Found by the simulation: a group snapshot deleted right after its commit, while its transaction's last write
   * (COMMITTED, finalized) was still queued. The deletion adopted the record's version into the versions this process
   * keeps for its transactions, so the queued write then landed at that version, over DELETING: the record said
   * COMMITTED again while the captures were being deleted.
   */
  @Test
  void aDeletion_isNotUndone_byItsTransactionsQueuedFinalizeWrite() throws Exception {
    GroupSnapshot committed = record("gs-1", GroupSnapshotState.COMMITTED);
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    store.commitTxn(committed, fence);

    GroupSnapshot deleting = store.markDeleting(committed, fence);
    assertThatThrownBy(() -> store.updateTxn(committed.toBuilder().setFinalized(true).build(), fence))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.DELETING);

    store.markDeleted(deleting, fence);
    assertThatThrownBy(() -> store.updateTxn(committed.toBuilder().setFinalized(true).build(), fence))
        .isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.DELETED);
  }

  @Test
  void aResolution_writesOnlyOverTheRecordItResolved() throws Exception {
    GroupSnapshot committed = record("gs-1", GroupSnapshotState.COMMITTED);
    store.createTxn(record("gs-1", GroupSnapshotState.PREPARING), fence);
    store.commitTxn(committed, fence);
    store.markDeleting(committed, fence);

    assertThat(store.replaceTxn("gs-1", r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized(),
        r -> r.toBuilder().setFinalized(true).build(), fence)).as("a finalize no longer due").isEmpty();
    assertThat(store.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.DELETING);
    assertThat(store.replaceTxn("gs-2", r -> true, r -> r, fence)).as("no record").isEmpty();
    assertThat(store.markDeleted(committed, fence).getState()).isEqualTo(GroupSnapshotState.DELETED);
    assertThat(store.markDeleted(committed, fence).getState()).as("idempotent").isEqualTo(GroupSnapshotState.DELETED);
  }
}
