package io.groupsnap.agent.txn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Everything one transaction holds frozen on this agent, released exactly once, in reverse order.
 *
 * <p>The freeze path {@link #push pushes} an undo step after each writer or volume it freezes. The hold ends with the
 * first {@link #release}: by THAW (the normal way), by the lease watchdog armed at construction (G2), or by a failure
 * or abort. Only a hold released by THAW whose undo steps all succeeded is <em>unbroken</em>.
 *
 * <p>Thread-safety: {@code push} and {@code release} may race (the watchdog fires during a slow capture); a step pushed
 * after the release is refused, and the caller must undo it at once. Undo steps run on the releasing thread, outside
 * the lock.
 */
public final class FreezeHold {
  /** Why a hold ended. */
  public enum Release { THAW, LEASE_EXPIRED, FAILED, ABORTED }

  /** One step to undo; returns why the hold cannot be vouched for, or empty when the step succeeded. */
  @FunctionalInterface
  public interface Undo {
    Optional<String> run();
  }

  /**
   * How the hold ended.
   *
   * @param release what released it first
   * @param unbroken released by THAW with every undo step successful
   * @param problems failures of undo steps, for the operator
   * @param thawNanos how long the undo steps took
   */
  public record Outcome(Release release, boolean unbroken, List<String> problems, long thawNanos) {}

  private final Deque<Undo> undo = new ArrayDeque<>();
  private final LongSupplier nanos;
  private final HoldListener listener;
  private final long startedAtNanos;
  /** From the start until every writer and volume was frozen; -1 until then. */
  private volatile long frozenAfterNanos = -1;
  private volatile ScheduledFuture<?> watchdog;
  private Outcome outcome;
  private boolean releasing;
  private Release releasedBy;
  private long releasedAtNanos;

  private FreezeHold(LongSupplier nanos, HoldListener listener) {
    this.nanos = nanos;
    this.listener = listener;
    this.startedAtNanos = nanos.getAsLong();
  }

  /** Starts holding and arms the lease watchdog. */
  public static FreezeHold start(ScheduledExecutorService scheduler, Duration lease) {
    return start(scheduler, lease, System::nanoTime);
  }

  /**
   * Starts holding and arms the lease watchdog; {@code nanos} stamps when the hold is released ({@link
   * #releasedAtNanos}), on the caller's monotonic clock.
   */
  public static FreezeHold start(ScheduledExecutorService scheduler, Duration lease, LongSupplier nanos) {
    return start(scheduler, lease, nanos, HoldListener.NONE);
  }

  /** As above, telling {@code listener} that the hold started and, once, how it ended. */
  public static FreezeHold start(ScheduledExecutorService scheduler, Duration lease, LongSupplier nanos,
      HoldListener listener) {
    FreezeHold h = new FreezeHold(nanos, listener);
    listener.started();
    h.watchdog = scheduler.schedule(() -> h.release(Release.LEASE_EXPIRED), lease.toNanos(), TimeUnit.NANOSECONDS);
    return h;
  }

  /**
   * Every writer and volume is frozen, {@code afterNanos} after the hold started (the FREEZE's time to frozen): told
   * to the listener when the hold ends. One volatile write.
   */
  public void frozen(long afterNanos) {
    frozenAfterNanos = afterNanos;
  }

  /** Registers an undo step; false (and the step is not kept) when the hold has already been released. */
  public synchronized boolean push(Undo step) {
    if (releasing) {
      return false;
    }
    undo.push(step);
    return true;
  }

  public synchronized boolean released() {
    return releasing;
  }

  /** What released the hold (the first release), or null while it holds. */
  public synchronized Release releasedBy() {
    return releasedBy;
  }

  /** When the hold was released, on the clock given to {@link #start}; only meaningful once {@link #released}. */
  public synchronized long releasedAtNanos() {
    return releasedAtNanos;
  }

  /**
   * Releases the hold, unless it was released already. Idempotent: every call returns the first release's outcome,
   * waiting for it to finish if it is still running.
   */
  public Outcome release(Release why) {
    List<Undo> steps;
    synchronized (this) {
      if (releasing) {
        return awaitOutcome();
      }
      releasing = true;
      releasedBy = why;
      releasedAtNanos = nanos.getAsLong();
      steps = new ArrayList<>(undo);
      undo.clear();
    }
    ScheduledFuture<?> w = watchdog;
    if (w != null) {
      w.cancel(false);
    }
    long start = System.nanoTime(); // reported only; never used in a decision
    List<String> problems = new ArrayList<>();
    Outcome done = null;
    try {
      for (Undo step : steps) {
        try {
          step.run().ifPresent(problems::add);
        } catch (RuntimeException | Error e) {
          problems.add("thaw step failed: " + e);
        }
      }
      done = new Outcome(why, why == Release.THAW && problems.isEmpty(), List.copyOf(problems),
          System.nanoTime() - start);
    } finally {
      synchronized (this) {
        outcome = done != null ? done : new Outcome(why, false, List.of("thaw interrupted"), 0);
        notifyAll();
      }
    }
    Outcome o = outcome();
    listener.ended(new HoldListener.Ended(why, o.unbroken(), nanos.getAsLong() - startedAtNanos, frozenAfterNanos));
    return o;
  }

  private synchronized Outcome outcome() {
    return outcome;
  }

  private synchronized Outcome awaitOutcome() {
    boolean interrupted = false;
    while (outcome == null) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return outcome;
  }
}
