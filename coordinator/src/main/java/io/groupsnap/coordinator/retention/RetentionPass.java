package io.groupsnap.coordinator.retention;

import io.groupsnap.common.logging.LogContext;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.PeriodicPass;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RetentionDecision;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.RetentionScope;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's retention: applies every group's {@link RetentionPlans plan} — what it removes, it removes, through
 * the run's two-phase deletion of its group snapshot (LOCAL) and the agents' forgetting of its exports (EXPORT).
 * Runs after each run ends ({@link #poke}) and every {@code interval}, on a lane of its own, one pass at a time and
 * one run at a time (a removal is bounded by {@link #REMOVAL_DEADLINE}); only while this coordinator is the recovered
 * leader, whose term fences every write. A removal that fails is logged in one line and tried again at the next pass:
 * nothing is lost by a failure, the run keeps what it has.
 */
public final class RetentionPass implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RetentionPass.class);
  static final Duration REMOVAL_DEADLINE = Duration.ofMinutes(10);

  /** What removes a run's data: {@code runs.RunDeletion#expire}. */
  @FunctionalInterface
  public interface Expiry {
    CompletableFuture<BackupRun> expire(String runId, Leadership.Term term, boolean local, boolean export)
        throws Exception;
  }

  /** Told of each removal a pass made (metrics). */
  @FunctionalInterface
  public interface Removed {
    void removed(String group, String runId, String scope);
  }

  private final GroupCatalog groups;
  private final RetentionPlans plans;
  private final Expiry expiry;
  private final Supplier<Optional<Leadership.Term>> acting;
  private final PeriodicPass periodic;
  private volatile Removed removed = (group, runId, scope) -> { };

  public RetentionPass(GroupCatalog groups, RetentionPlans plans, Expiry expiry,
      Supplier<Optional<Leadership.Term>> acting, Scheduler lane, Duration interval) {
    this.groups = groups;
    this.plans = plans;
    this.expiry = expiry;
    this.acting = acting;
    this.periodic = new PeriodicPass(lane, interval, this::passNow);
  }

  /** Starts the periodic pass. */
  public void start() {
    periodic.start();
  }

  /** Asks for a pass soon (a run ended); passes asked for while one is queued are one pass. */
  public void poke() {
    periodic.poke();
  }

  /**
   * One pass over every group, on the calling thread (the lane). Returns the removals done, by run id and scope
   * ("local", "export", "local+export"); empty when not the acting leader.
   */
  public Map<String, String> passNow() {
    Map<String, String> done = new LinkedHashMap<>();
    Optional<Leadership.Term> term = acting.get();
    if (term.isEmpty() || periodic.closed()) {
      return done;
    }
    try {
      for (GroupSpec g : groups.list().records()) {
        if (!hasPolicy(g)) {
          continue;
        }
        apply(g.getName(), term.get(), done);
      }
    } catch (Exception e) {
      log.warn("retention: pass stopped: {}", PeriodicPass.oneLine(e));
    }
    return done;
  }

  private void apply(String group, Leadership.Term term, Map<String, String> done) throws Exception {
    RetentionPlan plan = plans.plan(group);
    Map<String, boolean[]> remove = new LinkedHashMap<>(); // run -> [local, export]
    for (RetentionDecision d : plan.getDecisionsList()) {
      if (d.getKeep()) {
        continue;
      }
      boolean[] what = remove.computeIfAbsent(d.getRunId(), k -> new boolean[2]);
      what[d.getScope() == RetentionScope.RETENTION_LOCAL ? 0 : 1] = true;
    }
    for (Map.Entry<String, boolean[]> e : remove.entrySet()) {
      if (periodic.closed() || acting.get().filter(term::equals).isEmpty()) {
        return;
      }
      boolean local = e.getValue()[0];
      boolean export = e.getValue()[1];
      String scope = local && export ? "local+export" : local ? "local" : "export";
      try (LogContext ignored = LogContext.run(e.getKey(), group)) {
        try {
          expiry.expire(e.getKey(), term, local, export).get(REMOVAL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
          done.put(e.getKey(), scope);
          removed.removed(group, e.getKey(), scope);
          log.info("retention: group {}: removed {} of backup run {}", group, scope, e.getKey());
        } catch (Exception ex) {
          log.warn("retention: group {}: could not remove {} of backup run {} (tried again at the next pass): {}",
              group, scope, e.getKey(), PeriodicPass.oneLine(ex));
        }
      }
    }
  }

  /** Tells {@code listener} of every removal from now on (one listener). */
  public void onRemoved(Removed listener) {
    this.removed = listener;
  }

  /** Whether a group's policies remove anything at all (all-zero keeps everything). */
  static boolean hasPolicy(GroupSpec g) {
    return !g.getLocalRetention().equals(g.getLocalRetention().getDefaultInstanceForType())
        || !g.getExportRetention().equals(g.getExportRetention().getDefaultInstanceForType());
  }

  @Override
  public void close() {
    periodic.close();
  }
}
