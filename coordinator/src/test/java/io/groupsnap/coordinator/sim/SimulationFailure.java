package io.groupsnap.coordinator.sim;

import java.util.List;

/**
 * A guarantee broken in a simulated run, with everything needed to replay it: the seed, the step, the run's plan and
 * its last events (every event, when the run kept its full trace).
 */
public final class SimulationFailure extends AssertionError {
  private final long seed;
  private final long step;
  private final String guarantee;
  private final List<String> trace;

  SimulationFailure(World w, InvariantViolation v) {
    super(message(w, v), v);
    this.seed = w.seed;
    this.step = w.loop.steps();
    this.guarantee = v.guarantee();
    this.trace = w.trace.all().isEmpty() ? w.trace.last() : w.trace.all();
  }

  private static String message(World w, InvariantViolation v) {
    StringBuilder b = new StringBuilder();
    b.append(v.guarantee()).append(" violated in seed ").append(w.seed).append(" at step ").append(w.loop.steps())
        .append(" (t=").append(Trace.time(w.loop.now())).append("): ").append(v.getMessage()).append('\n')
        .append("replay: ./mvnw -B -q test -pl coordinator -am -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests"
            + "=false -Dsim.seed=").append(w.seed).append(w.ruleName.equals("strict") ? "" : " -Dsim.rule=" + w.ruleName)
        .append('\n')
        .append("plan: ").append(w.plan.describe()).append('\n')
        .append("last events:\n");
    for (String line : w.trace.last()) {
      b.append("  ").append(line).append('\n');
    }
    return b.toString();
  }

  public long seed() {
    return seed;
  }

  public long step() {
    return step;
  }

  /** "G1" to "G4", "liveness", or "crash" (an unexpected exception). */
  public String guarantee() {
    return guarantee;
  }

  /** The trace lines the run kept. */
  public List<String> trace() {
    return trace;
  }
}
