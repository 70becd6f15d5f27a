package io.groupsnap.coordinator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the simulation for many seeds (10,000 by default, {@code -Dsim.seeds=N} and {@code -Dsim.firstSeed=S} to
 * change that) and prints what was injected and what came of it; every {@code -Dsim.progressEvery=K} seeds (10,000 by
 * default when more than 10,000 are asked for) it prints how far it got. The long exploration is the {@code sim-long}
 * profile of coordinator/pom.xml (200,000 seeds, progress on the console). Every run, calm or not, ends settled and is held to
 * G2 and full G3 there (see {@link Invariants}); the faults and outcomes asserted positive make sure the runs reach
 * what they are meant to exercise. {@code -Dsim.seed=S} replays one seed instead and
 * prints its whole trace ({@code -Dsim.rule=ignores-unbroken} with the broken rule of {@link SimBrokenRuleTest}).
 */
@ExtendWith(QuietLogs.class)
class SimulationTest {
  @Test
  void everySeedKeepsG1toG4_underFaults() {
    Long replay = Long.getLong("sim.seed");
    if (replay != null) {
      replay(replay);
      return;
    }
    int seeds = Integer.getInteger("sim.seeds", 10_000);
    long first = Long.getLong("sim.firstSeed", 0L);
    SimStats total = new SimStats();
    long started = System.nanoTime();
    int every = Integer.getInteger("sim.progressEvery", seeds > 10_000 ? 10_000 : 0);
    for (long seed = first; seed < first + seeds; seed++) {
      total.add(Simulation.run(seed).stats());
      long done = seed - first + 1;
      if (every > 0 && done % every == 0 && done < seeds) {
        System.out.println(progress(done, seeds, total, System.nanoTime() - started));
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf("simulation: %d schedules (seeds %d..%d, %d calm) in %.1f s, %d steps%n", seeds, first,
        first + seeds - 1, total.get(SimStats.Outcome.CALM_RUNS), millis / 1000.0,
        total.get(SimStats.Outcome.STEPS));
    System.out.print("faults injected:\n" + total.faultReport());
    System.out.print("outcomes:\n" + total.outcomeReport());

    assertThat(total.get(SimStats.Outcome.RUNS)).isEqualTo(seeds);
    if (seeds >= 1_000) {
      for (SimStats.Fault f : SimStats.Fault.values()) {
        assertThat(total.get(f)).as("fault %s injected", f).isPositive();
      }
      for (SimStats.Outcome o : List.of(SimStats.Outcome.COMMITTED, SimStats.Outcome.ABORTED,
          SimStats.Outcome.IN_DOUBT, SimStats.Outcome.ABANDONED_ON_LEADERSHIP_LOSS, SimStats.Outcome.DELETIONS_ASKED,
          SimStats.Outcome.FENCED_STORE_WRITES, SimStats.Outcome.FENCED_AGENT_CALLS, SimStats.Outcome.RECOVERY_ABORTS,
          SimStats.Outcome.RECOVERY_COMMITS_RESENT, SimStats.Outcome.RECOVERY_DELETIONS_FINISHED,
          SimStats.Outcome.RESOLVED_BY_THE_LEADER_PERIODICALLY, SimStats.Outcome.JOURNAL_ENTRIES_THAWED_AFTER_RESTART,
          SimStats.Outcome.REAPER_KEPT, SimStats.Outcome.REAPER_DELETED)) {
        assertThat(total.get(o)).as("outcome %s", o).isPositive();
      }
    }
  }

  /** One line: seeds done, the transactions' outcomes so far, elapsed time. */
  static String progress(long done, long seeds, SimStats total, long elapsedNanos) {
    return String.format("simulation progress: %d/%d seeds (%.0f%%) in %.1f s; %d transactions: %d committed, "
        + "%d aborted, %d in doubt, %d abandoned on leadership loss", done, seeds, 100.0 * done / seeds,
        elapsedNanos / 1e9, total.get(SimStats.Outcome.TXNS_STARTED), total.get(SimStats.Outcome.COMMITTED),
        total.get(SimStats.Outcome.ABORTED), total.get(SimStats.Outcome.IN_DOUBT),
        total.get(SimStats.Outcome.ABANDONED_ON_LEADERSHIP_LOSS));
  }

  private static void replay(long seed) {
    Simulation.Options options = Simulation.Options.standard().withFullTrace();
    if (SimBrokenRuleTest.IGNORES_UNBROKEN_NAME.equals(System.getProperty("sim.rule"))) {
      options = options.withRule(SimBrokenRuleTest.IGNORES_UNBROKEN_NAME, SimBrokenRuleTest.IGNORES_UNBROKEN);
    }
    try {
      Simulation.Result r = Simulation.run(seed, options);
      r.trace().forEach(System.out::println);
      System.out.printf("seed %d passed: %d steps, %s virtual; %s%n", seed, r.steps(), Trace.time(r.virtualNanos()),
          r.plan());
    } catch (SimulationFailure f) {
      f.trace().forEach(System.out::println);
      throw f;
    }
  }
}
