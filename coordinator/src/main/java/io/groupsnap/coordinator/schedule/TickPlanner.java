package io.groupsnap.coordinator.schedule;

import io.groupsnap.proto.v1.Schedule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Decides what a schedule does about its due ticks, given the time and whether a run of its group is going. Pure: no
 * I/O, no clock of its own; the {@link ScheduleRunner} acts on the decision and records it.
 *
 * <p>Rules. The due ticks are those after the newest tick already decided ({@code last_tick_millis}; for a schedule
 * that never decided one, after its creation) up to now. Only the newest due tick can fire: it fires when it is at
 * most the starting deadline old and no run of the group is going; it is skipped (counted in {@code skipped}) when a
 * run is going; it is missed when older than the deadline (no leader acted in time). Every older due tick is missed:
 * a leader that comes back after a gap starts one run, not one per tick it slept through. Missed ticks are counted up
 * to {@value #MAX_COUNTED} per decision, so a gap of a year in an every-minute schedule costs bounded work.
 *
 * <p>Exactly once across failover: a fired tick's run id is derived from the tick and the group ({@link #runId}), so
 * the leader that launches a tick its predecessor launched but did not record gets "already exists" and records the
 * tick as fired, and no second run starts.
 */
public final class TickPlanner {
  /** The starting deadline of a schedule that sets none. */
  public static final Duration DEFAULT_STARTING_DEADLINE = Duration.ofMinutes(5);
  /** Missed ticks counted per decision at most. */
  public static final int MAX_COUNTED = 10_000;

  private static final DateTimeFormatter TICK = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);

  /** What to do about the due ticks. */
  public enum Action {
    /** No tick is due. */
    NOTHING,
    /** Launch a run for {@link Decision#tickMillis}. */
    FIRE,
    /** The newest due tick is skipped: the group's previous run is still going. */
    SKIP,
    /** Every due tick is past its starting deadline, or the launch was refused. */
    MISS
  }

  /**
   * One decision.
   *
   * @param tickMillis the newest due tick (0 when {@link Action#NOTHING})
   * @param runId the run a FIRE launches (derived from the tick), else empty
   * @param missed how many due ticks are missed by this decision (at most {@link #MAX_COUNTED} older ones, plus the
   *     newest when it is missed)
   */
  public record Decision(Action action, long tickMillis, String runId, long missed) {
    /** The same decision when the launch found a run of the group still going: the tick is skipped. */
    public Decision skipped() {
      return new Decision(Action.SKIP, tickMillis, "", missed);
    }

    /** The same decision when the launch was refused for good (a problem of the group): the tick is missed. */
    public Decision refused() {
      return new Decision(Action.MISS, tickMillis, "", missed + 1);
    }

    /**
     * The schedule's record after this decision: the tick decided and the counters. A FIRE decision is recorded
     * only once its run was launched (or found launched already).
     */
    public Schedule applyTo(Schedule s, long nowMillis, long epoch) {
      if (action == Action.NOTHING) {
        return s;
      }
      Schedule.Builder b = s.toBuilder().setLastTickMillis(tickMillis).setMissed(s.getMissed() + missed)
          .setUpdatedAtMillis(nowMillis).setEpoch(epoch);
      switch (action) {
        case FIRE -> b.setFired(s.getFired() + 1).setLastRunId(runId);
        case SKIP -> b.setSkipped(s.getSkipped() + 1);
        default -> { }
      }
      return b.build();
    }
  }

  private TickPlanner() {}

  /**
   * @param cron the schedule's expression in its zone
   * @param running whether a run of the group is going now
   */
  public static Decision decide(Schedule s, CronSchedule cron, Instant now, boolean running) {
    Instant base = Instant.ofEpochMilli(s.getLastTickMillis() > 0 ? s.getLastTickMillis() : s.getCreatedAtMillis());
    Optional<Instant> newest = cron.latestAtOrBefore(now);
    if (newest.isEmpty() || !newest.get().isAfter(base)) {
      return new Decision(Action.NOTHING, 0, "", 0);
    }
    Instant tick = newest.get();
    long older = cron.countBetween(base, tick, MAX_COUNTED);
    if (Duration.between(tick, now).compareTo(startingDeadline(s)) > 0) {
      return new Decision(Action.MISS, tick.toEpochMilli(), "", older + 1);
    }
    if (running) {
      return new Decision(Action.SKIP, tick.toEpochMilli(), "", older);
    }
    return new Decision(Action.FIRE, tick.toEpochMilli(), runId(s.getGroup(), tick), older);
  }

  /** When the schedule next needs a decision: its next tick after the newer of now and its last decided tick. */
  public static Optional<Instant> nextTick(Schedule s, CronSchedule cron, Instant now) {
    Instant last = Instant.ofEpochMilli(s.getLastTickMillis());
    return cron.next(last.isAfter(now) ? last : now);
  }

  public static Duration startingDeadline(Schedule s) {
    return s.getStartingDeadlineMillis() > 0 ? Duration.ofMillis(s.getStartingDeadlineMillis())
        : DEFAULT_STARTING_DEADLINE;
  }

  /**
   * The id of the run a tick of a group's schedule launches: {@code run-<tick, UTC, yyyyMMdd-HHmmss>-<six hex digits
   * of the group name's SHA-256>}. The same tick of the same group always gives the same id.
   */
  public static String runId(String group, Instant tick) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(group.getBytes(StandardCharsets.UTF_8));
      return "run-" + TICK.format(tick) + "-" + HexFormat.of().formatHex(h, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
