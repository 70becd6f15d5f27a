package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Agents that crash, restart, are cut off or come back after an outage, on a multi-host cluster: each test started as
 * a reproduction of a problem the harness found (orphan captures, a refused restart, a stale PREPARE after a heal,
 * holds not released by a restarted agent, reconnect backoff) and now checks the fix. The tests share one cluster,
 * put back to its started state between them ({@link ClusterExtension#shared}).
 */
class AgentRecoveryIT {
  @RegisterExtension static final ClusterExtension clusters = new ClusterExtension();

  @Test
  void captureOfAnAbortedGroupSnapshot_isReaped_whenItsAgentWasKilledAfterCapturing() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    Guarantees g = new Guarantees(c);
    CompletableFuture<GroupSnapshot> f = snapshotWhileAgent3FreezesSlowly(c);
    awaitUncommittedCapture(g, c.agent(2));
    c.agent(2).agent().kill();
    assertThat(f.get(1, TimeUnit.MINUTES).getState()).isEqualTo(GroupSnapshotState.ABORTED);
    c.restartAgent(2);
    g.assertNoOrphanCaptures(Duration.ofSeconds(30));
  }

  @Test
  void captureOfAnAbortedGroupSnapshot_isReaped_whenItsHostWasCutOffAfterCapturing() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    Guarantees g = new Guarantees(c);
    CompletableFuture<GroupSnapshot> f = snapshotWhileAgent3FreezesSlowly(c);
    awaitUncommittedCapture(g, c.agent(1));
    c.cutOff("agent-1");
    assertThat(f.get(1, TimeUnit.MINUTES).getState()).isEqualTo(GroupSnapshotState.ABORTED);
    c.heal("agent-1");
    g.assertNoOrphanCaptures(Duration.ofSeconds(30));
  }

  @Test
  void agentRestartedRightAfterKill9_startsAndRegisters() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    long killedAt = System.currentTimeMillis();
    c.agent(1).agent().kill();
    c.agent(1).agent().start();
    await("agent-1 registered by its new process").atMost(Duration.ofSeconds(30))
        .until(() -> c.registration("agent-1").map(r -> r.getStartedAtMillis() > killedAt).orElse(false)
            || !c.agent(1).agent().isAlive());
    assertThat(c.agent(1).agent().state()).as(String.join("\n", c.agent(1).agent().tail(3)))
        .isEqualTo(ManagedProcess.State.RUNNING);
  }

  @Test
  void healedHost_dropsATransactionAbortedWhileItWasCutOff_andTakesPartAgainAtOnce() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    Guarantees g = new Guarantees(c);
    HarnessFaultsIT.report("baseline", c.awaitCommitted(CreateGroupSnapshotRequest.getDefaultInstance(),
        Duration.ofSeconds(60)).toString());
    c.cutOff("agent-3");
    GroupSnapshot cut = c.snapshot(CreateGroupSnapshotRequest.newBuilder().setPrepareTimeoutMillis(2_000).build());
    assertThat(cut.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    c.heal("agent-3");
    // TCP delivers the PREPARE queued during the cut after the heal, with a fresh relative deadline: the agent may
    // prepare it, but its reaper drops it as soon as it sees the record ABORTED — no capture stays, and the host does
    // not refuse the next group snapshot as busy for twice the lease
    long healed = System.nanoTime();
    await("a group snapshot with agent-3 commits").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ZERO)
        .until(() -> {
          GroupSnapshot next = c.snapshot();
          return next.getState() == GroupSnapshotState.COMMITTED && next.getMembersCount() == 3;
        });
    System.out.printf("healed host took part again %dms after the heal%n", (System.nanoTime() - healed) / 1_000_000);
    g.assertNoOrphanCaptures(Duration.ofSeconds(10));
  }

  @Test
  void restartedAgent_releasesTheHoldItsKilledPredecessorLeft() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    c.agent(3).slowFreeze(Duration.ofSeconds(4));
    CompletableFuture<GroupSnapshot> f = CompletableFuture.supplyAsync(() -> c.snapshot(
        CreateGroupSnapshotRequest.newBuilder().setFreezeTimeoutMillis(20_000).setLeaseMillis(40_000).build()));
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
        .until(() -> c.agent(2).holds().read().stream().anyMatch(HoldsFile.Hold::open));
    c.agent(2).agent().kill();
    assertThat(f.get(1, TimeUnit.MINUTES).getState()).isEqualTo(GroupSnapshotState.ABORTED);
    c.restartAgent(2);
    await("workload-2's hold released by the restarted agent").atMost(Duration.ofSeconds(5))
        .until(() -> c.agent(2).holds().read().stream().noneMatch(HoldsFile.Hold::open));
  }

  @Test
  void agentBackAfterAnOutage_takesPartInTheNextGroupSnapshot() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder());
    long outageEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    c.agent(2).agent().kill();
    while (System.nanoTime() < outageEnd) {
      // group snapshots that allow missing agents go on during the outage: they dial agent-2 until its
      // registration expires, then leave it out
      c.snapshot(CreateGroupSnapshotRequest.newBuilder().setAllowMissing(true).build());
    }
    c.agent(2).agent().start();
    await().atMost(Duration.ofSeconds(30)).until(() -> c.registeredAgents().contains("agent-2"));
    GroupSnapshot next = c.snapshot();
    assertThat(next.getState()).as("%s", next.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
  }

  private static CompletableFuture<GroupSnapshot> snapshotWhileAgent3FreezesSlowly(MultiHostCluster c)
      throws Exception {
    c.agent(3).slowFreeze(Duration.ofSeconds(4));
    return CompletableFuture.supplyAsync(c::snapshot);
  }

  private static void awaitUncommittedCapture(Guarantees g, AgentHost a) {
    await(a.id() + " has captured").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
        .until(() -> g.orphanCaptures().stream().anyMatch(o -> o.startsWith(a.id() + ":") && !o.endsWith(".partial")));
  }
}
