package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.DecisionRule;
import java.util.List;

/**
 * A deterministic simulation of the whole protocol for one seed: the real coordinator {@code Transaction} (run by the
 * real {@code TransactionDriver} on virtual time) and agent
 * {@code Participant}, {@code Reaper}, {@code TxnJournal} and {@code EpochFence}, driven by one thread on virtual
 * time, with a seeded scheduler that drops, delays, duplicates and reorders messages, crashes and restarts agents and
 * coordinators, expires or suspends the leader's session, cuts agents off, forges requests from the future, loses
 * epoch notifications, makes store operations slow, refused or uncertain, and lets applications and volumes
 * misbehave. The rest of the coordinator (recovery, periodic resolution, deletion, fenced store writes) is modelled on
 * {@code Coordinator} and {@code ClusterStore}. G1–G4 are checked after every step ({@link Invariants}).
 *
 * <p>A run has an active phase — a ledger workload moves money between hosts while an operator asks for group
 * snapshots (and deletes some) and faults strike — and then quiesces and settles ({@link World}): faults stop, the
 * network heals, every process is up and one leader has recovered; after a reaper grace period the run ends and is
 * held to G2 and full G3, whatever faults it saw.
 *
 * <p>Nothing reads the wall clock, iterates a hash-ordered collection or starts a thread: {@code run(seed)} replays
 * identically. A broken guarantee throws {@link SimulationFailure} naming the seed, the step and the last events.
 */
public final class Simulation {
  private Simulation() {}

  /**
   * How to run.
   *
   * @param rule the leader's decision rule ({@link DecisionRule#STRICT} is the real one)
   * @param ruleName its name, for replay instructions ({@code -Dsim.rule=...})
   * @param fullTrace keep every trace line (for replays and the determinism test), not only the last ones
   * @param maxSteps a run that has not ended after this many steps fails (liveness)
   */
  public record Options(DecisionRule rule, String ruleName, boolean fullTrace, long maxSteps) {
    public static Options standard() {
      return new Options(DecisionRule.STRICT, "strict", false, 500_000);
    }

    public Options withRule(String name, DecisionRule other) {
      return new Options(other, name, fullTrace, maxSteps);
    }

    public Options withFullTrace() {
      return new Options(rule, ruleName, true, maxSteps);
    }
  }

  /**
   * A run that kept every guarantee.
   *
   * @param seed its seed
   * @param plan what it was made of
   * @param steps steps taken
   * @param virtualNanos virtual time at the end
   * @param traceHash hash of every trace line: equal for equal runs
   * @param trace every line, when asked for; else empty
   * @param stats faults injected and outcomes
   */
  public record Result(long seed, String plan, long steps, long virtualNanos, long traceHash, List<String> trace,
      SimStats stats) {}

  public static Result run(long seed) {
    return run(seed, Options.standard());
  }

  /** Runs one seed to the end. */
  public static Result run(long seed, Options options) {
    World w = new World(seed, options);
    try {
      w.start();
      while (w.loop.step()) {
        w.invariants.afterStep();
        if (w.loop.steps() > options.maxSteps()) {
          throw new InvariantViolation("liveness", "still busy after " + options.maxSteps() + " steps");
        }
      }
      w.invariants.atEnd();
    } catch (InvariantViolation v) {
      throw new SimulationFailure(w, v);
    } catch (RuntimeException | AssertionError e) {
      throw new SimulationFailure(w, new InvariantViolation("crash", "unexpected " + e, e));
    }
    w.stats.count(SimStats.Outcome.STEPS, w.loop.steps());
    return new Result(seed, w.plan.describe(), w.loop.steps(), w.loop.now(), w.trace.hash(), w.trace.all(), w.stats);
  }
}
