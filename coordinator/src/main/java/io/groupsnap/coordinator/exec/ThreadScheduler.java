package io.groupsnap.coordinator.exec;

import io.groupsnap.common.Daemons;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A {@link Scheduler} on one daemon thread of its own, named after its lane. */
public final class ThreadScheduler implements Scheduler, AutoCloseable {
  private final ScheduledExecutorService thread;

  public ThreadScheduler(String name) {
    this.thread = Executors.newSingleThreadScheduledExecutor(Daemons.named(name));
  }

  @Override
  public void execute(Runnable task) {
    thread.execute(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f = thread.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  /** Stops the lane: queued and scheduled tasks are dropped, a running one is interrupted. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
