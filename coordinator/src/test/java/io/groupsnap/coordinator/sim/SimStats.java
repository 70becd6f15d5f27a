package io.groupsnap.coordinator.sim;

import java.util.Arrays;

/** What runs injected and what came of it, by kind; added up over many seeds for the report a test prints. */
final class SimStats {
  /** Faults injected. */
  enum Fault {
    MESSAGE_DROPPED, MESSAGE_DUPLICATED, MESSAGE_DELAYED_LONG, MESSAGE_REORDERED, PARTITION, AGENT_CRASH,
    COORDINATOR_CRASH, LEADER_SESSION_EXPIRED, STORE_WRITE_SLOW, STORE_WRITE_UNCERTAIN, STORE_WRITE_REFUSED,
    APP_REFUSED_PREPARE, APP_COULD_NOT_FREEZE, APP_GAVE_UP_HOLD, VOLUME_CHECK_FAILED, VOLUME_CAPTURE_FAILED
  }

  /** What happened as a result. */
  enum Outcome {
    RUNS, CALM_RUNS, STEPS, TRANSFERS, TXNS_STARTED, COMMITTED, ABORTED, IN_DOUBT, ABANDONED_ON_LEADERSHIP_LOSS,
    LEADERS_ELECTED, RECOVERY_ABORTS, FENCED_STORE_WRITES, FENCED_AGENT_CALLS, LEASE_EXPIRED_HOLDS,
    HOLDS_ENDED_BY_APP_AFTER_AGENT_DEATH, RUNS_ENDING_WITH_ORPHAN_CAPTURES, ORPHAN_CAPTURES,
    RUNS_ENDING_WITH_UNFINISHED_RECORDS, COMMITTED_CAPTURES_NEVER_KEPT
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
