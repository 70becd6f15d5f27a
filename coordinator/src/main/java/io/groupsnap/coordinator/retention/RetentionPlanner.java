package io.groupsnap.coordinator.retention;

import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.RetentionDecision;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetentionScope;
import io.groupsnap.proto.v1.RunState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Decides which of a group's backups retention keeps, in one scope (the local captures, or the exported backups),
 * and why. Pure: the runs, the policy, the time and the zone in; a {@link RetentionDecision} per run out, newest
 * first. Nothing is deleted here.
 *
 * <p>In scope: LOCAL, the runs whose group snapshot still exists (one was committed, not deleted since); EXPORT, the
 * runs with at least one export DONE and not forgotten. A run that has not ended is in both scopes (EXPORT when it
 * has an export target) and always kept ("in progress").
 *
 * <p>Rules, in restic's {@code forget} vocabulary; a run is kept when any rule keeps it, and every reason is given:
 * <ul>
 *   <li>{@code keep_last N}: the N newest COMPLETED runs ("last N").
 *   <li>{@code keep_hourly..keep_yearly N}: the newest COMPLETED run of each of the last N hours, days, ISO weeks,
 *       months, years that have one, as wall-clock times in the group's zone ("daily 2026-12-01").
 *   <li>{@code keep_within D}: every run, whatever its end state, created less than D before <em>now</em> ("within
 *       7d"). Restic measures from the newest snapshot instead; measuring from now means that backups do expire when
 *       backups stop being taken, and that a plan shown now is what the leader does now.
 *   <li>The newest COMPLETED run is always kept ("newest completed").
 *   <li>A FAILED or PARTIALLY_FAILED run is kept only by {@code keep_within} or while it is newer than the newest
 *       COMPLETED run ("newer than the newest completed": it may hold the only copy of recent data); otherwise it
 *       is removed — failed backups expire too.
 *   <li>A policy of all zeros keeps everything ("no retention policy").
 * </ul>
 * Thread-safe (stateless).
 */
public final class RetentionPlanner {
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH", Locale.ROOT);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT);

  /** Newest first; equal times by id, newest id first. */
  static final Comparator<BackupRun> NEWEST_FIRST = Comparator.comparingLong(BackupRun::getCreatedAtMillis)
      .thenComparing(BackupRun::getId).reversed();

  private RetentionPlanner() {}

  /** The decisions about the runs of {@code scope}, newest first; runs out of scope are left out. */
  public static List<RetentionDecision> plan(List<BackupRun> runs, RetentionPolicy policy, RetentionScope scope,
      Instant now, ZoneId zone) {
    List<BackupRun> in = runs.stream().filter(r -> inScope(r, scope)).sorted(NEWEST_FIRST).toList();
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    in.forEach(r -> reasons.put(r.getId(), new ArrayList<>()));
    List<BackupRun> completed = in.stream().filter(r -> r.getState() == RunState.RUN_COMPLETED).toList();
    boolean keepAll = isEmpty(policy);
    long newestCompleted = completed.isEmpty() ? Long.MIN_VALUE : completed.get(0).getCreatedAtMillis();
    for (BackupRun r : in) {
      List<String> why = reasons.get(r.getId());
      if (!isFinal(r.getState())) {
        why.add("in progress");
      }
      if (keepAll) {
        why.add("no retention policy");
      }
      if (isFailed(r.getState()) && r.getCreatedAtMillis() > newestCompleted) {
        why.add("newer than the newest completed");
      }
    }
    if (!completed.isEmpty()) {
      reasons.get(completed.get(0).getId()).add("newest completed");
    }
    for (int i = 0; i < Math.min(policy.getKeepLast(), completed.size()); i++) {
      reasons.get(completed.get(i).getId()).add("last " + policy.getKeepLast());
    }
    buckets(completed, policy.getKeepHourly(), "hourly", t -> HOUR.format(t), zone, reasons);
    buckets(completed, policy.getKeepDaily(), "daily", t -> DAY.format(t), zone, reasons);
    buckets(completed, policy.getKeepWeekly(), "weekly", t -> String.format(Locale.ROOT, "%d-W%02d",
        t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)), zone, reasons);
    buckets(completed, policy.getKeepMonthly(), "monthly", t -> MONTH.format(t), zone, reasons);
    buckets(completed, policy.getKeepYearly(), "yearly", t -> Integer.toString(t.getYear()), zone, reasons);
    if (policy.getKeepWithinMillis() > 0) {
      long from = now.toEpochMilli() - policy.getKeepWithinMillis();
      String label = "within " + within(Duration.ofMillis(policy.getKeepWithinMillis()));
      in.stream().filter(r -> isFinal(r.getState()) && r.getCreatedAtMillis() > from)
          .forEach(r -> reasons.get(r.getId()).add(label));
    }
    List<RetentionDecision> out = new ArrayList<>();
    for (BackupRun r : in) {
      List<String> why = reasons.get(r.getId());
      out.add(RetentionDecision.newBuilder().setRunId(r.getId()).setScope(scope).setKeep(!why.isEmpty())
          .addAllReasons(why).setCreatedAtMillis(r.getCreatedAtMillis()).setState(r.getState()).build());
    }
    return out;
  }

  /** Keeps the newest run of each of the last {@code n} buckets that have one; {@code completed} is newest first. */
  private static void buckets(List<BackupRun> completed, int n, String rule,
      Function<ZonedDateTime, String> bucket, ZoneId zone, Map<String, List<String>> reasons) {
    String last = null;
    int kept = 0;
    for (BackupRun r : completed) {
      if (kept >= n) {
        return;
      }
      String b = bucket.apply(Instant.ofEpochMilli(r.getCreatedAtMillis()).atZone(zone));
      if (!Objects.equals(b, last)) {
        reasons.get(r.getId()).add(rule + " " + b);
        last = b;
        kept++;
      }
    }
  }

  /** Whether a run's backups in {@code scope} exist (or will, for a run still going). */
  public static boolean inScope(BackupRun r, RetentionScope scope) {
    if (r.getState() == RunState.RUN_DELETED) {
      return false;
    }
    boolean going = !isFinal(r.getState());
    return switch (scope) {
      case RETENTION_LOCAL -> going || (!r.getLocalDeleted() && !r.getGroupSnapshotId().isEmpty());
      case RETENTION_EXPORT -> going ? !r.getExportTarget().isEmpty() : !r.getExportDeleted()
          && r.getExportsList().stream().anyMatch(e -> e.getState() == ExportState.EXPORT_DONE);
      default -> false;
    };
  }

  static boolean isFinal(RunState s) {
    return s == RunState.RUN_COMPLETED || isFailed(s) || s == RunState.RUN_DELETED;
  }

  static boolean isFailed(RunState s) {
    return s == RunState.RUN_FAILED || s == RunState.RUN_PARTIALLY_FAILED;
  }

  /** True when the policy keeps everything (no rule set). */
  public static boolean isEmpty(RetentionPolicy p) {
    return p.getKeepLast() <= 0 && p.getKeepHourly() <= 0 && p.getKeepDaily() <= 0 && p.getKeepWeekly() <= 0
        && p.getKeepMonthly() <= 0 && p.getKeepYearly() <= 0 && p.getKeepWithinMillis() <= 0;
  }

  /** 7d, 36h, 90m, 45s: the largest unit that divides the duration. */
  static String within(Duration d) {
    if (d.toMillis() % Duration.ofDays(1).toMillis() == 0) {
      return d.toDays() + "d";
    }
    if (d.toMillis() % Duration.ofHours(1).toMillis() == 0) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % Duration.ofMinutes(1).toMillis() == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
