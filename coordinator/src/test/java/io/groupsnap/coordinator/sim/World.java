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
 */
final class World {
  static final long INITIAL_BALANCE = 1_000;

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

  /** Winds the run down: no new faults, transfers or transactions, no more message losses; the rest completes. */
  void quiesce() {
    if (quiet) {
      return;
    }
    quiet = true;
    note("quiescing: no new faults, transfers or transactions");
    injector.stop();
    workload.stop();
    operator.stop();
    network.quiet();
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
