package io.groupsnap.coordinator.runs;

import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.common.Printable;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.api.MemberGuard;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.groups.GroupResolver;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.RunTrigger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives backup runs on the recovered leader ({@link RunLauncher}): the group snapshot with retries
 * ({@link SnapshotStep}), then every member's export within the cluster-wide limit ({@link ExportStep}), to the
 * run's end state, each step written to its record ({@link RunStore}) under the term's fence and logged as an event.
 *
 * <p>A run is a record, like a transaction: a leader that dies mid-run is succeeded by one that {@link #resume}s it
 * (the snapshot attempt's outcome read from its record, exports started again — idempotent on the agents — and
 * polled). A write refused by the fence means this process no longer leads: it stops driving that run at once and
 * never writes it again. Every wait has a deadline ({@link RunOptions}).
 *
 * <p>Threading: all state is confined to one lane ({@link Scheduler}); {@link #launch} checks and creates the record
 * on the caller's thread (serialized), then hands the run to the lane. Time comes from the injected clock and the
 * lane's timers only, so tests drive it.
 */
public final class RunDriver implements RunLauncher {
  private static final Logger log = LoggerFactory.getLogger(RunDriver.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Whether this process leads, as the driver needs it. */
  public interface Leader {
    /** The acting term once recovered in it; empty otherwise. */
    Optional<Leadership.Term> acting();

    /** The leader's endpoint, when known (for a NOT_LEADER answer). */
    Optional<String> leaderId();
  }

  /** The registered agents now. */
  @FunctionalInterface
  public interface Agents {
    List<AgentRegistration> registered() throws Exception;
  }

  final RunStore store;
  final GroupCatalog groups;
  final Agents agents;
  final ExportClient exports;
  final Scheduler lane;
  final Clock clock;
  final RunOptions options;
  final String clusterId;
  final String coordinatorId;
  private final Leader leader;
  private final MemberGuard held;
  private final SnapshotStep snapshots;
  private final ExportStep exportStep;
  private final Map<String, ActiveRun> active = new HashMap<>();
  private final Object launching = new Object();
  private Leadership.Term resumedIn;
  private Scheduler.Cancellable tick;
  private volatile boolean closed;
  private volatile java.util.function.Consumer<BackupRun> ended = r -> { };

  public RunDriver(RunStore store, GroupCatalog groups, Agents agents, GroupSnapshots groupSnapshots,
      ExportClient exports, Leader leader, Scheduler lane, Clock clock, RunOptions options, String clusterId,
      String coordinatorId) {
    this(store, groups, agents, groupSnapshots, exports, leader, lane, clock, options, clusterId, coordinatorId,
        MemberGuard.NONE);
  }

  /** As above; {@code held} refuses a run whose members another operation holds (an in-place restore). */
  public RunDriver(RunStore store, GroupCatalog groups, Agents agents, GroupSnapshots groupSnapshots,
      ExportClient exports, Leader leader, Scheduler lane, Clock clock, RunOptions options, String clusterId,
      String coordinatorId, MemberGuard held) {
    this.held = held;
    this.store = store;
    this.groups = groups;
    this.agents = agents;
    this.exports = exports;
    this.leader = leader;
    this.lane = lane;
    this.clock = clock;
    this.options = options;
    this.clusterId = clusterId;
    this.coordinatorId = coordinatorId;
    this.exportStep = new ExportStep(this, new ExportSlots(options.maxConcurrentExports()));
    this.snapshots = new SnapshotStep(this, groupSnapshots, exportStep);
  }

  @Override
  public BackupRun launch(String group, String runId, RunTrigger trigger, long scheduledForMillis) throws Exception {
    Leadership.Term term = leader.acting().orElseThrow(this::notLeader);
    Names.require("group", group);
    boolean chosen = runId != null && !runId.isEmpty();
    if (chosen && !RunIds.isWellFormed(runId)) {
      throw new IllegalArgumentException("run id '" + Printable.value(runId) + "' is not of the form "
          + "run-YYYYMMDD-HHMMSS-xxxxxx (UTC time, six lower-case hex digits)");
    }
    GroupSpec spec = findGroup(group);
    GroupResolver.Resolution r = GroupResolver.resolve(spec, agents.registered());
    if (!r.ok()) {
      throw new IllegalArgumentException("group " + group + " cannot run now: " + r.describeProblems());
    }
    held.requireFree(r.members().stream().map(io.groupsnap.proto.v1.MemberSelector::getAgentId).toList());
    synchronized (launching) {
      String id = chosen ? runId : RunIds.mint(clock.instant(), RANDOM);
      if (store.exists(id)) {
        throw new AlreadyExistsException("backup run " + id + " exists already");
      }
      Optional<BackupRun> going = store.list(group).records().stream().filter(x -> RunRecords.going(x.getState()))
          .findFirst();
      if (going.isPresent()) {
        throw new RunInProgressException(group, going.get().getId());
      }
      long now = clock.millis();
      BackupRun.Builder b = BackupRun.newBuilder().setFormatVersion(Formats.CURRENT).setId(id).setGroup(group)
          .setState(RunState.RUN_SNAPSHOTTING)
          .setTrigger(trigger == null || trigger == RunTrigger.RUN_TRIGGER_UNSPECIFIED ? RunTrigger.RUN_MANUAL
              : trigger)
          .setScheduledForMillis(scheduledForMillis).setCreatedAtMillis(now).setExportTarget(spec.getExportTarget())
          .setEpoch(term.epoch()).setCoordinator(coordinatorId);
      RunRecords.event(b, now, "run started (" + r.members().size() + " members"
          + (spec.getExportTarget().isEmpty() ? ", no export target" : ", export to " + spec.getExportTarget())
          + (r.leftOut().isEmpty() ? "" : "; optional members left out: " + String.join(", ", r.leftOut())) + ")");
      BackupRun run = b.build();
      store.create(run, term.fence());
      lane.execute(() -> adopt(term, run));
      return run;
    }
  }

  private GroupSpec findGroup(String group) throws Exception {
    try {
      return groups.find(group).orElseThrow(() -> new IllegalArgumentException("no group '" + group + "'"));
    } catch (DamagedRecordException e) {
      throw new IllegalArgumentException("group " + group + ": " + e.getMessage(), e);
    }
  }

  private NotLeaderException notLeader() {
    return notLeader(leader);
  }

  /** The refusal of a mutating call on a coordinator that is not the recovered leader. */
  static NotLeaderException notLeader(Leader leader) {
    Optional<String> id = leader.leaderId();
    return new NotLeaderException(id.orElse(null), id.isEmpty() ? "no coordinator leads yet; retry shortly"
        : "this coordinator is not the recovered leader; the leader is " + id.get());
  }

  /** The retry policy of a run's group now (the defaults when it is gone). */
  RetryPolicy retryOf(String group) {
    try {
      return groups.find(group).map(GroupSpec::getRetry).orElse(RetryPolicy.getDefaultInstance());
    } catch (Exception e) {
      return RetryPolicy.getDefaultInstance();
    }
  }

  /**
   * Checks leadership every {@code tick} on the lane: in a new recovered term, resumes every run that goes on and
   * nobody drives here (and again every resume interval); without one, stops driving everything.
   */
  public void start(Duration tickEvery) {
    lane.execute(() -> check(tickEvery));
  }

  private void check(Duration every) {
    if (closed) {
      return;
    }
    Optional<Leadership.Term> t = leader.acting();
    if (t.isEmpty()) {
      if (resumedIn != null) {
        stopAll("leadership lost");
      }
    } else if (!t.get().equals(resumedIn) || sinceResume >= options.resumeInterval().toMillis()) {
      resume(t.get());
    }
    sinceResume += every.toMillis();
    tick = lane.schedule(every, () -> check(every));
  }

  private long sinceResume;

  /** Takes up, in {@code term}, every run that goes on and that this process does not drive. Runs on the lane. */
  void resume(Leadership.Term term) {
    if (resumedIn != null && !resumedIn.equals(term)) {
      stopAll("a new term began");
    }
    resumedIn = term;
    sinceResume = 0;
    try {
      for (BackupRun listed : store.list(null).records()) {
        if (RunRecords.going(listed.getState()) && !active.containsKey(listed.getId())) {
          store.adopt(listed.getId()).filter(r -> RunRecords.going(r.getState())).ifPresent(r -> {
            try (LogContext ignored = LogContext.run(r.getId(), r.getGroup())) {
              log.info("resuming backup run {} ({}) in epoch {}", r.getId(), r.getState(), term.epoch());
            }
            adopt(term, r);
          });
        }
      }
    } catch (Exception e) {
      log.warn("could not look for backup runs to resume: {}", e.toString());
    }
  }

  /** Resumes now, on the lane (a coordinator that just recovered calls it; the tick would anyway). */
  public CompletableFuture<Void> resumeNow() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lane.execute(() -> {
      leader.acting().ifPresent(this::resume);
      done.complete(null);
    });
    return done;
  }

  private void adopt(Leadership.Term term, BackupRun run) {
    if (closed || active.containsKey(run.getId())) {
      return;
    }
    ActiveRun a = new ActiveRun(term, run);
    active.put(a.id(), a);
    try (LogContext ignored = context(a)) {
      if (run.getEpoch() != term.epoch()) {
        BackupRun.Builder b = run.toBuilder();
        RunRecords.event(b, clock.millis(), "resumed by " + coordinatorId + " in epoch " + term.epoch());
        if (!save(a, b)) {
          return;
        }
      }
      if (run.getState() == RunState.RUN_SNAPSHOTTING) {
        snapshots.begin(a);
      } else {
        exportStep.begin(a);
      }
    }
  }

  /** The run's log context: every line written while the driver works for one run names it and its group. */
  private static LogContext context(ActiveRun a) {
    return LogContext.run(a.id(), a.run.getGroup());
  }

  /** Stops driving every run (leadership lost): timers cancelled, slots freed, nothing written. Any thread. */
  public void stop(String why) {
    lane.execute(() -> stopAll(why));
  }

  private void stopAll(String why) {
    if (!active.isEmpty()) {
      log.info("no longer driving {} backup run(s): {}", active.size(), why);
    }
    for (ActiveRun a : List.copyOf(active.values())) {
      drop(a);
    }
    resumedIn = null;
  }

  /** The runs this process drives now (for tests and status); read on the lane. */
  CompletableFuture<List<String>> driving() {
    CompletableFuture<List<String>> out = new CompletableFuture<>();
    lane.execute(() -> out.complete(List.copyOf(active.keySet())));
    return out;
  }

  // ---- for the steps (on the lane) ----

  /** Writes the run's record; false (and the run dropped) when the write failed: this process stops driving it. */
  boolean save(ActiveRun a, BackupRun.Builder b) {
    if (a.stopped) {
      return false;
    }
    BackupRun next = b.setEpoch(a.term.epoch()).setCoordinator(coordinatorId).build();
    try {
      store.update(next, a.term.fence());
    } catch (Exception e) {
      log.warn("backup run {}: record not written, no longer driving it here: {}", a.id(), e.toString());
      drop(a);
      return false;
    }
    a.run = next;
    a.lastWriteMillis = clock.millis();
    return true;
  }

  /** Ends the run in {@code state} with {@code reason}, and stops driving it. */
  void end(ActiveRun a, BackupRun.Builder b, RunState state, String reason) {
    long now = clock.millis();
    b.setState(state).setReason(RunRecords.line(reason)).setFinishedAtMillis(now).setNextAttemptAtMillis(0);
    RunRecords.event(b, now, "run " + label(state) + (reason.isEmpty() ? "" : ": " + reason));
    if (save(a, b)) {
      log.info("backup run {} {}{}", a.id(), label(state), reason.isEmpty() ? "" : ": " + reason);
      drop(a);
      ended.accept(b.build());
    }
  }

  static String label(RunState s) {
    return s.name().substring("RUN_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  /** Runs {@code task} on the lane after {@code delay}, unless the run stopped meanwhile. */
  void later(ActiveRun a, Duration delay, Runnable task) {
    a.timers.add(lane.schedule(delay, () -> {
      if (!a.stopped) {
        try (LogContext ignored = context(a)) {
          task.run();
        }
      }
    }));
  }

  /** Runs {@code task} on the lane, unless the run stopped meanwhile (for answers arriving on other threads). */
  void onLane(ActiveRun a, Runnable task) {
    lane.execute(() -> {
      if (!a.stopped) {
        try (LogContext ignored = context(a)) {
          task.run();
        }
      }
    });
  }

  private void drop(ActiveRun a) {
    a.stopped = true;
    a.timers.forEach(Scheduler.Cancellable::cancel);
    a.timers.clear();
    active.remove(a.id(), a);
    exportStep.released(a);
    store.release(a.id());
  }

  /** Told of every run this driver ends (after its final record is written): retention acts then. */
  public void onEnded(java.util.function.Consumer<BackupRun> listener) {
    this.ended = listener;
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
}
