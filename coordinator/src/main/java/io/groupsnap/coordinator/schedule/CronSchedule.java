package io.groupsnap.coordinator.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.groupsnap.common.Printable;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A five-field Unix cron expression (minute hour day-of-month month day-of-week) read in a time zone: when a schedule
 * fires. Parsing and matching are cron-utils'; this class maps the wall-clock times the expression names to instants.
 *
 * <p>Daylight saving time: every wall-clock time the expression names fires <em>once</em>. A time the clocks skip
 * (02:30 on the night they go forward in Europe/Berlin) fires as much later as they skipped (03:30), unless that
 * instant is a tick anyway; a time that occurs twice (02:30 on the night they go back) fires at its first occurrence
 * only. So a daily schedule fires every day, and never twice on one day. Immutable and thread-safe.
 */
public final class CronSchedule {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** Six fields, seconds first (Spring's reading): for schedules more often than once a minute. */
  private static final CronParser WITH_SECONDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));
  /** Wider than any daylight-saving shift: where a search for the tick around an instant starts. */
  private static final Duration SLACK = Duration.ofHours(3);
  private static final int MAX_DETAIL = 120;

  private final String expression;
  private final ZoneId zone;
  /** Matched on local date-times: cron-utils evaluates the expression in UTC, which has no daylight saving. */
  private final ExecutionTime local;

  private CronSchedule(String expression, ZoneId zone, ExecutionTime local) {
    this.expression = expression;
    this.zone = zone;
    this.local = local;
  }

  /**
   * Parses {@code expression} to be read in {@code zone}: five fields (Unix cron: minute hour day-of-month month
   * day-of-week), or six with seconds first ({@code "*&#47;10 * * * * *"}: every ten seconds).
   *
   * @throws IllegalArgumentException one line naming the expression and what is wrong with it (the wrong number of
   *     fields, a value out of range, a nickname such as {@code @daily}, a date that never comes)
   */
  public static CronSchedule parse(String expression, ZoneId zone) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("cron expression is missing (five fields: minute hour day-of-month month "
          + "day-of-week, e.g. \"0 7 * * *\")");
    }
    String e = expression.trim();
    ExecutionTime local;
    try {
      Cron cron = (e.split("\\s+").length == 6 ? WITH_SECONDS : UNIX).parse(e);
      cron.validate();
      local = ExecutionTime.forCron(cron);
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException("cron expression '" + Printable.value(e) + "' is not valid: " + detail(ex));
    }
    CronSchedule s = new CronSchedule(e, zone, local);
    if (local.nextExecution(ZonedDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)).isEmpty()) {
      throw new IllegalArgumentException("cron expression '" + Printable.value(e) + "' never fires (no date matches "
          + "its day and month fields)");
    }
    return s;
  }

  /**
   * A time zone by its IANA name ({@code Europe/Berlin}) or an offset ({@code UTC}, {@code +01:00}).
   *
   * @throws IllegalArgumentException one line naming it when it is not a zone this JVM knows
   */
  public static ZoneId zone(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("time zone is missing");
    }
    try {
      return ZoneId.of(name.trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("time zone '" + Printable.value(name) + "' is not known (an IANA name such "
          + "as Europe/Berlin, or UTC)");
    }
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first tick strictly after {@code after}; empty when there is none (a date that never comes again). */
  public Optional<Instant> next(Instant after) {
    Optional<LocalDateTime> l = Optional.of(toLocal(after).minus(SLACK));
    while (true) {
      l = nextLocal(l.get());
      if (l.isEmpty()) {
        return Optional.empty();
      }
      Instant at = toInstant(l.get());
      if (at.isAfter(after)) {
        return Optional.of(at);
      }
    }
  }

  /** The next {@code count} ticks strictly after {@code after}, earliest first (fewer when the expression ends). */
  public List<Instant> next(Instant after, int count) {
    List<Instant> out = new ArrayList<>(count);
    Instant from = after;
    while (out.size() < count) {
      Optional<Instant> n = next(from);
      if (n.isEmpty()) {
        break;
      }
      out.add(n.get());
      from = n.get();
    }
    return out;
  }

  /**
   * How many ticks lie strictly between {@code after} and {@code before}, counting at most {@code cap} (so a gap of
   * years in an every-minute schedule costs {@code cap} steps, not millions).
   */
  public int countBetween(Instant after, Instant before, int cap) {
    int n = 0;
    Instant last = after;
    Optional<LocalDateTime> l = Optional.of(toLocal(after).minus(SLACK));
    while (n < cap) {
      l = nextLocal(l.get());
      if (l.isEmpty()) {
        break;
      }
      Instant at = toInstant(l.get());
      if (!at.isBefore(before)) {
        break;
      }
      if (at.isAfter(last)) {
        n++;
        last = at;
      }
    }
    return n;
  }

  /** The newest tick at or before {@code at}; empty when there is none. */
  public Optional<Instant> latestAtOrBefore(Instant at) {
    Optional<LocalDateTime> l = Optional.of(toLocal(at).plus(SLACK).plusMinutes(1));
    while (true) {
      l = local.lastExecution(l.get().atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
      if (l.isEmpty()) {
        return Optional.empty();
      }
      Instant t = toInstant(l.get());
      if (!t.isAfter(at)) {
        return Optional.of(t);
      }
    }
  }

  private Optional<LocalDateTime> nextLocal(LocalDateTime after) {
    return local.nextExecution(after.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
  }

  private LocalDateTime toLocal(Instant at) {
    return at.atZone(zone).toLocalDateTime();
  }

  /** A gap moves the time later by the gap's length; an overlap takes the earlier offset (java.time's rule). */
  private Instant toInstant(LocalDateTime l) {
    return ZonedDateTime.ofLocal(l, zone, null).toInstant();
  }

  private static String detail(RuntimeException ex) {
    String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    m = m.replace("Failed to parse cron expression. ", "").replace("Failed to parse '", "'");
    java.util.regex.Matcher parts = java.util.regex.Pattern.compile("contains (\\d+) parts but we expect one of")
        .matcher(m);
    if (parts.find()) {
      m = "it has " + parts.group(1) + " fields; expected 5 (minute hour day-of-month month day-of-week) or 6 "
          + "(seconds first)";
    }
    return Printable.escapeAndCut(m.lines().findFirst().orElse(m), MAX_DETAIL);
  }

  @Override
  public String toString() {
    return expression + " (" + zone + ")";
  }
}
