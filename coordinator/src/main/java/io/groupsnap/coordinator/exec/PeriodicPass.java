package io.groupsnap.coordinator.exec;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When a leader's pass over its groups runs (retention, scheduled test restores): on its lane at {@link #start},
 * then every {@code interval}, and soon after each {@link #poke} (a run ended); pokes that come while one is queued
 * are one pass. Passes never overlap, since they all run on the one lane. {@link #close} is idempotent: no pass starts
 * after it, and the timer is cancelled on the lane.
 */
public final class PeriodicPass implements AutoCloseable {
  private final Scheduler lane;
  private final Duration interval;
  private final Runnable pass;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean closed;
  private Scheduler.Cancellable timer;

  /** @param pass one pass, run on {@code lane} */
  public PeriodicPass(Scheduler lane, Duration interval, Runnable pass) {
    this.lane = lane;
    this.interval = interval;
    this.pass = pass;
  }

  /** Starts the periodic passes (the first at once). */
  public void start() {
    lane.execute(this::tick);
  }

  private void tick() {
    if (closed) {
      return;
    }
    run();
    timer = lane.schedule(interval, this::tick);
  }

  private void run() {
    queued.set(false);
    if (!closed) {
      pass.run();
    }
  }

  /** Asks for a pass soon; passes asked for while one is queued are one pass. */
  public void poke() {
    if (!closed && queued.compareAndSet(false, true)) {
      lane.execute(this::run);
    }
  }

  /** Whether {@link #close} was called: a pass going stops at its next step. */
  public boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    lane.execute(() -> {
      if (timer != null) {
        timer.cancel();
      }
    });
  }

  /** The message of {@code e}, or of the cause a future wrapped it in, on one line. */
  public static String oneLine(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replaceAll("\\s+", " ");
  }
}
