package io.groupsnap.coordinator.zkauth;

import static io.groupsnap.coordinator.zkauth.SecuredCluster.LAYOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.nio.file.Path;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A cluster made before ZooKeeper ACLs (every node open to anyone) is tightened when its coordinator first starts
 * with credentials — one log line per kind of node — and keeps working: its old records stay readable to the
 * coordinator, a new group snapshot commits, and an anonymous client can no longer change or read anything.
 */
class OpenClusterTighteningTest {
  @TempDir Path tmp;
  SecuredCluster c;
  ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(Coordinator.class)).detachAppender(logs);
    c.close();
  }

  @Test
  void openCluster_isTightenedAtStartAndStillCommits() throws Exception {
    c = new SecuredCluster(tmp);
    c.startCoordinator(null);
    c.startAgent("agent-1", null);
    c.startAgent("agent-2", null);
    GroupSnapshot before = c.snapshot();
    assertThat(before.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    CuratorFramework anonymous = c.client(null);
    assertThat(anonymous.getACL().forPath(LAYOUT.epoch())).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
    c.stopAll();

    logs.start();
    ((Logger) LoggerFactory.getLogger(Coordinator.class)).addAppender(logs);
    c.startCoordinator(ZkCredentials.load(c.coordinatorFile));
    c.startAgent("agent-1", c.agentsFile);
    c.startAgent("agent-2", c.agentsFile);
    GroupSnapshot after = c.snapshot();

    assertThat(after.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
        .filter(l -> l.startsWith("ZooKeeper ACL: ")).toList();
    assertThat(lines).anyMatch(l -> l.startsWith("ZooKeeper ACL: /groupsnap: ACL tightened to coordinator ALL, "
        + "agents READ"));
    assertThat(lines).anyMatch(l -> l.startsWith("ZooKeeper ACL: " + LAYOUT.txns() + " and 1 node(s) under it"));
    assertThat(lines).anyMatch(l -> l.startsWith("ZooKeeper ACL: " + LAYOUT.snapshots() + " and 1 node(s)"));
    assertThat(lines).anyMatch(l -> l.equals("ZooKeeper ACL: " + LAYOUT.agents()
        + ": ACL tightened to coordinator ALL, agents READ|CREATE"));
    assertThat(lines).anyMatch(l -> l.startsWith("ZooKeeper ACL: " + LAYOUT.epoch() + ": "));
    assertThat(lines).anyMatch(l -> l.startsWith("ZooKeeper ACL: " + LAYOUT.base() + ": "));
    // one line per kind of node: never one per record
    assertThat(lines).noneMatch(l -> l.contains(LAYOUT.txn(before.getId())));

    for (String path : List.of(LAYOUT.epoch(), LAYOUT.txn(before.getId()), LAYOUT.snapshot(before.getId()),
        LAYOUT.cluster(), LAYOUT.base())) {
      assertThatThrownBy(() -> anonymous.getData().forPath(path)).as(path)
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> anonymous.setData().forPath(path, new byte[] {1})).as(path)
          .isInstanceOf(KeeperException.NoAuthException.class);
    }
    CuratorFramework admin = c.client(SecuredCluster.coordinatorCredentials(c.coordinatorFile));
    List<ACL> record = admin.getACL().forPath(LAYOUT.snapshot(before.getId()));
    assertThat(record).extracting(ACL::getPerms).containsExactlyInAnyOrder(ZooDefs.Perms.ALL, ZooDefs.Perms.READ);

    // a second start finds nothing left to tighten
    c.stopAll();
    logs.list.clear();
    c.startCoordinator(ZkCredentials.load(c.coordinatorFile));
    assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().startsWith("ZooKeeper ACL: "));
  }
}
