package io.groupsnap.coordinator.sim;

import java.util.PriorityQueue;

/**
 * Virtual time and the queue of everything that will happen, in (time, sequence) order: the only source of progress
 * in a simulated run. Nothing here reads the wall clock; two tasks due at the same instant run in the order they were
 * scheduled. Single-threaded.
 */
final class EventLoop {
  /** A scheduled action; cancelling it before it runs turns it into nothing. */
  static final class Task implements Comparable<Task> {
    final long time;
    private final long seq;
    private final String label;
    private final Runnable action;
    private boolean cancelled;
    private boolean done;

    private Task(long time, long seq, String label, Runnable action) {
      this.time = time;
      this.seq = seq;
      this.label = label;
      this.action = action;
    }

    void cancel() {
      cancelled = true;
    }

    boolean cancelled() {
      return cancelled;
    }

    boolean done() {
      return done;
    }

    boolean pending() {
      return !cancelled && !done;
    }

    @Override
    public int compareTo(Task o) {
      int byTime = Long.compare(time, o.time);
      return byTime != 0 ? byTime : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final Trace trace;
  private long now;
  private long seq;
  private long steps;

  EventLoop(Trace trace) {
    this.trace = trace;
  }

  /** Virtual nanoseconds since the run began. */
  long now() {
    return now;
  }

  /** Steps (tasks run) so far. */
  long steps() {
    return steps;
  }

  /** Schedules {@code action} after {@code delayNanos} (at once when not positive); {@code label} goes to the trace. */
  Task at(long delayNanos, String label, Runnable action) {
    Task t = new Task(now + Math.max(0, delayNanos), seq++, label, action);
    queue.add(t);
    return t;
  }

  /** Runs the next task that was not cancelled; false when there is none left. */
  boolean step() {
    Task t = queue.poll();
    while (t != null && t.cancelled) {
      t = queue.poll();
    }
    if (t == null) {
      return false;
    }
    now = t.time;
    t.done = true;
    steps++;
    trace.add(now, t.label);
    t.action.run();
    return true;
  }
}
