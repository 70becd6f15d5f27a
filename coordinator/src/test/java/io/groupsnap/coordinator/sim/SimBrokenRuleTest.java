package io.groupsnap.coordinator.sim;

import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import io.groupsnap.coordinator.txn.AbortReason;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The simulation finds bugs: a decision rule that ignores the "unbroken" THAW answers is caught within a few seeds,
 * and within a few hundred it commits a torn cut (an application gave up its hold, money moved, another member froze
 * later).
 */
@ExtendWith(QuietLogs.class)
class SimBrokenRuleTest {
  static final int SEEDS = 3_000;

  static final String IGNORES_UNBROKEN_NAME = "ignores-unbroken";

  /** Commits when every member answered FROZEN, whatever its THAW answer said. */
  static final DecisionRule IGNORES_UNBROKEN = (members, frozen, thawed) -> {
    for (var m : members) {
      FreezeReply f = frozen.get(m.agentId());
      if (f == null || !f.frozen()) {
        return DecisionRule.Verdict.abort(AbortReason.notFrozen(m.agentId(), "did not answer FROZEN"));
      }
    }
    return DecisionRule.Verdict.COMMIT;
  };

  @Test
  void commitWithoutUnbrokenAnswers_isCaught_andTearsACut() {
    Simulation.Options broken = Simulation.Options.standard().withRule(IGNORES_UNBROKEN_NAME, IGNORES_UNBROKEN);
    SimulationFailure first = null;
    for (long seed = 0; seed < SEEDS; seed++) {
      long s = seed;
      SimulationFailure f = catchThrowableOfType(SimulationFailure.class, () -> Simulation.run(s, broken));
      if (f == null) {
        continue;
      }
      if (first == null) {
        first = f;
        System.out.println("broken decision rule first caught by seed " + seed + ":\n" + f.getMessage());
      }
      if (f.guarantee().equals("G1")) {
        System.out.println("broken decision rule tears a cut in seed " + seed + ":\n" + f.getMessage());
        // The same schedule under the real rule keeps every guarantee: the rule made the difference.
        Simulation.run(seed);
        Simulation.run(first.seed());
        return;
      }
    }
    fail(first == null ? "a rule that ignores broken holds survived " + SEEDS + " seeds"
        : "a rule that ignores broken holds was caught (" + first.guarantee() + ", seed " + first.seed()
            + ") but tore no cut within " + SEEDS + " seeds");
  }
}
