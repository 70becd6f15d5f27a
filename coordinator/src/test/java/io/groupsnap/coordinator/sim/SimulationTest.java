package io.groupsnap.coordinator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the simulation for many seeds (10,000 by default, {@code -Dsim.seeds=N} and {@code -Dsim.firstSeed=S} to
 * change that) and prints what was injected and what came of it. {@code -Dsim.seed=S} replays one seed instead and
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
    for (long seed = first; seed < first + seeds; seed++) {
      total.add(Simulation.run(seed).stats());
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
      assertThat(total.get(SimStats.Outcome.COMMITTED)).isPositive();
      assertThat(total.get(SimStats.Outcome.ABORTED)).isPositive();
      assertThat(total.get(SimStats.Outcome.IN_DOUBT)).isPositive();
      assertThat(total.get(SimStats.Outcome.FENCED_STORE_WRITES)).isPositive();
      assertThat(total.get(SimStats.Outcome.FENCED_AGENT_CALLS)).isPositive();
    }
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
