package io.groupsnap.coordinator.metrics;

import io.groupsnap.common.metrics.Meters;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the leader's transactions come to, counted from each final record ({@link TransactionDriver.Outcomes}) — the
 * figures the driver already logs, never measured anew:
 *
 * <ul>
 *   <li>{@code groupsnap_group_snapshots_total{result,reason}}: result {@code committed}, {@code aborted}, or
 *       {@code in_doubt} (this leader stopped before the decision: lost leadership, or the commit write's outcome is
 *       unknown; the record, and the next leader, decide); reason the abort's {@link AbortCause} in lower case without
 *       its prefix ({@code voted_no}, {@code timed_out}, ...), {@code none} when committed. Every combination is
 *       there from the start, at 0, so that {@code increase()} sees the first one.
 *   <li>{@code groupsnap_freeze_window_seconds{result}}: first freeze start to last thaw on the agents' clocks, and
 *       {@code groupsnap_coordinator_window_seconds{result}}: first FREEZE sent to last THAW answer on the leader's;
 *       both for every transaction that reached THAW.
 *   <li>{@code groupsnap_time_to_frozen_seconds{result}}: the slowest member's time from accepting FREEZE until it
 *       held every writer and volume, for every transaction that reached THAW.
 *   <li>{@code groupsnap_prepare_seconds{result}}: how long PREPARE took, for every transaction that prepared.
 *   <li>{@code groupsnap_last_committed_timestamp_seconds}: see {@link ClusterView}, which this feeds.
 * </ul>
 *
 * <p>Called on the transaction lane after the freeze window has closed; each call is a few lock-free meter updates.
 */
public final class TransactionMetrics implements TransactionDriver.Outcomes {
  static final String RESULT_COMMITTED = "committed";
  static final String RESULT_ABORTED = "aborted";
  static final String RESULT_IN_DOUBT = "in_doubt";
  private static final String[] RESULTS = {RESULT_COMMITTED, RESULT_ABORTED, RESULT_IN_DOUBT};

  private final Counter committed;
  private final Map<AbortCause, Counter> aborted = new EnumMap<>(AbortCause.class);
  private final Counter inDoubt;
  private final Map<String, Timer> freezeWindow;
  private final Map<String, Timer> coordinatorWindow;
  private final Map<String, Timer> timeToFrozen;
  private final Map<String, Timer> prepare;
  private final AtomicLong lastCommittedMillis;

  /** @param lastCommittedMillis where the finish time of each committed transaction is recorded (max kept) */
  public TransactionMetrics(MeterRegistry registry, AtomicLong lastCommittedMillis) {
    this.lastCommittedMillis = lastCommittedMillis;
    committed = outcome(registry, RESULT_COMMITTED, "none");
    inDoubt = outcome(registry, RESULT_IN_DOUBT, "none");
    for (AbortCause c : AbortCause.values()) {
      if (c != AbortCause.UNRECOGNIZED) {
        aborted.put(c, outcome(registry, RESULT_ABORTED, reason(c)));
      }
    }
    freezeWindow = byResult(registry, "groupsnap.freeze.window",
        "Group freeze window: first freeze start to last thaw, agents' clocks");
    coordinatorWindow = byResult(registry, "groupsnap.coordinator.window",
        "Group freeze window as the leader saw it: first FREEZE sent to last THAW answer");
    timeToFrozen = byResult(registry, "groupsnap.time.to.frozen",
        "The slowest member's time from accepting FREEZE to holding every writer and volume");
    prepare = byResult(registry, "groupsnap.prepare", "How long PREPARE took, first request to last vote");
  }

  /** The label of an abort cause: {@code ABORT_TIMED_OUT} is {@code timed_out}. */
  static String reason(AbortCause c) {
    if (c == AbortCause.UNRECOGNIZED) {
      return "unknown";
    }
    if (c == AbortCause.ABORT_CAUSE_UNSPECIFIED) {
      return "unspecified";
    }
    return c.name().substring("ABORT_".length()).toLowerCase(Locale.ROOT);
  }

  private static Counter outcome(MeterRegistry registry, String result, String reason) {
    return Counter.builder("groupsnap.group.snapshots")
        .description("Group snapshots this coordinator ran to their end, by result and abort reason")
        .tags("result", result, "reason", reason).register(registry);
  }

  private static Map<String, Timer> byResult(MeterRegistry registry, String name, String description) {
    Map<String, Timer> out = new java.util.HashMap<>();
    for (String r : RESULTS) {
      out.put(r, Meters.histogram(name, description).tag("result", r).register(registry));
    }
    return Map.copyOf(out);
  }

  @Override
  public void finished(GroupSnapshot g) {
    String result;
    if (g.getState() == GroupSnapshotState.COMMITTED) {
      result = RESULT_COMMITTED;
      committed.increment();
      lastCommittedMillis.accumulateAndGet(g.getFinishedAtMillis(), Math::max);
    } else if (g.getState() == GroupSnapshotState.ABORTED) {
      result = RESULT_ABORTED;
      aborted.getOrDefault(g.getAbortCause(), aborted.get(AbortCause.ABORT_CAUSE_UNSPECIFIED)).increment();
    } else {
      result = RESULT_IN_DOUBT;
      inDoubt.increment();
    }
    if (g.getPrepareMillis() > 0 || g.getMembersList().stream().anyMatch(m -> m.getFreezeStartedAtMillis() > 0)) {
      prepare.get(result).record(g.getPrepareMillis(), TimeUnit.MILLISECONDS);
    }
    if (g.getMembersList().stream().anyMatch(m -> m.getThawedAtMillis() > 0)) {
      freezeWindow.get(result).record(g.getFreezeWindowMillis(), TimeUnit.MILLISECONDS);
      coordinatorWindow.get(result).record(g.getCoordinatorWindowMillis(), TimeUnit.MILLISECONDS);
      long slowest = g.getMembersList().stream().mapToLong(MemberRecord::getTimeToFrozenMillis).max().orElse(0);
      timeToFrozen.get(result).record(slowest, TimeUnit.MILLISECONDS);
    }
  }
}
