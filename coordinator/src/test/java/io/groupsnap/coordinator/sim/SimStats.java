package io.groupsnap.coordinator.sim;

import java.util.Arrays;

/** What runs injected and what came of it, by kind; added up over many seeds for the report a test prints. */
final class SimStats {
  /** Faults injected. */
  enum Fault {
    MESSAGE_DROPPED, MESSAGE_DUPLICATED, MESSAGE_DELAYED_LONG, MESSAGE_REORDERED, PARTITION, AGENT_CRASH,
    COORDINATOR_CRASH, LEADER_SESSION_EXPIRED, LEADER_CONNECTION_SUSPENDED, FORGED_REQUEST, EPOCH_NOTIFICATION_LOST,
    STORE_WRITE_SLOW, STORE_WRITE_UNCERTAIN, STORE_WRITE_REFUSED, REAPER_READ_FAILED, APP_REFUSED_PREPARE,
    APP_COULD_NOT_FREEZE, APP_GAVE_UP_HOLD, VOLUME_CHECK_FAILED, VOLUME_CAPTURE_FAILED
  }

  /** What happened as a result. */
  enum Outcome {
    RUNS, CALM_RUNS, STEPS, TRANSFERS, TXNS_STARTED, COMMITTED, ABORTED, IN_DOUBT, ABANDONED_ON_LEADERSHIP_LOSS,
    DELETIONS_ASKED, LEADERS_ELECTED, RECOVERY_ABORTS, RECOVERY_COMMITS_RESENT, RECOVERY_FINALIZED,
    RECOVERY_DELETIONS_FINISHED, RESOLVED_BY_THE_LEADER_PERIODICALLY, RECOVERY_RETRIES, LEADERSHIP_GIVEN_BACK, FENCED_STORE_WRITES, FENCED_AGENT_CALLS,
    LEASE_EXPIRED_HOLDS, HOLDS_ENDED_BY_APP_AFTER_AGENT_DEATH, JOURNAL_ENTRIES_THAWED_AFTER_RESTART, REAPER_KEPT,
    REAPER_DELETED, SETTLE_VIRTUAL_MILLIS
  }

  private final long[] faults = new long[Fault.values().length];
  private final long[] outcomes = new long[Outcome.values().length];

  void fault(Fault f) {
    faults[f.ordinal()]++;
  }

  void count(Outcome o) {
    count(o, 1);
  }

  void count(Outcome o, long n) {
    outcomes[o.ordinal()] += n;
  }

  long get(Fault f) {
    return faults[f.ordinal()];
  }

  long get(Outcome o) {
    return outcomes[o.ordinal()];
  }

  void add(SimStats other) {
    Arrays.setAll(faults, i -> faults[i] + other.faults[i]);
    Arrays.setAll(outcomes, i -> outcomes[i] + other.outcomes[i]);
  }

  String faultReport() {
    StringBuilder b = new StringBuilder();
    for (Fault f : Fault.values()) {
      b.append(String.format("  %-32s %10d%n", f.name().toLowerCase(), get(f)));
    }
    return b.toString();
  }

  String outcomeReport() {
    StringBuilder b = new StringBuilder();
    for (Outcome o : Outcome.values()) {
      b.append(String.format("  %-38s %10d%n", o.name().toLowerCase(), get(o)));
    }
    return b.toString();
  }
}
