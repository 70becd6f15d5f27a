package io.groupsnap.agent.txn;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A transaction's state on one agent.
 *
 * <pre>
 * PREPARING ─► PREPARED ─► FREEZING ─► FROZEN ─► THAWED ─► COMMITTED
 *     │            │           │          │         │
 *     └────────────┴───────────┴──────────┴─────────┴──► ABORTED
 * </pre>
 * COMMITTED and ABORTED are final: nothing leaves them. A lease expiry does not change the state: it releases the
 * hold, and the THAW that follows reports it as broken. {@link #NEXT} is the whole table; a transaction's state changes
 * only through {@code LocalTxn#transition}, which refuses any move not in it.
 */
public enum AgentTxnState {
  PREPARING, PREPARED, FREEZING, FROZEN, THAWED, COMMITTED, ABORTED;

  /** The allowed moves: from each state, the states it may go to. */
  static final Map<AgentTxnState, Set<AgentTxnState>> NEXT = table();

  private static Map<AgentTxnState, Set<AgentTxnState>> table() {
    Map<AgentTxnState, Set<AgentTxnState>> t = new EnumMap<>(AgentTxnState.class);
    t.put(PREPARING, EnumSet.of(PREPARED, ABORTED));
    t.put(PREPARED, EnumSet.of(FREEZING, ABORTED));
    t.put(FREEZING, EnumSet.of(FROZEN, ABORTED));
    t.put(FROZEN, EnumSet.of(THAWED, ABORTED));
    t.put(THAWED, EnumSet.of(COMMITTED, ABORTED));
    t.put(COMMITTED, EnumSet.noneOf(AgentTxnState.class));
    t.put(ABORTED, EnumSet.noneOf(AgentTxnState.class));
    return t;
  }

  public boolean isFinal() {
    return this == COMMITTED || this == ABORTED;
  }

  /** Whether {@code next} may follow this state. */
  public boolean canMoveTo(AgentTxnState next) {
    return NEXT.get(this).contains(next);
  }
}
