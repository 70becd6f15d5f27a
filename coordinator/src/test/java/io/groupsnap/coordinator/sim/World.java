package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.DecisionRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Everything one simulated run is made of, wired together; each part reaches the others through it. All randomness
 * comes from one generator seeded with the run's seed, and all time from one {@link EventLoop}, so a seed always
 * replays the same run. Single-threaded.
 *
 * <p>A run ends in three steps. Quiescing: faults, workload and operator stop; the network stops losing, duplicating
 * and holding back messages and every partition heals; store operations stop failing. Settling: crashed processes
 * restart as they were going to, and the run waits until every agent and coordinator is up, exactly one coordinator
 * believes it leads and has recovered, nothing of its own is under way and no message is in flight. Then one grace
 * period and two reaper intervals pass (so every agent's reaper, and the leader's periodic resolution, have run with
 * every capture past its grace), the periodic work stops, and what is left in the queue drains before the end-of-run
 * checks.
 */
final class World {
  static final long INITIAL_BALANCE = 1_000;
  /** A run not settled this long after quiescing fails (liveness). */
  static final long SETTLE_LIMIT_NANOS = 20_000 * FaultPlan.MS;
  private static final long SETTLE_POLL_NANOS = 10 * FaultPlan.MS;

  final long seed;
  final SplittableRandom rnd;
  final FaultPlan plan;
  final Trace trace;
  final EventLoop loop;
  final SimStats stats = new SimStats();
  final DecisionRule rule;
  final String ruleName;
  final String clusterId = "sim-cluster";
  final Invariants invariants;
  final SimStore store;
  final Election election;
  final Network network;
  final List<SimAgent> agents = new ArrayList<>();
  final TransferWorkload workload;
  private final Map<String, SimAgent> byId = new TreeMap<>();
  private final SimCoordinator[] coordinators;
  private final Operator operator;
  private final FaultInjector injector;
  private boolean quiet;
  private boolean ended;
  private long quietSince = -1;
  private long settledSince = -1;

  World(long seed, Simulation.Options options) {
    this.seed = seed;
    this.rnd = new SplittableRandom(seed);
    this.plan = FaultPlan.draw(rnd);
    this.trace = new Trace(60, options.fullTrace());
    this.loop = new EventLoop(trace);
    this.rule = options.rule();
    this.ruleName = options.ruleName();
    this.invariants = new Invariants(this);
    this.store = new SimStore(invariants);
    this.election = new Election(this);
    this.network = new Network(this);
    for (int i = 1; i <= plan.agents(); i++) {
      SimAgent a = new SimAgent(this, "a" + i);
      agents.add(a);
      byId.put(a.id(), a);
    }
    this.coordinators = new SimCoordinator[plan.coordinators()];
    Arrays.setAll(coordinators, i -> new SimCoordinator(this, i, 1));
    this.workload = new TransferWorkload(this);
    this.operator = new Operator(this);
    this.injector = new FaultInjector(this);
    store.watchEpoch(epoch -> agents.forEach(a -> a.epochChanged(epoch)));
  }

  /** Starts every process, the workload, the operator and the faults. */
  void start() {
    stats.count(SimStats.Outcome.RUNS);
    stats.count(SimStats.Outcome.CALM_RUNS, plan.calm() ? 1 : 0);
    agents.forEach(SimAgent::start);
    Arrays.stream(coordinators).forEach(SimCoordinator::start);
    workload.start();
    operator.start();
    injector.start();
    loop.at(plan.activeLimitNanos(), "active phase ends", this::quiesce);
  }

  /**
   * Winds the run down: no new faults, transfers or transactions, no more message losses or partitions, no store
   * failures; the rest completes, and the run ends once it has settled.
   */
  void quiesce() {
    if (quiet) {
      return;
    }
    quiet = true;
    quietSince = loop.now();
    note("quiescing: no new faults, transfers or transactions");
    injector.stop();
    workload.stop();
    operator.stop();
    network.quiet();
    loop.at(SETTLE_POLL_NANOS, "is the run settled?", this::checkSettled);
  }

  /**
   * Once settled for a grace period and two reaper (and leader resolution) intervals, the run ends: the reapers and
   * the leader's periodic resolution stop, the queue drains.
   */
  private void checkSettled() {
    String unsettled = unsettled();
    if (unsettled != null) {
      if (settledSince >= 0) {
        note("unsettled again: " + unsettled);
      }
      settledSince = -1;
      if (loop.now() - quietSince > SETTLE_LIMIT_NANOS) {
        throw new InvariantViolation("liveness", "not settled " + SETTLE_LIMIT_NANOS / FaultPlan.MS
            + "ms after quiescing: " + unsettled);
      }
    } else if (settledSince < 0) {
      settledSince = loop.now();
      note("settled; the run ends after a grace period and two reaper intervals");
    } else if (loop.now() - settledSince >= plan.reaperGrace().toNanos()
        + 2 * Math.max(plan.reaperIntervalNanos(), plan.resolveIntervalNanos())) {
      stats.count(SimStats.Outcome.SETTLE_VIRTUAL_MILLIS, (settledSince - quietSince) / FaultPlan.MS);
      ended = true;
      note("the run ends; the reapers stop");
      return;
    }
    loop.at(SETTLE_POLL_NANOS, "is the run settled?", this::checkSettled);
  }

  /** Why the run has not settled yet, or null. */
  private String unsettled() {
    for (SimAgent a : agents) {
      if (!a.up()) {
        return "agent " + a.id() + " is down";
      }
    }
    SimCoordinator leader = election.leader();
    if (leader == null || !leader.alive() || !leader.canServe()) {
      return "no leader is ready";
    }
    for (SimCoordinator c : coordinators) {
      if (!c.alive()) {
        return c.name() + " is down";
      }
      if (c != leader && c.term() != null) {
        return c.name() + " still believes it leads";
      }
      if (c.busy()) {
        return c.name() + " is busy";
      }
    }
    return network.inFlight() > 0 ? network.inFlight() + " message(s) in flight" : null;
  }

  /** Quiescing has begun: no more losses, partitions or store failures. */
  boolean quiet() {
    return quiet;
  }

  /** The run has settled long enough: periodic work (the reapers) stops. */
  boolean ended() {
    return ended;
  }

  /** A crashed coordinator comes back as its next incarnation. */
  void restartCoordinator(SimCoordinator dead) {
    SimCoordinator next = new SimCoordinator(this, dead.slot(), dead.incarnation() + 1);
    coordinators[dead.slot()] = next;
    next.start();
  }

  List<SimCoordinator> coordinators() {
    return List.of(coordinators);
  }

  SimAgent agent(String id) {
    return byId.get(id);
  }

  /** Adds a line to the trace at the current time. */
  void note(String text) {
    trace.add(loop.now(), "  " + text);
  }

  boolean chance(double p) {
    return p > 0 && rnd.nextDouble() < p;
  }

  /** Uniform in [lo, hi); lo when the range is empty. */
  long between(long lo, long hi) {
    return lo >= hi ? lo : rnd.nextLong(lo, hi);
  }

  /** Exponentially distributed with the given mean, at least 1. */
  long exponential(long mean) {
    return 1 + (long) (-Math.log(1 - rnd.nextDouble()) * mean);
  }
}
