package io.groupsnap.coordinator;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.resolve.Resolver;
import io.groupsnap.coordinator.txn.TransactionDriver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * What the acting leader resolves ({@link Resolver}) on the resolver's lane: on election, what its predecessors left
 * unfinished, before it takes requests ({@link #recover}); then, periodically, what it left unfinished itself
 * ({@link #resolvePeriodically}). The coordinator's part, apart from its wiring; nothing is scheduled once the lane
 * is closed or the coordinator says it is closed.
 */
final class LeaderResolution {
  private final Leadership leadership;
  private final CoordinatorCore core;
  private final Resolver resolver;
  private final TransactionDriver driver;
  private final ThreadScheduler resolverLane;
  private final Duration interval;
  private final BooleanSupplier closed;

  LeaderResolution(Leadership leadership, CoordinatorCore core, Resolver resolver, TransactionDriver driver,
      ThreadScheduler resolverLane, Duration interval, BooleanSupplier closed) {
    this.leadership = leadership;
    this.core = core;
    this.resolver = resolver;
    this.driver = driver;
    this.resolverLane = resolverLane;
    this.interval = interval;
    this.closed = closed;
  }

  /**
   * A new leader resolves what its predecessors left unfinished before it takes requests; called on the leadership
   * thread, it only starts the recovery on the resolver's lane. When every attempt failed, leadership is given back.
   */
  void recover(long epoch) {
    Optional<Leadership.Term> term = leadership.term().filter(t -> t.epoch() == epoch);
    if (term.isEmpty()) {
      return; // deposed meanwhile
    }
    try {
      resolver.recover(core.records(term.get())).thenAccept(outcome -> {
        switch (outcome) {
          case RECOVERED -> core.recovered(term.get());
          case GAVE_UP -> leadership.giveBack(epoch);
          case SUPERSEDED -> { }
        }
      });
    } catch (RejectedExecutionException closing) {
      // the coordinator is closing
    }
  }

  /**
   * Every resolveInterval after the last pass ended, while this process leads and has recovered, what recovery would
   * do for the records it left unfinished itself (a failed ABORTED write, a commit write's unknown outcome, a member
   * that missed COMMIT, a deletion failed half-way); transactions still queued or running here are left alone.
   * Without it they would wait for the next leader, and an undecided record's captures for ever.
   */
  void resolvePeriodically() {
    if (closed.getAsBoolean()) {
      return;
    }
    try {
      resolverLane.schedule(interval, () -> {
        Optional<Leadership.Term> term = core.acting();
        CompletableFuture<Void> pass = term.isEmpty() ? CompletableFuture.completedFuture(null)
            : resolver.resolve(core.records(term.get()), driver::isRunning);
        pass.whenComplete((v, e) -> resolvePeriodically());
      });
    } catch (RejectedExecutionException closing) {
      // the coordinator is closing
    }
  }
}
