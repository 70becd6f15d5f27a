package io.groupsnap.coordinator.txn;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A transaction's state on the leader, with its allowed transitions.
 *
 * <pre>
 *  BEGINNING ─► PREPARING ─► FREEZING ─► THAWING ─► COMMITTING ─► FINALIZING ─► COMMITTED
 *      │            │            │           │           │    └──► IN_DOUBT
 *      └────────────┴────────────┴───────────┴───────────┴──► ABORTING ─► ABORTED
 * </pre>
 * BEGINNING writes the record; COMMITTING writes the decision (the commit point); FINALIZING tells agents to keep
 * their captures. IN_DOUBT: the commit write's outcome is unknown, so this leader may neither commit nor abort; the
 * record in ZooKeeper decides. COMMITTED, ABORTED and IN_DOUBT are final and absorb every later event.
 */
public enum TxnState {
  BEGINNING, PREPARING, FREEZING, THAWING, COMMITTING, FINALIZING, COMMITTED, IN_DOUBT, ABORTING, ABORTED;

  private static final Map<TxnState, Set<TxnState>> NEXT = Map.of(
      BEGINNING, EnumSet.of(PREPARING, ABORTING, ABORTED),
      PREPARING, EnumSet.of(FREEZING, ABORTING),
      FREEZING, EnumSet.of(THAWING, ABORTING),
      THAWING, EnumSet.of(COMMITTING, ABORTING),
      COMMITTING, EnumSet.of(FINALIZING, ABORTING, IN_DOUBT),
      FINALIZING, EnumSet.of(COMMITTED),
      COMMITTED, EnumSet.noneOf(TxnState.class),
      IN_DOUBT, EnumSet.noneOf(TxnState.class),
      ABORTING, EnumSet.of(ABORTED),
      ABORTED, EnumSet.noneOf(TxnState.class));

  public boolean canMoveTo(TxnState next) {
    return NEXT.get(this).contains(next);
  }

  public boolean isFinal() {
    return this == COMMITTED || this == ABORTED || this == IN_DOUBT;
  }

  /** True once the decision to commit has been made durable: from then on the transaction never aborts. */
  public boolean isDecidedCommit() {
    return this == FINALIZING || this == COMMITTED;
  }
}
