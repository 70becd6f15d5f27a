package io.groupsnap.agent.txn;

/**
 * A transaction's state on one agent.
 *
 * <pre>
 * PREPARING ─► PREPARED ─► FREEZING ─► FROZEN ─► THAWED ─► COMMITTED
 *     │            │           │          │         │
 *     └────────────┴───────────┴──────────┴─────────┴──► ABORTED
 * </pre>
 * COMMITTED and ABORTED are final. A lease expiry does not change the state: it releases the hold, and the THAW that
 * follows reports it as broken.
 */
public enum AgentTxnState {
  PREPARING, PREPARED, FREEZING, FROZEN, THAWED, COMMITTED, ABORTED;

  public boolean isFinal() {
    return this == COMMITTED || this == ABORTED;
  }
}
