package io.groupsnap.coordinator.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The part of {@link ScheduledExecutorService} that {@code Participant} and {@code FreezeHold} use — schedule a task,
 * cancel it — over virtual time: a task runs on the simulation thread when the loop reaches it. One instance belongs to
 * one agent process; {@link #shutdownNow()} is that process dying: nothing it scheduled runs any more. Periodic
 * scheduling throws {@link UnsupportedOperationException}; {@code get()} on a future that is not done throws rather
 * than block the only thread.
 */
final class VirtualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final EventLoop loop;
  private final String owner;
  private final List<EventLoop.Task> tasks = new ArrayList<>();
  private boolean shutdown;

  VirtualScheduler(EventLoop loop, String owner) {
    this.loop = loop;
    this.owner = owner;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new RejectedExecutionException(owner + " is down");
    }
    tasks.removeIf(t -> !t.pending());
    EventLoop.Task task = loop.at(unit.toNanos(delay), owner + " timer fires", command);
    tasks.add(task);
    return new Future(task);
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  /** The callable's result is dropped; {@code get()} answers null (FreezeHold's watchdog ignores it). */
  @Override
  @SuppressWarnings("unchecked")
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return (ScheduledFuture<V>) schedule(() -> {
      try {
        callable.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(owner + " timer task failed", e);
      }
    }, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("not used by the agent");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("not used by the agent");
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  /** The owning process died: every pending task is cancelled. */
  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    tasks.forEach(EventLoop.Task::cancel);
    tasks.clear();
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  /** A scheduled task as a future. */
  private final class Future implements ScheduledFuture<Object> {
    private final EventLoop.Task task;

    Future(EventLoop.Task task) {
      this.task = task;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(task.time - loop.now(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (!task.pending()) {
        return false;
      }
      task.cancel();
      return true;
    }

    @Override
    public boolean isCancelled() {
      return task.cancelled();
    }

    @Override
    public boolean isDone() {
      return !task.pending();
    }

    @Override
    public Object get() {
      if (task.cancelled()) {
        throw new CancellationException();
      }
      if (!task.done()) {
        throw new IllegalStateException("get() would block the simulation thread");
      }
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return get();
    }
  }
}
