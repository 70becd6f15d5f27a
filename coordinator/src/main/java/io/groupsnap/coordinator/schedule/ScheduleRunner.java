package io.groupsnap.coordinator.schedule;

import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.runs.RunLauncher;
import io.groupsnap.proto.v1.RunTrigger;
import io.groupsnap.proto.v1.Schedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the schedules on the leader. Each pass reads every schedule, lets {@link TickPlanner} decide about its due
 * ticks, launches a run for a tick that fires ({@link RunLauncher}), and then records the decision in the schedule's
 * record (launch first, record after: the run id is derived from the tick, so a leader lost in between leaves a tick
 * its successor launches again, gets "already exists" for, and records as fired — never two runs).
 *
 * <p>A pass runs only while {@code acting} names a term (this process is the recovered leader); its writes are fenced
 * by that term. The next pass is set for the earliest next tick, but at most {@code recheck} away, so that a schedule
 * created, resumed or deleted on this leader, a new leadership, or a clock that jumped is seen within
 * {@code recheck}; {@link #poke} asks for a pass at once (after a change of leadership or of a schedule).
 *
 * <p>Launch outcomes: a run of the group still going skips the tick (counted in {@code skipped}); "already exists"
 * counts it fired; a refusal for a problem of the group ({@link IllegalArgumentException}: unknown group, a required
 * member not registered, ...) counts it missed, logged in one line — a later tick tries again; any other failure
 * (this process is not the leader any more, ZooKeeper unreachable) records nothing, and a later pass tries the same
 * tick again while it is within its starting deadline, after which it is recorded missed.
 *
 * <p>Threading: passes run on {@code lane} (give it a lane of its own: a pass does ZooKeeper I/O and waits for
 * launches); everything else is thread-safe. Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close} is idempotent
 * and cancels the next pass.
 */
public final class ScheduleRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScheduleRunner.class);

  /** How often a pass runs at least. */
  public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);

  private enum State { LATENT, STARTED, CLOSED }

  /** What one pass did, for tests and logs. */
  public record Pass(int fired, int skipped, int missed, Optional<Instant> nextTick) {}

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final ScheduleStore store;
  private final RunLauncher launcher;
  private final Scheduler lane;
  private final Clock clock;
  private final Supplier<Optional<Leadership.Term>> acting;
  private final Duration recheck;
  private final Set<String> reportedBad = ConcurrentHashMap.newKeySet();
  private Scheduler.Cancellable pending;

  /**
   * @param acting the term this process leads and has recovered, if any
   * @param recheck the longest time between two passes
   */
  public ScheduleRunner(ScheduleStore store, RunLauncher launcher, Scheduler lane, Clock clock,
      Supplier<Optional<Leadership.Term>> acting, Duration recheck) {
    this.store = store;
    this.launcher = launcher;
    this.lane = lane;
    this.clock = clock;
    this.acting = acting;
    this.recheck = recheck;
  }

  /** Starts the passes (the first at once). */
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("schedule runner already started");
    }
    poke();
  }

  /** Asks for a pass at once: after a change of leadership, or of a schedule. */
  public void poke() {
    if (state.get() == State.STARTED) {
      lane.execute(this::passAndReschedule);
    }
  }

  private void passAndReschedule() {
    if (state.get() != State.STARTED) {
      return;
    }
    Duration wait = recheck;
    try {
      Pass p = passOnce();
      if (p.nextTick().isPresent()) {
        Duration untilTick = Duration.between(clock.instant(), p.nextTick().get());
        wait = untilTick.isNegative() ? Duration.ZERO : untilTick.compareTo(recheck) < 0 ? untilTick : recheck;
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return;
      }
      log.warn("schedule pass failed (retrying in {}): {}", recheck, e.toString());
    }
    synchronized (this) {
      if (pending != null) {
        pending.cancel();
      }
      if (state.get() == State.STARTED) {
        pending = lane.schedule(wait, this::passAndReschedule);
      }
    }
  }

  /** One pass over every schedule; nothing at all unless this process leads. Runs on the caller's thread. */
  public Pass passOnce() throws Exception {
    if (acting.get().isEmpty()) {
      return new Pass(0, 0, 0, Optional.empty());
    }
    int fired = 0;
    int skipped = 0;
    int missed = 0;
    Optional<Instant> earliest = Optional.empty();
    for (ScheduleStore.Stored stored : store.list().records()) {
      Schedule s = stored.schedule();
      if (s.getPaused()) {
        continue;
      }
      CronSchedule cron;
      try {
        cron = CronSchedule.parse(s.getCron(), CronSchedule.zone(s.getTimeZone().isEmpty() ? "UTC"
            : s.getTimeZone()));
      } catch (IllegalArgumentException e) {
        if (reportedBad.add(s.getGroup() + "@" + s.getCron() + "@" + s.getTimeZone())) {
          log.warn("schedule of group {} cannot fire: {}", s.getGroup(), e.getMessage());
        }
        continue;
      }
      Optional<TickPlanner.Decision> d;
      try {
        d = decideAndRecord(stored, cron);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        log.warn("schedule of group {}: decision not recorded (tried again on the next pass): {}", s.getGroup(),
            e.toString());
        d = Optional.empty();
      }
      if (d.isEmpty()) {
        continue; // not recorded: tried again on the next pass
      }
      switch (d.get().action()) {
        case FIRE -> fired++;
        case SKIP -> skipped++;
        case MISS -> missed++;
        default -> { }
      }
      Optional<Instant> next = cron.next(clock.instant());
      if (next.isPresent() && (earliest.isEmpty() || next.get().isBefore(earliest.get()))) {
        earliest = next;
      }
    }
    return new Pass(fired, skipped, missed, earliest);
  }

  /** The decision as recorded; empty when nothing could be recorded (tried again on the next pass). */
  private Optional<TickPlanner.Decision> decideAndRecord(ScheduleStore.Stored stored, CronSchedule cron)
      throws Exception {
    Schedule s = stored.schedule();
    TickPlanner.Decision d = TickPlanner.decide(s, cron, clock.instant(), false);
    if (d.action() == TickPlanner.Action.NOTHING) {
      return Optional.of(d);
    }
    if (d.action() == TickPlanner.Action.FIRE) {
      try {
        launcher.launch(s.getGroup(), d.runId(), RunTrigger.RUN_SCHEDULED, d.tickMillis());
        log.info("schedule of group {}: tick {} fired run {}", s.getGroup(), Instant.ofEpochMilli(d.tickMillis()),
            d.runId());
      } catch (RunLauncher.RunInProgressException e) {
        log.info("schedule of group {}: tick {} skipped: {}", s.getGroup(), Instant.ofEpochMilli(d.tickMillis()),
            e.getMessage());
        d = d.skipped();
      } catch (AlreadyExistsException e) {
        log.info("schedule of group {}: tick {} was launched already as run {}", s.getGroup(),
            Instant.ofEpochMilli(d.tickMillis()), d.runId());
      } catch (IllegalArgumentException e) {
        log.warn("schedule of group {}: tick {} missed, the run was refused: {}", s.getGroup(),
            Instant.ofEpochMilli(d.tickMillis()), e.getMessage());
        d = d.refused();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          throw e;
        }
        log.warn("schedule of group {}: tick {} not launched (tried again within its starting deadline): {}",
            s.getGroup(), Instant.ofEpochMilli(d.tickMillis()), e.toString());
        return Optional.empty();
      }
    } else if (d.action() == TickPlanner.Action.MISS) {
      log.warn("schedule of group {}: {} tick(s) missed, the newest {} (past the starting deadline of {})",
          s.getGroup(), d.missed(), Instant.ofEpochMilli(d.tickMillis()), TickPlanner.startingDeadline(s));
    }
    Optional<Leadership.Term> term = acting.get();
    if (term.isEmpty()) {
      return Optional.empty(); // the successor records it (the launch, if any, is found again by its id)
    }
    store.update(d.applyTo(s, clock.millis(), term.get().epoch()), stored.version(), term.get().fence());
    return Optional.of(d);
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    synchronized (this) {
      if (pending != null) {
        pending.cancel();
      }
    }
  }
}
