package io.groupsnap.agent.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's transaction states: the transition table, and that a transaction's state follows only it. */
class AgentTxnStateTest {
  @Test
  void finalStates_absorb_andEveryOtherStateCanAbort() {
    for (AgentTxnState s : AgentTxnState.values()) {
      if (s.isFinal()) {
        assertThat(AgentTxnState.NEXT.get(s)).as("%s", s).isEmpty();
      } else {
        assertThat(s.canMoveTo(AgentTxnState.ABORTED)).as("%s", s).isTrue();
      }
    }
  }

  @Test
  void theOnlyWayForward_isPrepareFreezeThawCommit() {
    List<AgentTxnState> path = List.of(AgentTxnState.PREPARING, AgentTxnState.PREPARED, AgentTxnState.FREEZING,
        AgentTxnState.FROZEN, AgentTxnState.THAWED, AgentTxnState.COMMITTED);
    for (int i = 0; i + 1 < path.size(); i++) {
      assertThat(AgentTxnState.NEXT.get(path.get(i)))
          .containsExactlyInAnyOrderElementsOf(EnumSet.of(path.get(i + 1), AgentTxnState.ABORTED));
    }
  }

  @Test
  void aTransition_notInTheTable_isRefused_andTheStateStays() {
    LocalTxn txn = new LocalTxn(new TxnRef("c", 1, "gs-1"), List.of(), List.of(), Duration.ofSeconds(1),
        Instant.EPOCH, Duration.ofSeconds(1), 0);
    assertThatThrownBy(() -> txn.transition(AgentTxnState.FROZEN)).isInstanceOf(IllegalStateException.class)
        .hasMessage("transaction gs-1 cannot go from PREPARING to FROZEN");
    assertThat(txn.state()).isEqualTo(AgentTxnState.PREPARING);
    txn.transition(AgentTxnState.ABORTED);
    assertThatThrownBy(() -> txn.transition(AgentTxnState.PREPARED)).isInstanceOf(IllegalStateException.class);
    assertThat(txn.state()).isEqualTo(AgentTxnState.ABORTED);
  }

  @Test
  void aClaimedPreparedTransaction_cannotStartFreezing() {
    LocalTxn txn = new LocalTxn(new TxnRef("c", 1, "gs-1"), List.of(), List.of(), Duration.ofSeconds(1),
        Instant.EPOCH, Duration.ofSeconds(1), 0);
    assertThat(txn.claim(AbortCause.ABORT)).as("not prepared yet").isFalse();
    txn.transition(AgentTxnState.PREPARED);
    assertThat(txn.claim(AbortCause.noFreezeWithin(Duration.ofSeconds(1)))).isTrue();
    assertThat(txn.claim(AbortCause.ABORT)).as("claimed once").isFalse();
    assertThat(txn.startFreezing()).isFalse();
    assertThat(txn.state()).isEqualTo(AgentTxnState.PREPARED);
    assertThat(txn.endCause().kind()).isEqualTo(AbortCause.Kind.NO_FREEZE_IN_TIME);
  }
}
