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
 * their captures. IN_DOUBT: this leader can no longer decide — leadership was lost before the decision, or the commit
 * write's outcome is unknown — so it stops issuing commands; the record in ZooKeeper decides (a successor aborts an
 * undecided record). COMMITTED, ABORTED and IN_DOUBT are final and absorb every later event.
 */
public enum TxnState {
  BEGINNING, PREPARING, FREEZING, THAWING, COMMITTING, FINALIZING, COMMITTED, IN_DOUBT, ABORTING, ABORTED;

  private static final Map<TxnState, Set<TxnState>> NEXT = Map.of(
      BEGINNING, EnumSet.of(PREPARING, ABORTING, ABORTED, IN_DOUBT),
      PREPARING, EnumSet.of(FREEZING, ABORTING, IN_DOUBT),
      FREEZING, EnumSet.of(THAWING, ABORTING, IN_DOUBT),
      THAWING, EnumSet.of(COMMITTING, ABORTING, IN_DOUBT),
      COMMITTING, EnumSet.of(FINALIZING, ABORTING, IN_DOUBT),
      FINALIZING, EnumSet.of(COMMITTED),
      COMMITTED, EnumSet.noneOf(TxnState.class),
      IN_DOUBT, EnumSet.noneOf(TxnState.class),
      ABORTING, EnumSet.of(ABORTED, IN_DOUBT),
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
