package io.groupsnap.coordinator.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RecordKind;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Groups in a real ZooKeeper: fenced writes by the leader's term, damaged records quarantined. */
class GroupStoreTest {
  TestingServer server;
  CuratorFramework zk;
  ZkLayout layout = new ZkLayout("default");
  ClusterStore cluster;
  GroupStore groups;
  ClusterStore.Fence fence;

  static GroupSpec group(String name, String agent) {
    return GroupSpec.newBuilder().setName(name).addMembers(GroupMember.newBuilder().setAgentId(agent)).build();
  }

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    zk.create().forPath(layout.leader() + "/latch-1");
    fence = new ClusterStore.Fence(layout.leader() + "/latch-1",
        cluster.bumpEpoch(layout.leader() + "/latch-1", "me").epochVersion());
    groups = new GroupStore(zk, layout);
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  @Test
  void aGroupWritten_isFound_listedByName_replacedAtItsVersion_andDeleted() throws Exception {
    groups.create(group("web", "w1"), fence);
    groups.create(group("db", "d1"), fence);
    assertThat(groups.find("db")).contains(group("db", "d1"));
    assertThat(groups.find("nope")).isEmpty();
    assertThat(groups.list().records()).extracting(GroupSpec::getName).containsExactly("db", "web");

    int version = groups.lookup("db").orElseThrow().version();
    groups.replace(group("db", "d2"), version, fence);
    assertThat(groups.find("db")).contains(group("db", "d2"));
    assertThatThrownBy(() -> groups.replace(group("db", "d3"), version, fence))
        .as("a write in between makes a replacement at the old version fail").isInstanceOf(FencedWriteException.class);
    assertThat(groups.find("db")).contains(group("db", "d2"));

    assertThat(groups.delete("db", fence)).isTrue();
    assertThat(groups.delete("db", fence)).isFalse();
    assertThat(groups.find("db")).isEmpty();
  }

  @Test
  void aNameTaken_isReportedAsSuch() throws Exception {
    groups.create(group("db", "d1"), fence);
    assertThatThrownBy(() -> groups.create(group("db", "d2"), fence))
        .isInstanceOf(KeeperException.NodeExistsException.class);
    assertThat(groups.find("db")).contains(group("db", "d1"));
  }

  @Test
  void aDeposedLeadersWrites_areRefused_andChangeNothing() throws Exception {
    groups.create(group("db", "d1"), fence);
    zk.create().forPath(layout.leader() + "/latch-2");
    cluster.bumpEpoch(layout.leader() + "/latch-2", "successor");

    assertThatThrownBy(() -> groups.create(group("web", "w1"), fence)).isInstanceOf(FencedWriteException.class);
    int version = groups.lookup("db").orElseThrow().version();
    assertThatThrownBy(() -> groups.replace(group("db", "d2"), version, fence))
        .isInstanceOf(FencedWriteException.class);
    assertThatThrownBy(() -> groups.delete("db", fence)).isInstanceOf(FencedWriteException.class);
    assertThat(groups.list().records()).containsExactly(group("db", "d1"));

    zk.delete().forPath(layout.leader() + "/latch-1");
    ClusterStore.Fence gone = new ClusterStore.Fence(layout.leader() + "/latch-1",
        zk.checkExists().forPath(layout.epoch()).getVersion());
    assertThatThrownBy(() -> groups.create(group("web", "w1"), gone)).as("its latch node is gone")
        .isInstanceOf(FencedWriteException.class);
    assertThat(groups.find("web")).isEmpty();
  }

  @Test
  void aDamagedRecord_isListedApart_neverFailsTheListing_andFailsOnlyWhenAskedForByName() throws Exception {
    groups.create(group("good", "a1"), fence);
    zk.create().forPath(layout.group("garbage"), new byte[] {7, 'n', 'o', 'p', 'e'});
    zk.create().forPath(layout.group("stolen"), group("other", "a1").toByteArray());
    zk.create().forPath(layout.group("hollow"), GroupSpec.newBuilder().setName("hollow").build().toByteArray());

    Listing<GroupSpec> l = groups.list();
    assertThat(l.records()).extracting(GroupSpec::getName).containsExactly("good");
    assertThat(l.damaged()).extracting(DamagedRecord::getId).containsExactly("garbage", "hollow", "stolen");
    assertThat(l.damaged()).extracting(DamagedRecord::getKind).containsOnly(RecordKind.RECORD_GROUP);
    assertThat(l.damaged().get(2).getReason()).isEqualTo("decodes to the group of another name");
    assertThatThrownBy(() -> groups.find("garbage")).isInstanceOf(DamagedRecordException.class)
        .hasMessageStartingWith("record /groupsnap/default/groups/garbage cannot be used");

    assertThat(groups.delete("garbage", fence)).as("a damaged record can be removed").isTrue();
    int version = groups.lookup("stolen").orElseThrow().version();
    groups.replace(group("stolen", "a2"), version, fence);
    assertThat(groups.find("stolen")).as("or replaced whole").contains(group("stolen", "a2"));
  }
}
