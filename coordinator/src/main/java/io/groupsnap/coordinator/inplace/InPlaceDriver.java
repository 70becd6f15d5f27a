package io.groupsnap.coordinator.inplace;

import io.groupsnap.common.Formats;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.restores.GroupRestore;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.store.FencedRecords;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives in-place restores on the acting leader (docs/protocol.md, "In-place restore"; DESIGN.md G6): CHECK
 * ({@link InPlaceChecks}), then the record {@code restores/<id>} is created STAGING before any agent writes, and the
 * phases ({@link InPlacePhases}) take it to SWITCHED (through the commit point SWITCHING) or CANCELLED, and later to
 * CONFIRMED (the keep time passed, or an operator) or ROLLED_BACK.
 *
 * <p>A restore is a record, like a transaction: every write is fenced by the term it is driven in, and a refused
 * write means this process no longer leads, so it stops driving that restore at once. A new leader, in every new
 * acting term, takes up what its predecessor left ({@link #resume}): before SWITCHING it cancels, from SWITCHING on it
 * finishes forward, CANCELLING and ROLLING_BACK it finishes, SWITCHED it arms the keep timer again; and every
 * {@link #RESCAN_EVERY} it does the same for records it stopped driving itself after a failed write.
 *
 * <p>Threading: all state is confined to one lane ({@link Scheduler}); agent answers come back to it. The public
 * calls may come from any thread. Time comes from the injected clock and the lane's timers.
 */
public final class InPlaceDriver implements InPlaceCalls {
  private static final Logger log = LoggerFactory.getLogger(InPlaceDriver.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * How often, within one term, records nobody drives here are looked for again: a restore dropped after a write
   * whose outcome was unknown (ZooKeeper unreachable for a moment) is taken up again as a successor would.
   */
  static final Duration RESCAN_EVERY = Duration.ofSeconds(30);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);

  /** Someone waiting for a restore to reach a state. */
  private record Waiter(Predicate<InPlaceState> until, CompletableFuture<InPlaceRestore> answer) {}

  final InPlaceStore store;
  final InPlaceClient client;
  final Scheduler lane;
  final Clock clock;
  final InPlaceOptions options;
  final String clusterId;
  final String coordinatorId;
  private final RunDriver.Leader leader;
  private final InPlaceChecks checks;
  private final InPlacePhases phases;
  private final Map<String, ActiveRestore> active = new HashMap<>();
  private final Map<String, List<Waiter>> waiters = new HashMap<>();
  private Leadership.Term resumedIn;
  private long sinceScan;
  private Scheduler.Cancellable tick;
  private volatile boolean closed;

  /**
   * @param snapshots group snapshot records by id (NotFoundException for an unknown one)
   * @param others the agents held by undecided transactions and going backup runs
   */
  public InPlaceDriver(InPlaceStore store, GroupRestore.Snapshots snapshots, RunCatalog runs,
      RunDriver.Agents agents, Overlaps.OtherWork others, InPlaceClient client, RunDriver.Leader leader,
      Scheduler lane, Clock clock, InPlaceOptions options, String clusterId, String coordinatorId) {
    this.store = store;
    this.client = client;
    this.leader = leader;
    this.lane = lane;
    this.clock = clock;
    this.options = options;
    this.clusterId = clusterId;
    this.coordinatorId = coordinatorId;
    this.checks = new InPlaceChecks(snapshots, runs, agents, new Overlaps(store, others), client);
    this.phases = new InPlacePhases(this);
  }

  // ---- the calls ----

  @Override
  public CompletableFuture<InPlaceRestore> restore(RestoreInPlaceRequest req) throws Exception {
    Leadership.Term term = leader.acting().orElseThrow(this::notLeader);
    InPlaceChecks.Plan plan = checks.plan(req);
    String id = "inplace-" + TIME.format(clock.instant()) + "-" + HexFormat.of().toHexDigits(RANDOM.nextInt())
        .substring(2);
    InPlaceClient.Header h = new InPlaceClient.Header(clusterId, term.epoch(), plan.snapshot().getId(), id);
    CompletableFuture<List<InPlaceMember>> checked = checks.dryRun(plan, h);
    if (req.getDryRun()) {
      return checked.thenApply(members -> InPlaceRestore.newBuilder().setFormatVersion(Formats.CURRENT)
          .setGroupSnapshotId(plan.snapshot().getId()).setBackupRunId(req.getBackupRunId())
          .setEpoch(term.epoch()).addAllMembers(members).build());
    }
    long keep = req.getKeepSeconds() > 0 ? req.getKeepSeconds() : options.defaultKeep().toSeconds();
    return checked.thenComposeAsync(members -> begin(term, plan, id, req.getBackupRunId(), keep, members), lane);
  }

  /** On the lane: checks again what may have changed, creates the record STAGING and starts staging. */
  private CompletableFuture<InPlaceRestore> begin(Leadership.Term term, InPlaceChecks.Plan plan, String id,
      String runId, long keepSeconds, List<InPlaceMember> members) {
    InPlaceRestore rec;
    try {
      if (closed || leader.acting().filter(term::equals).isEmpty()) {
        throw notLeader();
      }
      checks.requireFree(plan.agents(), "");
      long now = clock.millis();
      InPlaceRestore.Builder b = InPlaceRestore.newBuilder().setFormatVersion(Formats.CURRENT).setRestoreId(id)
          .setGroupSnapshotId(plan.snapshot().getId()).setBackupRunId(runId).setState(InPlaceState.IN_PLACE_STAGING)
          .setEpoch(term.epoch()).addAllMembers(members.stream().map(m -> m.toBuilder()
              .setStage(io.groupsnap.proto.v1.RestoreState.RESTORE_RUNNING).build()).toList())
          .setCreatedAtMillis(now).setUpdatedAtMillis(now).setKeepSeconds(keepSeconds);
      InPlaceRecords.event(b, now, "started by " + coordinatorId + " in epoch " + term.epoch() + ": "
          + members.size() + " member(s) of " + plan.snapshot().getId() + " staging");
      rec = b.build();
      store.create(rec, term.fence());
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    log.info("in-place restore {} of {} started ({} members)", id, plan.snapshot().getId(), members.size());
    ActiveRestore a = new ActiveRestore(term, clusterId, rec, 0);
    a.parts = plan.parts();
    active.put(id, a);
    CompletableFuture<InPlaceRestore> answer = new CompletableFuture<>();
    waitFor(id, InPlaceStates::answered, answer);
    phases.stage(a);
    return answer;
  }

  @Override
  public InPlaceRestore get(String restoreId) throws Exception {
    return store.find(restoreId).orElseThrow(() -> new NotFoundException("no in-place restore " + restoreId))
        .orThrow();
  }

  @Override
  public Listing<InPlaceRestore> list() throws Exception {
    return store.list();
  }

  @Override
  public CompletableFuture<InPlaceRestore> confirm(String restoreId) throws Exception {
    return settle(restoreId, false);
  }

  @Override
  public CompletableFuture<InPlaceRestore> rollback(String restoreId) throws Exception {
    return settle(restoreId, true);
  }

  private CompletableFuture<InPlaceRestore> settle(String id, boolean rollback) throws Exception {
    Leadership.Term term = leader.acting().orElseThrow(this::notLeader);
    get(id); // NotFound / DATA_LOSS on the caller's thread
    CompletableFuture<InPlaceRestore> answer = new CompletableFuture<>();
    lane.execute(() -> {
      try {
        settleOnLane(term, id, rollback, answer);
      } catch (Exception e) {
        answer.completeExceptionally(e);
      }
    });
    return answer;
  }

  private void settleOnLane(Leadership.Term term, String id, boolean rollback,
      CompletableFuture<InPlaceRestore> answer) throws Exception {
    ActiveRestore a = active.get(id);
    InPlaceRestore r = a != null ? a.record : get(id);
    InPlaceState target = rollback ? InPlaceState.IN_PLACE_ROLLED_BACK : InPlaceState.IN_PLACE_CONFIRMED;
    InPlaceState during = rollback ? InPlaceState.IN_PLACE_ROLLING_BACK : InPlaceState.IN_PLACE_SWITCHED;
    if (r.getState() == target) {
      answer.complete(r);
      return;
    }
    boolean going = a != null && (rollback ? r.getState() == during : a.confirming);
    if (!going && (r.getState() != InPlaceState.IN_PLACE_SWITCHED || (a != null && a.confirming))) {
      throw new IllegalStateException("in-place restore " + id + " is " + InPlaceStates.label(r.getState())
          + (a != null && a.confirming ? " and being confirmed" : "") + ": only a SWITCHED restore can be "
          + (rollback ? "rolled back" + (r.getState() == InPlaceState.IN_PLACE_CONFIRMED
              ? " (CONFIRMED: the previous data is gone)" : "") : "confirmed"));
    }
    if (a == null) {
      a = adopt(term, id).orElseThrow(() -> new IllegalStateException("in-place restore " + id
          + " changed meanwhile; ask again"));
    }
    waitFor(id, s -> s == target, answer);
    if (!going) {
      if (rollback) {
        phases.rollback(a);
      } else {
        phases.confirm(a, "confirmed by the operator");
      }
    }
  }

  // ---- leadership and successors ----

  /** Checks leadership every {@code options.tick()} on the lane: resumes in a new acting term, stops without one. */
  public void start() {
    lane.execute(this::check);
  }

  private void check() {
    if (closed) {
      return;
    }
    Optional<Leadership.Term> t = leader.acting();
    if (t.isEmpty()) {
      if (resumedIn != null) {
        stopAll("leadership lost");
      }
    } else if (!t.get().equals(resumedIn) || sinceScan >= RESCAN_EVERY.toMillis()) {
      resume(t.get());
    }
    sinceScan += options.tick().toMillis();
    tick = lane.schedule(options.tick(), this::check);
  }

  /** Resumes now, on the lane (a coordinator that just recovered; the tick would anyway). */
  public CompletableFuture<Void> resumeNow() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lane.execute(() -> {
      leader.acting().filter(t -> !t.equals(resumedIn)).ifPresent(this::resume);
      done.complete(null);
    });
    return done;
  }

  /** Takes up, in {@code term}, every restore not settled for good that this process does not drive. On the lane. */
  void resume(Leadership.Term term) {
    if (resumedIn != null && !resumedIn.equals(term)) {
      stopAll("a new term began");
    }
    resumedIn = term;
    sinceScan = 0;
    List<InPlaceRestore> records;
    try {
      records = store.list().records();
    } catch (Exception e) {
      log.warn("could not look for in-place restores to resume: {}", e.toString());
      resumedIn = null; // the next tick tries again
      return;
    }
    for (InPlaceRestore listed : records) {
      InPlaceState s = listed.getState();
      if (active.containsKey(listed.getRestoreId()) || (!InPlaceStates.unsettled(s)
          && s != InPlaceState.IN_PLACE_SWITCHED) || s == InPlaceState.UNRECOGNIZED) {
        continue;
      }
      adopt(term, listed.getRestoreId()).ifPresent(a -> {
        log.info("in-place restore {} ({}) taken up in epoch {}", a.id(), InPlaceStates.label(a.record.getState()),
            term.epoch());
        phases.resume(a);
      });
    }
  }

  /** Reads a record to drive it in {@code term}; empty when it is gone, quarantined or unreadable. */
  private Optional<ActiveRestore> adopt(Leadership.Term term, String id) {
    try {
      Optional<FencedRecords.Found<InPlaceRestore>> f = store.find(id);
      if (f.isEmpty() || f.get().damage() != null) {
        return Optional.empty();
      }
      ActiveRestore a = new ActiveRestore(term, clusterId, f.get().record(), f.get().version());
      active.put(id, a);
      return Optional.of(a);
    } catch (Exception e) {
      log.warn("in-place restore {}: cannot read its record: {}", id, e.toString());
      return Optional.empty();
    }
  }

  /** Stops driving every restore (leadership lost): timers cancelled, nothing written. Any thread. */
  public void stop(String why) {
    lane.execute(() -> stopAll(why));
  }

  private void stopAll(String why) {
    if (!active.isEmpty()) {
      log.info("no longer driving {} in-place restore(s): {}", active.size(), why);
    }
    for (ActiveRestore a : List.copyOf(active.values())) {
      drop(a, why);
    }
    resumedIn = null;
  }

  /** Stops everything for good (the coordinator closes). */
  public void close() {
    closed = true;
    lane.execute(() -> {
      if (tick != null) {
        tick.cancel();
      }
      stopAll("closing");
    });
  }

  // ---- for the phases (on the lane) ----

  /** Writes the record; false (and the restore dropped) when the write failed: this process stops driving it. */
  boolean save(ActiveRestore a, InPlaceRestore.Builder b) {
    if (a.stopped) {
      return false;
    }
    InPlaceRestore next = b.setEpoch(a.term.epoch()).setUpdatedAtMillis(clock.millis()).build();
    try {
      store.replace(next, a.version, a.term.fence());
    } catch (Exception e) {
      log.warn("in-place restore {}: record not written, no longer driving it here: {}", a.id(), e.toString());
      drop(a, "its record could not be written (" + e.getMessage() + ")");
      return false;
    }
    a.version++;
    a.record = next;
    answerWaiters(next);
    return true;
  }

  /** Ends driving a restore in a state that absorbs (its last record written). */
  void finished(ActiveRestore a) {
    log.info("in-place restore {} {}{}", a.id(), InPlaceStates.label(a.record.getState()),
        a.record.getReason().isEmpty() ? "" : ": " + a.record.getReason());
    a.stopped = true;
    a.timers.forEach(Scheduler.Cancellable::cancel);
    active.remove(a.id(), a);
    waiters.remove(a.id());
  }

  /** Runs {@code task} on the lane after {@code delay}, while the restore is still driven here. */
  void later(ActiveRestore a, Duration delay, Runnable task) {
    a.timers.add(lane.schedule(delay, () -> {
      if (!a.stopped) {
        task.run();
      }
    }));
  }

  /** Runs {@code task} on the lane, while the restore is still driven here and still in {@code during}. */
  void onLane(ActiveRestore a, InPlaceState during, Runnable task) {
    lane.execute(() -> {
      if (!a.stopped && a.record.getState() == during) {
        task.run();
      }
    });
  }

  private void waitFor(String id, Predicate<InPlaceState> until, CompletableFuture<InPlaceRestore> answer) {
    waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(new Waiter(until, answer));
  }

  private void answerWaiters(InPlaceRestore r) {
    List<Waiter> ws = waiters.get(r.getRestoreId());
    if (ws != null) {
      ws.removeIf(w -> w.until().test(r.getState()) && w.answer().complete(r));
    }
  }

  private void drop(ActiveRestore a, String why) {
    a.stopped = true;
    a.timers.forEach(Scheduler.Cancellable::cancel);
    a.timers.clear();
    active.remove(a.id(), a);
    List<Waiter> ws = waiters.remove(a.id());
    if (ws != null) {
      NotLeaderException e = new NotLeaderException(null, "in-place restore " + a.id() + " is no longer driven "
          + "by this coordinator (" + why + "); the leader takes it up: follow it with `groupsnap restore show "
          + a.id() + "`");
      ws.forEach(w -> w.answer().completeExceptionally(e));
    }
  }

  private NotLeaderException notLeader() {
    Optional<String> id = leader.leaderId();
    return new NotLeaderException(id.orElse(null), id.isEmpty() ? "no coordinator leads yet; retry shortly"
        : "this coordinator is not the recovered leader; the leader is " + id.get());
  }
}
