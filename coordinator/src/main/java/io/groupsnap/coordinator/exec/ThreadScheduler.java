package io.groupsnap.coordinator.exec;

import io.groupsnap.common.Daemons;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} on one daemon thread of its own, named after its lane. A task that throws is logged with its
 * lane's name (a scheduled executor would keep the exception in a future nobody reads) and the lane goes on.
 */
public final class ThreadScheduler implements Scheduler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ThreadScheduler.class);

  private final String name;
  private final ScheduledExecutorService thread;

  public ThreadScheduler(String name) {
    this.name = name;
    this.thread = Executors.newSingleThreadScheduledExecutor(Daemons.named(name));
  }

  @Override
  public void execute(Runnable task) {
    thread.execute(logged(task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f = thread.schedule(logged(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  private Runnable logged(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.error("a task on lane {} failed", name, e);
      }
    };
  }

  /** Stops the lane: queued and scheduled tasks are dropped, a running one is interrupted. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
