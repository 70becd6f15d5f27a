package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.proto.v1.CoordinatorServiceGrpc.CoordinatorServiceBlockingStub;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ProgressEvent;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault matrix on real multi-host clusters: coordinators killed at every point of the protocol, agents killed,
 * cut off, slow, or whose application never answers or fails at thaw, ZooKeeper servers and quorum lost, and a paused
 * leader that wakes up after its successor took over. After each scenario the guarantees are checked: every committed
 * group snapshot is one consistent cut (G1), no hold outlived its lease by more than a second (G2), no capture is left
 * that no committed group snapshot owns, once the reapers have run (G3), every transaction record is final (G4 lets
 * a successor's decision win). The scenarios share one cluster, put back to its started state between them
 * ({@link ClusterExtension#shared}), so each one's final checks cover the history of those before it too.
 */
class FaultMatrixIT {
  /** Short deadlines and lease, so that aborted attempts settle quickly. */
  static final CreateGroupSnapshotRequest QUICK = CreateGroupSnapshotRequest.newBuilder()
      .setPrepareTimeoutMillis(3_000).setFreezeTimeoutMillis(2_000).setLeaseMillis(4_000).build();
  static final Duration SETTLE = Duration.ofSeconds(30);

  @RegisterExtension static final ClusterExtension clusters = new ClusterExtension();

  @Test
  void leaderKilledAtEachPointOfTheProtocol_theNextLeaderDecides_andNothingIsLost() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder().agents(3).coordinators(2));
    Guarantees g = new Guarantees(c);
    HarnessFaultsIT.report("baseline", HarnessFaultsIT.committedWithin(c, Duration.ofSeconds(60)));
    // point, how the process dies there, the outcome the successor must reach (null: either, as long as it is final)
    List<Object[]> points = List.of(
        new Object[] {"coordinator.after-freeze-sent", "halt-after:20", null},
        new Object[] {"coordinator.after-all-frozen", "halt", GroupSnapshotState.ABORTED},
        new Object[] {"coordinator.after-thaw-sent", "halt-after:20", null},
        new Object[] {"coordinator.before-commit-write", "halt", GroupSnapshotState.ABORTED},
        new Object[] {"coordinator.after-commit-write", "halt", GroupSnapshotState.COMMITTED});
    for (Object[] p : points) {
      String leader = c.leaderEndpoint().orElseThrow();
      ManagedProcess lp = c.coordinatorAt(leader).orElseThrow();
      c.failpoints(lp, p[0] + "=" + p[1]);
      long t0 = System.nanoTime();
      tryCreate(c.stub(leader));
      await(lp + " dies at " + p[0]).atMost(Duration.ofSeconds(20)).until(() -> !lp.isAlive());
      c.failpoints(lp, "");
      GroupSnapshot txn = latest(g).orElseThrow();
      GroupSnapshot decided = awaitFinal(g, txn.getId());
      if (p[2] != null) {
        assertThat(decided.getState()).as("%s after %s: %s", txn.getId(), p[0], decided.getAbortReason())
            .isEqualTo(p[2]);
      }
      lp.start();
      HarnessFaultsIT.report("leader killed at " + p[0], decided.getId() + " " + decided.getState() + " after "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + "ms; "
          + HarnessFaultsIT.committedWithin(c, Duration.ofSeconds(60)));
      await("the restarted coordinator back as a standby").atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> HarnessFaultsIT.coordinatorsSeen(c) == 2);
    }
    System.out.println("guarantees: " + g.assertAll(SETTLE));
  }

  @Test
  void agentFaults_abortBeforeHarm_andAreRepairedByTheAgents() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder().agents(3).coordinators(2));
    Guarantees g = new Guarantees(c);
    HarnessFaultsIT.report("baseline", HarnessFaultsIT.committedWithin(c, Duration.ofSeconds(60)));

    // an agent slower than the freeze deadline
    c.failpoints(c.agent(1).agent(), "agent.freeze=delay:3000");
    HarnessFaultsIT.assertAborted(c.snapshot(QUICK), "agent-1");
    c.failpoints(c.agent(1).agent(), "");
    HarnessFaultsIT.report("agent slower than the freeze deadline", HarnessFaultsIT.committedWithin(c, SETTLE));

    // an application that never answers its freeze
    c.agent(2).slowFreeze(Duration.ofSeconds(60));
    HarnessFaultsIT.assertAborted(c.snapshot(QUICK), "agent-2");
    c.agent(2).slowFreeze(Duration.ZERO);
    HarnessFaultsIT.report("writer that never answers", HarnessFaultsIT.committedWithin(c, SETTLE));

    // an application that fails at thaw: its hold cannot be vouched for
    c.agent(3).failNextThaw();
    GroupSnapshot broken = c.snapshot(QUICK);
    HarnessFaultsIT.assertAborted(broken, "agent-3");
    assertThat(broken.getAbortReason()).contains("hold on agent-3 was broken");
    HarnessFaultsIT.report("writer that fails at thaw", HarnessFaultsIT.committedWithin(c, SETTLE));

    // an agent killed while frozen, then restarted: it thaws what its journal names and reaps its capture
    c.failpoints(c.agent(2).agent(), "agent.after-frozen=halt");
    assertThat(c.snapshot(QUICK).getState()).isEqualTo(GroupSnapshotState.ABORTED);
    await("agent-2 died while frozen").atMost(Duration.ofSeconds(20)).until(() -> !c.agent(2).agent().isAlive());
    c.failpoints(c.agent(2).agent(), "");
    c.agent(2).agent().start();
    HarnessFaultsIT.report("agent killed while frozen, restarted", HarnessFaultsIT.committedWithin(c,
        Duration.ofSeconds(60)));

    // an agent cut off while frozen, then healed
    c.failpoints(c.agent(3).agent(), "agent.after-frozen=delay:1500");
    CompletableFuture<GroupSnapshot> cut = CompletableFuture.supplyAsync(() -> c.snapshot(QUICK));
    await("agent-3 holding").atMost(Duration.ofSeconds(20)).until(() -> c.agent(3).holds().read().stream()
        .anyMatch(HoldsFile.Hold::open));
    c.cutOff("agent-3");
    GroupSnapshot cutResult = cut.get(60, TimeUnit.SECONDS);
    assertThat(cutResult.getState()).as("%s", cutResult.getAbortReason()).isEqualTo(GroupSnapshotState.ABORTED);
    c.heal("agent-3");
    c.failpoints(c.agent(3).agent(), "");
    HarnessFaultsIT.report("agent cut off while frozen, healed", HarnessFaultsIT.committedWithin(c,
        Duration.ofSeconds(60)));

    // an agent killed and not restarted: group snapshots that allow missing agents go on without it once its
    // registration expires, and name it as left out
    c.failpoints(c.agent(1).agent(), "agent.after-frozen=halt");
    assertThat(c.snapshot(QUICK).getState()).isEqualTo(GroupSnapshotState.ABORTED);
    await("agent-1 died").atMost(Duration.ofSeconds(20)).until(() -> !c.agent(1).agent().isAlive());
    c.failpoints(c.agent(1).agent(), "");
    AtomicReference<GroupSnapshot> without = new AtomicReference<>();
    await("a group snapshot without agent-1 commits").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          without.set(c.snapshot(QUICK.toBuilder().setAllowMissing(true).build()));
          return without.get().getState() == GroupSnapshotState.COMMITTED;
        });
    assertThat(without.get().getMembersList()).extracting(m -> m.getAgentId()).doesNotContain("agent-1");
    assertThat(without.get().getMissingAgentsList()).containsExactly("agent-1");
    System.out.println("holds while agent-1 is dead: " + g.assertHoldsWithinLease(Duration.ofSeconds(1)));
    c.agent(1).agent().start(); // back at last: its reaper removes what the dead agent left
    HarnessFaultsIT.report("agent killed, not restarted (then back)", HarnessFaultsIT.committedWithin(c,
        Duration.ofSeconds(60)));

    System.out.println("guarantees: " + g.assertAll(SETTLE));
  }

  @Test
  void zookeeperFaults_andAPausedLeaderWakingUpAfterItsSuccessor_fencingWins() throws Exception {
    MultiHostCluster c = clusters.shared(MultiHostCluster.builder().agents(3).coordinators(2));
    Guarantees g = new Guarantees(c);
    HarnessFaultsIT.report("baseline", HarnessFaultsIT.committedWithin(c, Duration.ofSeconds(60)));

    // one ZooKeeper server killed mid-transaction
    c.agent(3).slowFreeze(Duration.ofMillis(1_000));
    CompletableFuture<GroupSnapshot> during = CompletableFuture.supplyAsync(() -> c.snapshot(QUICK));
    ManagedProcess zkLeader = c.zookeeper().leader().orElseThrow();
    zkLeader.kill();
    GroupSnapshot r = during.get(90, TimeUnit.SECONDS);
    c.agent(3).slowFreeze(Duration.ZERO);
    HarnessFaultsIT.report("ZooKeeper leader killed mid-transaction", r.getId() + " " + r.getState() + "; "
        + HarnessFaultsIT.committedWithin(c, Duration.ofSeconds(60)));
    zkLeader.start();
    c.zookeeper().awaitQuorum(Duration.ofSeconds(30));

    // quorum lost, then restored
    List<ManagedProcess> two = c.zookeeper().servers().subList(0, 2);
    String leader = c.leaderEndpoint().orElseThrow();
    two.forEach(ManagedProcess::kill);
    tryCreate(c.stub(leader)); // no quorum: it cannot begin (or finish) a transaction
    for (ManagedProcess z : two) {
      z.start();
    }
    c.zookeeper().awaitQuorum(Duration.ofSeconds(60));
    HarnessFaultsIT.report("ZooKeeper quorum lost, restored", HarnessFaultsIT.committedWithin(c,
        Duration.ofSeconds(90)));

    // a leader paused between THAW and its commit write; its successor aborts; it wakes up believing it leads
    String paused = c.leaderEndpoint().orElseThrow();
    ManagedProcess old = c.coordinatorAt(paused).orElseThrow();
    c.failpoints(old, "coordinator.before-commit-write=delay:3000");
    CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> tryCreate(c.stub(paused)));
    await("the transaction past THAW").atMost(Duration.ofSeconds(20)).until(() -> latest(g)
        .filter(t -> t.getState() == GroupSnapshotState.PREPARING).isPresent()
        && noHoldOpen(c));
    GroupSnapshot victim = latest(g).orElseThrow();
    old.pause();
    await("the standby leads").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> c.leaderEndpoint().map(e -> !e.equals(paused)).orElse(false));
    GroupSnapshot aborted = awaitFinal(g, victim.getId());
    assertThat(aborted.getState()).as("the successor's decision").isEqualTo(GroupSnapshotState.ABORTED);
    old.resume(); // it still believes it leads: its delayed commit write must be fenced
    attempt.get(60, TimeUnit.SECONDS);
    c.failpoints(old, "");
    await("the old leader's late commit had no effect").during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(15)).until(() -> g.transactions().stream()
            .filter(t -> t.getId().equals(victim.getId())).allMatch(t -> t.getState() == GroupSnapshotState.ABORTED)
            && g.committed().stream().noneMatch(t -> t.getId().equals(victim.getId())));
    HarnessFaultsIT.report("paused leader woke after its successor", victim.getId() + " stays ABORTED; "
        + HarnessFaultsIT.committedWithin(c, Duration.ofSeconds(60)));

    System.out.println("guarantees: " + g.assertAll(SETTLE));
  }

  /** Starts one group snapshot and follows it until its stream ends, whatever happens to the coordinator. */
  static void tryCreate(CoordinatorServiceBlockingStub stub) {
    try {
      Iterator<ProgressEvent> events = stub.withDeadlineAfter(30, TimeUnit.SECONDS).createGroupSnapshot(QUICK);
      while (events.hasNext()) {
        events.next();
      }
    } catch (RuntimeException e) {
      // the coordinator died, lost its leadership or its quorum: the record decides
    }
  }

  static boolean noHoldOpen(MultiHostCluster c) throws java.io.IOException {
    for (AgentHost a : c.agents()) {
      if (a.holds().read().stream().anyMatch(HoldsFile.Hold::open)) {
        return false;
      }
    }
    return true;
  }

  static Optional<GroupSnapshot> latest(Guarantees g) throws Exception {
    return g.transactions().stream().max(Comparator.comparingLong(GroupSnapshot::getCreatedAtMillis)
        .thenComparing(GroupSnapshot::getId));
  }

  static GroupSnapshot awaitFinal(Guarantees g, String id) {
    AtomicReference<GroupSnapshot> out = new AtomicReference<>();
    await(id + " decided").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> {
          GroupSnapshot t = g.transactions().stream().filter(x -> x.getId().equals(id)).findFirst().orElseThrow();
          out.set(t);
          return t.getState() == GroupSnapshotState.COMMITTED || t.getState() == GroupSnapshotState.ABORTED;
        });
    return out.get();
  }
}
