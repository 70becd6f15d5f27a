package io.groupsnap.cli.output;

import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.RetentionDecision;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleView;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Schedules, their next ticks and retention plans, as text tables or JSON. JSON field names are a stable interface
 * (add, never rename): a schedule has {@code group}, {@code cron}, {@code timeZone}, {@code startingDeadlineMs},
 * {@code paused}, {@code nextTick}, {@code lastTick}, {@code lastRunId}, {@code fired}, {@code skipped},
 * {@code missed}; a retention decision {@code scope}, {@code runId}, {@code created}, {@code state}, {@code keep},
 * {@code reasons}. Times are ISO-8601 with the offset of the schedule's zone (plans: UTC).
 */
public final class ScheduleViews {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private ScheduleViews() {}

  public static void schedules(Printer p, PrintWriter out, List<ScheduleView> views, List<DamagedRecord> damaged) {
    if (p.json()) {
      List<Map<String, Object>> all = new ArrayList<>(views.stream().map(ScheduleViews::schedule).toList());
      damaged.forEach(d -> all.add(Views.damaged(d)));
      p.json(all);
      return;
    }
    if (views.isEmpty()) {
      out.println("no schedules");
    } else {
      out.printf(Locale.ROOT, "%-20s %-16s %-16s %-7s %-26s %6s %7s %6s%n", "GROUP", "CRON", "ZONE", "STATE",
          "NEXT", "FIRED", "SKIPPED", "MISSED");
    }
    for (ScheduleView v : views) {
      Schedule s = v.getSchedule();
      out.printf(Locale.ROOT, "%-20s %-16s %-16s %-7s %-26s %6d %7d %6d%n", s.getGroup(), s.getCron(),
          s.getTimeZone(), s.getPaused() ? "paused" : "active", time(v.getNextTickMillis(), s.getTimeZone()),
          s.getFired(), s.getSkipped(), s.getMissed());
    }
    for (DamagedRecord d : damaged) {
      out.printf(Locale.ROOT, "%-20s %-11s %s: %s%n", d.getId(), Views.UNDECODABLE, d.getPath(), d.getReason());
    }
  }

  public static Map<String, Object> schedule(ScheduleView v) {
    Schedule s = v.getSchedule();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", s.getGroup());
    m.put("cron", s.getCron());
    m.put("timeZone", s.getTimeZone());
    m.put("startingDeadlineMs", s.getStartingDeadlineMillis());
    m.put("paused", s.getPaused());
    m.put("nextTick", v.getNextTickMillis() == 0 ? null : time(v.getNextTickMillis(), s.getTimeZone()));
    m.put("lastTick", s.getLastTickMillis() == 0 ? null : time(s.getLastTickMillis(), s.getTimeZone()));
    m.put("lastRunId", s.getLastRunId());
    m.put("fired", s.getFired());
    m.put("skipped", s.getSkipped());
    m.put("missed", s.getMissed());
    return m;
  }

  /** One schedule as a create or a pause answered it. */
  public static void schedule(Printer p, PrintWriter out, Schedule s, String done) {
    if (p.json()) {
      p.json(schedule(ScheduleView.newBuilder().setSchedule(s).build()));
      return;
    }
    out.printf(Locale.ROOT, "schedule of group %s %s: %s (%s), starting deadline %s%s%n", s.getGroup(), done,
        s.getCron(), s.getTimeZone(), Duration.ofMillis(s.getStartingDeadlineMillis()).toString().substring(2)
            .toLowerCase(Locale.ROOT), s.getPaused() ? ", paused" : "");
  }

  public static void ticks(Printer p, PrintWriter out, List<Long> ticks, String zone) {
    List<String> times = ticks.stream().map(t -> time(t, zone)).toList();
    if (p.json()) {
      p.json(Map.of("timeZone", zone, "ticks", times));
      return;
    }
    times.forEach(out::println);
  }

  public static void plan(Printer p, PrintWriter out, RetentionPlan plan) {
    if (p.json()) {
      p.json(plan.getDecisionsList().stream().map(ScheduleViews::decision).toList());
      return;
    }
    if (plan.getDecisionsCount() == 0) {
      out.println("group " + plan.getGroup() + " has no backups to keep or remove");
      return;
    }
    out.printf(Locale.ROOT, "%-7s %-28s %-21s %-17s %-7s %s%n", "SCOPE", "RUN", "CREATED", "STATE", "ACTION", "WHY");
    for (RetentionDecision d : plan.getDecisionsList()) {
      out.printf(Locale.ROOT, "%-7s %-28s %-21s %-17s %-7s %s%n", scope(d), d.getRunId(),
          time(d.getCreatedAtMillis(), "UTC"), d.getState().name().replace("RUN_", ""),
          d.getKeep() ? "keep" : "remove", d.getKeep() ? String.join(", ", d.getReasonsList()) : "no rule keeps it");
    }
  }

  static Map<String, Object> decision(RetentionDecision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scope", scope(d));
    m.put("runId", d.getRunId());
    m.put("created", time(d.getCreatedAtMillis(), "UTC"));
    m.put("state", d.getState().name().replace("RUN_", ""));
    m.put("keep", d.getKeep());
    m.put("reasons", d.getReasonsList());
    return m;
  }

  private static String scope(RetentionDecision d) {
    return switch (d.getScope()) {
      case RETENTION_LOCAL -> "local";
      case RETENTION_EXPORT -> "export";
      default -> "?";
    };
  }

  static String time(long millis, String zone) {
    if (millis == 0) {
      return "-";
    }
    ZoneId z;
    try {
      z = zone.isEmpty() ? ZoneOffset.UTC : ZoneId.of(zone);
    } catch (DateTimeException e) {
      z = ZoneOffset.UTC;
    }
    return TIME.format(Instant.ofEpochMilli(millis).atZone(z).withNano(0).toOffsetDateTime());
  }
}
