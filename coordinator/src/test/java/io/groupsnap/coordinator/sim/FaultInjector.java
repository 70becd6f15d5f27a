package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TxnSpec;
import java.util.List;

/**
 * Process and network faults at random moments while the run is active: an agent crashes (and restarts), a
 * coordinator crashes (its latch node goes when its session times out; it restarts as a new incarnation), the leader's
 * session expires (it learns only later, a zombie meanwhile), the leader's connection is suspended for a moment (it
 * stops leading at once, keeps its latch node and is elected again with a new epoch), an agent is cut off from the
 * coordinators for a while, or someone sends an agent a PREPARE with an epoch far ahead of the cluster's (it must be
 * refused: the agent confirms a higher epoch with the store first). Message-level faults are the {@link Network}'s.
 */
final class FaultInjector {
  private final World w;
  private boolean stopped;

  FaultInjector(World w) {
    this.w = w;
  }

  void start() {
    if (w.plan.meanFaultIntervalNanos() > 0) {
      schedule();
    }
  }

  void stop() {
    stopped = true;
  }

  private void schedule() {
    w.loop.at(w.exponential(w.plan.meanFaultIntervalNanos()), "fault injector wakes", this::inject);
  }

  private void inject() {
    if (stopped) {
      return;
    }
    int pick = w.rnd.nextInt(10);
    if (pick < 3) {
      crashAgent();
    } else if (pick < 4) {
      crashCoordinator();
    } else if (pick < 6) {
      expireLeaderSession();
    } else if (pick < 7) {
      suspendLeader();
    } else if (pick < 9) {
      partition();
    } else {
      forgeRequest();
    }
    schedule();
  }

  private void suspendLeader() {
    SimCoordinator leader = w.election.leader();
    if (leader == null || !leader.alive() || leader.term() == null) {
      return;
    }
    w.stats.fault(SimStats.Fault.LEADER_CONNECTION_SUSPENDED);
    w.note("the connection of leader " + leader.name() + " is suspended");
    leader.onSuspended(w.between(FaultPlan.MS, 50 * FaultPlan.MS));
  }

  private void forgeRequest() {
    List<SimAgent> up = w.agents.stream().filter(SimAgent::up).toList();
    if (up.isEmpty()) {
      return;
    }
    SimAgent a = up.get(w.rnd.nextInt(up.size()));
    long epoch = w.store.epoch() + 1 + w.rnd.nextInt(1_000);
    FaultPlan p = w.plan;
    Member m = new Member(a.id(), "sim://" + a.id(), List.of(SimVolume.NAME));
    TxnSpec spec = new TxnSpec("forged-" + w.loop.steps(), w.clusterId, epoch, "forger", List.of(m),
        p.prepareTimeout(), p.freezeTimeout(), p.lease(), p.thawTimeout(), p.finishTimeout());
    w.stats.fault(SimStats.Fault.FORGED_REQUEST);
    Object reply = a.handle(new Request(Request.Kind.PREPARE, spec, m, ""));
    w.note("forged PREPARE at epoch " + epoch + " to " + a.id() + ": " + AgentReplies.describe(reply));
  }

  private void crashAgent() {
    List<SimAgent> up = w.agents.stream().filter(SimAgent::up).toList();
    if (up.isEmpty()) {
      return;
    }
    SimAgent a = up.get(w.rnd.nextInt(up.size()));
    w.stats.fault(SimStats.Fault.AGENT_CRASH);
    a.crash();
    w.loop.at(w.between(FaultPlan.MS, 300 * FaultPlan.MS), "restart agent " + a.id(), a::start);
  }

  private void crashCoordinator() {
    List<SimCoordinator> alive = w.coordinators().stream().filter(SimCoordinator::alive).toList();
    if (alive.isEmpty()) {
      return;
    }
    SimCoordinator c = alive.get(w.rnd.nextInt(alive.size()));
    w.stats.fault(SimStats.Fault.COORDINATOR_CRASH);
    c.crash();
    long session = w.between(5 * FaultPlan.MS, 100 * FaultPlan.MS);
    long latch = c.latch();
    w.loop.at(session, "session of " + c.name() + " times out", () -> w.election.leave(latch));
    w.loop.at(session + w.between(FaultPlan.MS, 300 * FaultPlan.MS), "restart coordinator c" + (c.slot() + 1),
        () -> w.restartCoordinator(c));
  }

  private void expireLeaderSession() {
    SimCoordinator leader = w.election.leader();
    if (leader == null) {
      return;
    }
    w.stats.fault(SimStats.Fault.LEADER_SESSION_EXPIRED);
    w.note("session of leader " + leader.name() + " expires");
    w.election.leave(leader.latch());
    w.loop.at(w.between(0, 200 * FaultPlan.MS), leader.name() + " notices", leader::onSessionLost);
  }

  private void partition() {
    SimAgent a = w.agents.get(w.rnd.nextInt(w.agents.size()));
    long until = w.loop.now() + w.between(5 * FaultPlan.MS, 400 * FaultPlan.MS);
    w.stats.fault(SimStats.Fault.PARTITION);
    w.note("agent " + a.id() + " is cut off from the coordinators until " + Trace.time(until));
    w.network.isolate(a.id(), until);
  }
}
