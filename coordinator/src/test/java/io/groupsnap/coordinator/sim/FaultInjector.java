package io.groupsnap.coordinator.sim;

import java.util.List;

/**
 * Process and network faults at random moments while the run is active: an agent crashes (and restarts), a
 * coordinator crashes (its latch node goes when its session times out; it restarts as a new incarnation), the leader's
 * session expires (it learns only later, a zombie meanwhile), or an agent is cut off from the coordinators for a
 * while. Message-level faults are the {@link Network}'s.
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
    int pick = w.rnd.nextInt(8);
    if (pick < 3) {
      crashAgent();
    } else if (pick < 4) {
      crashCoordinator();
    } else if (pick < 6) {
      expireLeaderSession();
    } else {
      partition();
    }
    schedule();
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
