package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.proto.v1.BackupRun;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A run this leader drives: its record as last written, the term its writes are fenced by, its pending timers and
 * the agents of it holding an export slot. Confined to the driver's lane.
 */
final class ActiveRun {
  final Leadership.Term term;
  BackupRun run;
  boolean stopped;
  long lastWriteMillis;
  final List<Scheduler.Cancellable> timers = new ArrayList<>();
  /** Agents whose export of this run holds one of the cluster-wide slots. */
  final Set<String> slots = new HashSet<>();
  /** Agents last found unreachable, with the reason (an event is logged when it changes). */
  final java.util.Map<String, String> unreachable = new java.util.HashMap<>();

  ActiveRun(Leadership.Term term, BackupRun run) {
    this.term = term;
    this.run = run;
  }

  String id() {
    return run.getId();
  }
}
