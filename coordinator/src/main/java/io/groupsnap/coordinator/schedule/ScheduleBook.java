package io.groupsnap.coordinator.schedule;

import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.ListSchedulesResponse;
import io.groupsnap.proto.v1.NextTicksResponse;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleView;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * What the schedule service does, without gRPC: creates, lists, pauses, resumes and deletes schedules, and tells
 * their next ticks. Mutating calls only on the acting leader ({@link NotLeaderException} naming the leader
 * otherwise), every write fenced by its term; reads on any coordinator.
 *
 * <p>Validation at create: the group exists, the cron expression parses, the zone is known, the starting deadline is
 * not negative. The zone and the deadline are stored resolved (no zone: the group's {@code time_zone} at creation,
 * else UTC; no deadline: {@link TickPlanner#DEFAULT_STARTING_DEADLINE}), so {@code schedule list} shows what fires.
 * Resuming a paused schedule marks the ticks that passed while it was paused as decided without counting them: a
 * resume never starts a run for a tick that came while it was paused. Thread-safe.
 */
public final class ScheduleBook {
  /** How many ticks {@link #nextTicks} tells at most. */
  public static final int MAX_TICKS = 100;

  /** The leader's term for a mutating call, or why this process cannot make it. */
  @FunctionalInterface
  public interface LeaderTerm {
    Leadership.Term require() throws NotLeaderException;
  }

  private final ScheduleStore store;
  private final GroupCatalog groups;
  private final LeaderTerm leader;
  private final Clock clock;
  private final Runnable changed;

  /** @param changed told after every change (the runner's {@link ScheduleRunner#poke}) */
  public ScheduleBook(ScheduleStore store, GroupCatalog groups, LeaderTerm leader, Clock clock, Runnable changed) {
    this.store = store;
    this.groups = groups;
    this.leader = leader;
    this.clock = clock;
    this.changed = changed;
  }

  /** Creates a group's schedule from the request's group, cron, time_zone, starting_deadline_millis and paused. */
  public Schedule create(Schedule req) throws Exception {
    String group = Names.require("schedule.group", req.getGroup());
    if (req.getStartingDeadlineMillis() < 0) {
      throw new IllegalArgumentException("schedule.starting_deadline_millis must not be negative");
    }
    Leadership.Term term = leader.require();
    GroupSpec spec = groups.find(group).orElseThrow(() -> new NotFoundException("no group '" + group + "'"));
    ZoneId zone = CronSchedule.zone(!req.getTimeZone().isEmpty() ? req.getTimeZone()
        : spec.getTimeZone().isEmpty() ? "UTC" : spec.getTimeZone());
    CronSchedule cron = CronSchedule.parse(req.getCron(), zone);
    long now = clock.millis();
    Schedule s = Schedule.newBuilder().setGroup(group).setCron(cron.expression()).setTimeZone(zone.getId())
        .setStartingDeadlineMillis(req.getStartingDeadlineMillis() > 0 ? req.getStartingDeadlineMillis()
            : TickPlanner.DEFAULT_STARTING_DEADLINE.toMillis())
        .setPaused(req.getPaused()).setCreatedAtMillis(now).setUpdatedAtMillis(now).setEpoch(term.epoch())
        .setFormatVersion(Formats.CURRENT).build();
    store.create(s, term.fence());
    changed.run();
    return s;
  }

  /** Every schedule with its next tick (0 while paused), and the records quarantined. */
  public ListSchedulesResponse list() throws Exception {
    Listing<ScheduleStore.Stored> l = store.list();
    ListSchedulesResponse.Builder b = ListSchedulesResponse.newBuilder().addAllDamaged(l.damaged());
    Instant now = clock.instant();
    for (ScheduleStore.Stored st : l.records()) {
      Schedule s = st.schedule();
      long next = 0;
      if (!s.getPaused()) {
        try {
          next = TickPlanner.nextTick(s, cron(s), now).map(Instant::toEpochMilli).orElse(0L);
        } catch (IllegalArgumentException bad) {
          next = 0; // a record written by another version with an expression this one cannot read
        }
      }
      b.addSchedules(ScheduleView.newBuilder().setSchedule(s).setNextTickMillis(next));
    }
    return b.build();
  }

  /** Pauses or resumes a group's schedule; {@link NotFoundException} when it has none. */
  public Schedule setPaused(String group, boolean paused) throws Exception {
    Names.require("group", group);
    Leadership.Term term = leader.require();
    ScheduleStore.Stored st = store.find(group).orElseThrow(() -> noSchedule(group));
    Schedule s = st.schedule();
    if (s.getPaused() == paused) {
      return s;
    }
    long now = clock.millis();
    Schedule.Builder b = s.toBuilder().setPaused(paused).setUpdatedAtMillis(now).setEpoch(term.epoch());
    if (!paused) {
      Optional<Instant> passed = cron(s).latestAtOrBefore(Instant.ofEpochMilli(now));
      passed.filter(t -> t.toEpochMilli() > s.getLastTickMillis()).ifPresent(t -> b.setLastTickMillis(
          t.toEpochMilli()));
    }
    Schedule out = b.build();
    store.update(out, st.version(), term.fence());
    changed.run();
    return out;
  }

  /** Deletes a group's schedule (a quarantined one too); false when it had none. */
  public boolean delete(String group) throws Exception {
    Names.require("group", group);
    Leadership.Term term = leader.require();
    boolean deleted = store.delete(group, term.fence());
    changed.run();
    return deleted;
  }

  /**
   * The next {@code count} ticks (0: 5) of a group's stored schedule, or of {@code cron} read in {@code zone} (empty:
   * UTC) when no group is named.
   */
  public NextTicksResponse nextTicks(String group, String cron, String zone, int count) throws Exception {
    if (count < 0 || count > MAX_TICKS) {
      throw new IllegalArgumentException("count must be between 1 and " + MAX_TICKS);
    }
    int n = count == 0 ? 5 : count;
    CronSchedule c;
    if (!group.isEmpty()) {
      if (!cron.isEmpty()) {
        throw new IllegalArgumentException("give either group or cron, not both");
      }
      Names.require("group", group);
      c = cron(store.find(group).orElseThrow(() -> noSchedule(group)).schedule());
    } else {
      c = CronSchedule.parse(cron, CronSchedule.zone(zone.isEmpty() ? "UTC" : zone));
    }
    NextTicksResponse.Builder b = NextTicksResponse.newBuilder().setTimeZone(c.zone().getId());
    c.next(clock.instant(), n).forEach(t -> b.addAtMillis(t.toEpochMilli()));
    return b.build();
  }

  private static CronSchedule cron(Schedule s) {
    return CronSchedule.parse(s.getCron(), CronSchedule.zone(s.getTimeZone().isEmpty() ? "UTC" : s.getTimeZone()));
  }

  private static NotFoundException noSchedule(String group) {
    return new NotFoundException("group '" + group + "' has no schedule");
  }
}
