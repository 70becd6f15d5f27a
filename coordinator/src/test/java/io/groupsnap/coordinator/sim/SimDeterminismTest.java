package io.groupsnap.coordinator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A seed is a schedule: running it again replays the same events, passing or failing. */
@ExtendWith(QuietLogs.class)
class SimDeterminismTest {
  @Test
  void sameSeed_producesTheSameTraceTwice() {
    for (long seed : new long[] {3, 86, 789, 4242}) {
      Simulation.Result first = Simulation.run(seed, Simulation.Options.standard().withFullTrace());
      Simulation.Result again = Simulation.run(seed, Simulation.Options.standard().withFullTrace());
      assertThat(first.trace()).hasSizeGreaterThan(100).isEqualTo(again.trace());
      assertThat(first.traceHash()).isEqualTo(again.traceHash());
      assertThat(first.steps()).isEqualTo(again.steps());
    }
  }

  @Test
  void differentSeeds_produceDifferentTraces() {
    assertThat(Simulation.run(1).traceHash()).isNotEqualTo(Simulation.run(2).traceHash());
  }

  @Test
  void failingSeed_failsAgainTheSameWay() {
    Simulation.Options broken = Simulation.Options.standard().withRule(SimBrokenRuleTest.IGNORES_UNBROKEN_NAME,
        SimBrokenRuleTest.IGNORES_UNBROKEN);
    SimulationFailure first = null;
    for (long seed = 0; first == null; seed++) {
      first = run(seed, broken);
    }
    SimulationFailure again = run(first.seed(), broken);
    assertThat(again).isNotNull();
    assertThat(again.step()).isEqualTo(first.step());
    assertThat(again.getMessage()).isEqualTo(first.getMessage());
  }

  private static SimulationFailure run(long seed, Simulation.Options options) {
    return catchThrowableOfType(SimulationFailure.class, () -> Simulation.run(seed, options));
  }
}
