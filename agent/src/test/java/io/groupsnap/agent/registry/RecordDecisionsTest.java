package io.groupsnap.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an agent's reaper learns from the records in a real ZooKeeper, damaged ones included. */
class RecordDecisionsTest {
  static final byte[] GARBAGE = {7, 'n', 'o', 'p', 'e'};
  final ZkLayout layout = new ZkLayout("t");
  TestingServer server;
  CuratorFramework zk;
  RecordDecisions decisions;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    decisions = new RecordDecisions(zk, layout);
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  void write(String path, byte[] data) throws Exception {
    zk.create().creatingParentsIfNeeded().forPath(path, data);
  }

  static byte[] record(String id, GroupSnapshotState state) {
    return GroupSnapshot.newBuilder().setId(id).setState(state).build().toByteArray();
  }

  @Test
  void theRecordDecides_elseTheCatalog_elseThereIsNone() throws Exception {
    write(layout.txn("gs-a"), record("gs-a", GroupSnapshotState.ABORTING));
    write(layout.txn("gs-d"), record("gs-d", GroupSnapshotState.DELETING));
    write(layout.txn("gs-p"), record("gs-p", GroupSnapshotState.FREEZING));
    write(layout.snapshot("gs-c"), record("gs-c", GroupSnapshotState.COMMITTED));
    assertThat(decisions.of("gs-a")).isEqualTo(Reaper.Decision.ABORTED);
    assertThat(decisions.of("gs-d")).isEqualTo(Reaper.Decision.DELETED);
    assertThat(decisions.of("gs-p")).isEqualTo(Reaper.Decision.UNDECIDED);
    assertThat(decisions.of("gs-c")).as("record pruned, still in the catalog").isEqualTo(Reaper.Decision.COMMITTED);
    assertThat(decisions.of("gs-none")).isEqualTo(Reaper.Decision.NO_RECORD);
  }

  @Test
  void anUndecodableRecord_keepsTheCaptures_unlessTheCatalogSaysCommitted() throws Exception {
    write(layout.txn("gs-bad"), GARBAGE);
    write(layout.txn("gs-other"), record("gs-1", GroupSnapshotState.ABORTED));
    write(layout.txn("gs-kept"), GARBAGE);
    write(layout.snapshot("gs-kept"), record("gs-kept", GroupSnapshotState.COMMITTED));
    assertThat(decisions.of("gs-bad")).as("never deleted on an unreadable word").isEqualTo(Reaper.Decision.UNDECIDED);
    assertThat(decisions.of("gs-other")).isEqualTo(Reaper.Decision.UNDECIDED);
    assertThat(decisions.of("gs-kept")).isEqualTo(Reaper.Decision.COMMITTED);
  }

  @Test
  void aRecordOfANewerFormat_keepsTheCaptures_unlessTheCatalogSaysCommitted() throws Exception {
    write(layout.txn("gs-new"), GroupSnapshot.newBuilder().setId("gs-new").setState(GroupSnapshotState.ABORTED)
        .setFormatVersion(Formats.CURRENT + 1).build().toByteArray());
    write(layout.txn("gs-old"), record("gs-old", GroupSnapshotState.ABORTED)); // unversioned: read as 1
    assertThat(decisions.of("gs-new")).as("never deleted on a word it may misread")
        .isEqualTo(Reaper.Decision.UNDECIDED);
    assertThat(decisions.of("gs-old")).isEqualTo(Reaper.Decision.ABORTED);
  }
}
