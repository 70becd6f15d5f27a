package io.groupsnap.coordinator.exec;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Where and when the leader's work runs: a lane of work ({@link #execute}: in submission order, one task at a time)
 * and delayed tasks on that lane ({@link #schedule}). In a daemon it is a single-threaded scheduled executor
 * ({@link ThreadScheduler}); in the simulation it is the virtual event loop, so the same production classes run on
 * virtual time. Work on a lane never waits for an agent: calls return futures, and their continuations come back to
 * the lane through {@link #execute}.
 */
public interface Scheduler extends Executor {
  /** Runs {@code task} on this lane after {@code delay}; the handle cancels it if it has not started. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A task scheduled for later. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
