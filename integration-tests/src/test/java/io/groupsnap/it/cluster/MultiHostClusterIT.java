package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.ZkClients;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Smoke test of the multi-host harness: 3 ZooKeeper servers, 2 coordinators and 3 agents with their workloads, all
 * separate JVMs in their own network namespaces. Group snapshots through the leader are consistent cuts, before and
 * after an agent is killed with -9 and restarted. The cluster runs as the harness always does, secured: a client
 * without a certificate and an anonymous ZooKeeper client are refused.
 */
class MultiHostClusterIT {
  @RegisterExtension final ClusterExtension clusters = new ClusterExtension();

  @Test
  void groupSnapshotsAreConsistentCuts_beforeAndAfterAnAgentIsKilledAndRestarted() throws Exception {
    MultiHostCluster c = clusters.start(MultiHostCluster.builder().agents(3).coordinators(2));
    System.out.printf("cluster of %d processes started in %dms; leader %s%n", c.processes().size(),
        c.startupTime().toMillis(), c.leaderEndpoint().orElse("?"));
    assertClosedToStrangers(c);
    awaitWorkloadsMoving(c);
    Guarantees guarantees = new Guarantees(c);
    List<GroupSnapshot> taken = new ArrayList<>(take(c, 10));
    System.out.println("after 10: " + guarantees.assertAll(Duration.ofSeconds(20)));

    long t0 = System.nanoTime();
    c.restartAgent(2);
    System.out.printf("agent-2 killed (-9) and registered again after %dms%n", (System.nanoTime() - t0) / 1_000_000);
    awaitWorkloadsMoving(c);
    taken.addAll(take(c, 3));
    System.out.println("after 13: " + guarantees.assertAll(Duration.ofSeconds(20)));

    assertThat(guarantees.committed()).extracting(GroupSnapshot::getId)
        .containsExactlyInAnyOrderElementsOf(taken.stream().map(GroupSnapshot::getId).toList());
    System.out.println("freeze window (agents' clocks): " + figures(taken, GroupSnapshot::getFreezeWindowMillis)
        + "; coordinator's window: " + figures(taken, GroupSnapshot::getCoordinatorWindowMillis));
  }

  /** The harness's cluster is secured: a plaintext gRPC client and an anonymous ZooKeeper client are refused. */
  private static void assertClosedToStrangers(MultiHostCluster c) throws Exception {
    ManagedChannel plain = NettyChannelBuilder.forTarget(c.leaderEndpoint().orElseThrow()).usePlaintext().build();
    try {
      assertThatThrownBy(() -> CoordinatorServiceGrpc.newBlockingStub(plain).withDeadlineAfter(5, TimeUnit.SECONDS)
          .clusterStatus(ClusterStatusRequest.getDefaultInstance())).as("a plaintext client of the leader")
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      plain.shutdownNow();
    }
    try (CuratorFramework anonymous = ZkClients.connect(c.zookeeper().connectString(), Duration.ofSeconds(10))) {
      assertThatThrownBy(() -> anonymous.getChildren().forPath(c.layout().agents()))
          .as("an anonymous ZooKeeper client listing the agents").isInstanceOf(KeeperException.NoAuthException.class);
    }
  }

  private static List<GroupSnapshot> take(MultiHostCluster c, int n) {
    List<GroupSnapshot> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GroupSnapshot g = c.snapshot();
      assertThat(g.getState()).as("%s: %s (member %s)", g.getId(), g.getAbortReason(), g.getAbortMember())
          .isEqualTo(GroupSnapshotState.COMMITTED);
      assertThat(g.getMembersCount()).isEqualTo(c.agents().size());
      out.add(g);
    }
    return out;
  }

  /** Each host's workload updates its header file and has transfers acknowledged by its peers. */
  private static void awaitWorkloadsMoving(MultiHostCluster c) throws Exception {
    List<Long> acked = new ArrayList<>();
    for (AgentHost a : c.agents()) {
      acked.add(Long.parseLong(a.workloadStats().get("acked")));
    }
    await("every workload moving").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          for (AgentHost a : c.agents()) {
            var s = a.workloadStats();
            if (Long.parseLong(s.get("acked")) < acked.get(a.index() - 1) + 20
                || Long.parseLong(s.get("updates")) < 20) {
              return false;
            }
          }
          return true;
        });
  }

  private static String figures(List<GroupSnapshot> gs, ToLongFunction<GroupSnapshot> f) {
    long[] v = gs.stream().mapToLong(f).sorted().toArray();
    return "p50 " + v[v.length / 2] + "ms, max " + v[v.length - 1] + "ms over " + v.length;
  }
}
