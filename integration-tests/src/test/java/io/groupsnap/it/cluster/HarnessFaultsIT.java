package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorInfo;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The harness's fault primitives on a real cluster, each with the effect the system must show: a host cut off is
 * unreachable and its agent aborts the group snapshot, then commits again once healed; a paused application aborts
 * it, then commits once resumed; a killed leading coordinator is replaced by the standby; a killed ZooKeeper leader is
 * replaced by the ensemble and rejoins when restarted. The guarantees hold throughout.
 */
class HarnessFaultsIT {
  /** Short deadlines and lease, so that an aborted attempt leaves nothing behind for long. */
  private static final CreateGroupSnapshotRequest QUICK = CreateGroupSnapshotRequest.newBuilder()
      .setPrepareTimeoutMillis(2_000).setFreezeTimeoutMillis(1_000).setLeaseMillis(2_000).build();

  @RegisterExtension final ClusterExtension clusters = new ClusterExtension();

  @Test
  void cutOffPauseAndKills_abortOrFailOver_andLeaveTheGuaranteesIntact() throws Exception {
    MultiHostCluster c = clusters.start(MultiHostCluster.builder().agents(3).coordinators(2));
    Guarantees guarantees = new Guarantees(c);
    report("baseline", committedWithin(c, Duration.ofSeconds(60)));

    c.cutOff("agent-3");
    assertThat(reachable(c.agent(3).host().address(), AgentHost.AGENT_PORT)).as("agent-3 while cut off").isFalse();
    assertAborted(c.snapshot(QUICK), "agent-3");
    c.heal("agent-3");
    await("agent-3 reachable once healed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> reachable(c.agent(3).host().address(), AgentHost.AGENT_PORT));
    report("cut off agent-3, healed", committedWithin(c, Duration.ofSeconds(60)));

    c.agent(1).workload().pause();
    assertAborted(c.snapshot(QUICK), "agent-1");
    c.agent(1).workload().resume();
    report("paused workload-1, resumed", committedWithin(c, Duration.ofSeconds(60)));

    String leader = c.leaderEndpoint().orElseThrow();
    ManagedProcess killed = c.coordinatorAt(leader).orElseThrow();
    killed.kill();
    report("killed leading " + killed, committedWithin(c, Duration.ofSeconds(60)));
    assertThat(c.leaderEndpoint()).get().isNotEqualTo(leader);
    killed.start();
    await("the restarted coordinator back as a standby").atMost(Duration.ofSeconds(30))
        .ignoreExceptions().until(() -> coordinatorsSeen(c) == 2);

    ManagedProcess zkLeader = c.zookeeper().leader().orElseThrow();
    zkLeader.kill();
    report("killed ZooKeeper leader " + zkLeader, committedWithin(c, Duration.ofSeconds(60)));
    zkLeader.start();
    c.zookeeper().awaitQuorum(Duration.ofSeconds(30));

    System.out.println("guarantees: " + guarantees.assertAll(Duration.ofSeconds(20)));
  }

  static void assertAborted(GroupSnapshot g, String member) {
    assertThat(g.getState()).as("%s", g.getAbortReason()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(g.getAbortMember()).as("%s", g.getAbortReason()).isEqualTo(member);
  }

  /**
   * Takes group snapshots until one commits with every agent as a member (an agent whose ZooKeeper session expired
   * during the fault must have registered again); the time it took is the system's recovery after the fault.
   */
  static String committedWithin(MultiHostCluster c, Duration within) {
    return c.awaitCommitted(QUICK, within).toString();
  }

  static int coordinatorsSeen(MultiHostCluster c) {
    ClusterStatusResponse s = c.leader().withDeadlineAfter(5, TimeUnit.SECONDS)
        .clusterStatus(ClusterStatusRequest.getDefaultInstance());
    assertThat(s.getCoordinatorsList().stream().filter(CoordinatorInfo::getLeader).count()).isEqualTo(1);
    return s.getCoordinatorsCount();
  }

  private static boolean reachable(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void report(String fault, String outcome) {
    System.out.println(fault + ": " + outcome);
  }
}
