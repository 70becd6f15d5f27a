package io.groupsnap.coordinator.verification;

import io.groupsnap.common.logging.LogContext;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.PeriodicPass;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.Verification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's scheduled test restores: every {@code interval}, and soon after each run ends ({@link #poke}), looks at
 * every group with a verify policy and starts a test restore of its newest completed run when {@link VerifyPlanner}
 * says so, through the same call {@code groupsnap verify RUN --run} makes ({@link Starter}), which records the
 * verdict on the run. One verification at a time per group; none while a run of the group is going (tried again at
 * a later pass). Only while this coordinator is the acting leader: a successor decides from the run records alone.
 *
 * <p>What the records cannot say, this leader remembers: a verification it has going (not started again), and when
 * its last attempt of each group ended: a verdict reached (VERIFIED or FAILED, recorded or not) is followed by the
 * next attempt only after the group's interval; an attempt refused before a verdict (an agent down, the group
 * snapshot gone, leadership lost) after {@link #REFUSED_RETRY} or the interval, whichever is shorter. Nothing is
 * retried in a loop.
 *
 * <p>Threading: passes run on {@code lane}, one at a time; a verification's end is noted on whatever thread completes
 * it (the maps are concurrent). {@link #close} is idempotent and stops the timer; verifications going finish.
 */
public final class VerifyPass implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VerifyPass.class);
  /** The pause after an attempt that was refused before a verdict (at most the group's interval). */
  public static final Duration REFUSED_RETRY = Duration.ofMinutes(30);

  /** Starts a test restore of a finished run whose verdict is recorded on it (production: the RestoreService's). */
  @FunctionalInterface
  public interface Starter {
    /**
     * @return the verdict, once every member has finished
     * @throws Exception when refused before anything was written (one line)
     */
    CompletableFuture<RestoreGroupSnapshotResponse> verify(String group, String runId) throws Exception;
  }

  private final GroupCatalog groups;
  private final RunCatalog runs;
  private final Starter starter;
  private final Supplier<Optional<Leadership.Term>> acting;
  private final Clock clock;
  private final Map<String, String> going = new ConcurrentHashMap<>();
  private final Map<String, Long> notBefore = new ConcurrentHashMap<>();
  private final PeriodicPass periodic;

  /**
   * @param acting the term this coordinator leads and has recovered, if any
   * @param interval how often a pass runs
   */
  public VerifyPass(GroupCatalog groups, RunCatalog runs, Starter starter, Supplier<Optional<Leadership.Term>> acting,
      Scheduler lane, Clock clock, Duration interval) {
    this.groups = groups;
    this.runs = runs;
    this.starter = starter;
    this.acting = acting;
    this.clock = clock;
    this.periodic = new PeriodicPass(lane, interval, this::passNow);
  }

  /** Starts the periodic pass (the first at once). */
  public void start() {
    periodic.start();
  }

  /** Asks for a pass soon (a run ended, leadership changed); passes asked for while one is queued are one pass. */
  public void poke() {
    periodic.poke();
  }

  /**
   * One pass over every group, on the calling thread (the lane). Returns what it decided per group with a verify
   * policy (VERIFY: started); empty when this coordinator is not the acting leader.
   */
  public Map<String, VerifyPlanner.Decision> passNow() {
    Map<String, VerifyPlanner.Decision> out = new LinkedHashMap<>();
    Optional<Leadership.Term> term = acting.get();
    if (term.isEmpty() || periodic.closed()) {
      return out;
    }
    try {
      for (GroupSpec g : groups.list().records()) {
        if (VerifyPlanner.every(g).isZero()) {
          continue;
        }
        if (periodic.closed() || acting.get().filter(term.get()::equals).isEmpty()) {
          return out;
        }
        out.put(g.getName(), consider(g));
      }
    } catch (Exception e) {
      log.warn("verify policy: pass stopped (tried again at the next pass): {}", PeriodicPass.oneLine(e));
    }
    return out;
  }

  private VerifyPlanner.Decision consider(GroupSpec g) throws Exception {
    String group = g.getName();
    String run = going.get(group);
    if (run != null) {
      return new VerifyPlanner.Decision(VerifyPlanner.Action.WAIT, run, "the verification of " + run + " is going");
    }
    VerifyPlanner.Decision d = VerifyPlanner.decide(g, runs.list(group).records(), clock.instant());
    if (d.action() != VerifyPlanner.Action.VERIFY) {
      return d;
    }
    Long after = notBefore.get(group);
    if (after != null && clock.millis() < after) {
      return new VerifyPlanner.Decision(VerifyPlanner.Action.WAIT, d.runId(), "the last attempt ended recently; "
          + "next at " + Instant.ofEpochMilli(after));
    }
    return start(g, d);
  }

  private VerifyPlanner.Decision start(GroupSpec g, VerifyPlanner.Decision d) {
    String group = g.getName();
    String runId = d.runId();
    try (LogContext ignored = LogContext.run(runId, group)) {
      going.put(group, runId);
      CompletableFuture<RestoreGroupSnapshotResponse> f;
      try {
        f = starter.verify(group, runId);
      } catch (Exception e) {
        ended(g, runId, null, e);
        return new VerifyPlanner.Decision(VerifyPlanner.Action.WAIT, runId, "refused: " + PeriodicPass.oneLine(e));
      }
      log.info("verify policy of group {}: test restore of backup run {} started ({})", group, runId, d.why());
      f.whenComplete((r, e) -> ended(g, runId, r, e));
      return d;
    }
  }

  /** Notes the end of an attempt: a verdict {@code r}, or {@code e} refused or failed before one. */
  private void ended(GroupSpec g, String runId, RestoreGroupSnapshotResponse r, Throwable e) {
    String group = g.getName();
    Duration every = VerifyPlanner.every(g);
    try (LogContext ignored = LogContext.run(runId, group)) {
      if (r != null && r.getVerification() != Verification.VERIFICATION_UNSPECIFIED) {
        notBefore.put(group, clock.millis() + every.toMillis());
        boolean ok = r.getVerification() == Verification.VERIFIED;
        String recorded = r.getRecordedOnRun().isEmpty() ? " (not recorded on the run)" : "";
        if (ok) {
          log.info("verify policy of group {}: backup run {} VERIFIED in {} ms{}", group, runId, r.getDurationMillis(),
              recorded);
        } else {
          log.warn("verify policy of group {}: backup run {} FAILED: {}{}; next attempt in {}", group, runId,
              r.getVerificationReason(), recorded, every);
        }
      } else {
        Duration retry = every.compareTo(REFUSED_RETRY) < 0 ? every : REFUSED_RETRY;
        notBefore.put(group, clock.millis() + retry.toMillis());
        log.warn("verify policy of group {}: test restore of backup run {} not done (tried again in {}): {}", group,
            runId, retry, e == null ? "no verdict" : PeriodicPass.oneLine(e));
      }
    } finally {
      going.remove(group, runId);
    }
  }

  @Override
  public void close() {
    periodic.close();
  }
}
