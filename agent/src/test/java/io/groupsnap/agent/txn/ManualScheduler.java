package io.groupsnap.agent.txn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler on manual time: tasks run on the test's thread when {@link #advance} reaches them, in time order, and
 * {@link #nanos} is the monotonic clock that goes with it. Periodic scheduling is not supported.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final PriorityQueue<Task> tasks = new PriorityQueue<>(
      Comparator.comparingLong((Task t) -> t.at).thenComparingLong(t -> t.seq));
  private long now;
  private long seq;
  private boolean shutdown;

  synchronized long nanos() {
    return now;
  }

  /** Moves time forward, running every task that falls due on the way. */
  void advance(Duration d) {
    long until;
    synchronized (this) {
      until = now + d.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.at > until) {
          now = until;
          return;
        }
        tasks.poll();
        now = next.at;
      }
      next.run();
    }
  }

  /** Moves time forward without running anything: a timer that is late. */
  synchronized void jump(Duration d) {
    now += d.toNanos();
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Task t = new Task(now + unit.toNanos(delay), seq++, command);
    tasks.add(t);
    return t;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    @SuppressWarnings("unchecked")
    ScheduledFuture<V> f = (ScheduledFuture<V>) schedule(() -> {
      try {
        callable.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, delay, unit);
    return f;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    tasks.clear();
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    return new ArrayList<>();
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task implements ScheduledFuture<Object> {
    final long at;
    final long seq;
    final Runnable body;
    private volatile boolean cancelled;
    private volatile boolean done;

    Task(long at, long seq, Runnable body) {
      this.at = at;
      this.seq = seq;
      this.body = body;
    }

    void run() {
      if (!cancelled) {
        body.run();
      }
      done = true;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(at - nanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      synchronized (ManualScheduler.this) {
        if (done) {
          return false;
        }
        cancelled = true;
        tasks.remove(this);
        return true;
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
