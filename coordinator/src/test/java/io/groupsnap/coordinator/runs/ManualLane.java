package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.exec.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.PriorityQueue;

/**
 * A lane and its clock driven by the test: tasks run only when the test drains them, timers only when it advances
 * virtual time. Tasks may be queued from any thread; they run on the test's.
 */
public final class ManualLane extends Clock implements Scheduler {
  private record Timed(long at, long seq, Runnable task, boolean[] cancelled) {}

  private final Deque<Runnable> ready = new ArrayDeque<>();
  private final PriorityQueue<Timed> timers = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
      : Long.compare(a.seq, b.seq));
  private long now = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
  private long seq;

  @Override
  public synchronized void execute(Runnable task) {
    ready.add(task);
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    timers.add(new Timed(now + delay.toMillis(), seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Runs every ready task, including those they queue. */
  public void drain() {
    while (true) {
      Runnable r;
      synchronized (this) {
        r = ready.poll();
      }
      if (r == null) {
        return;
      }
      r.run();
    }
  }

  /** Moves time forward by {@code d}, running each timer when its time comes (and what it queues). */
  public void advance(Duration d) {
    long target = now + d.toMillis();
    drain();
    while (true) {
      Timed t;
      synchronized (this) {
        t = timers.peek();
        if (t == null || t.at > target) {
          break;
        }
        timers.poll();
        now = Math.max(now, t.at);
      }
      if (!t.cancelled[0]) {
        t.task.run();
      }
      drain();
    }
    now = target;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public synchronized Instant instant() {
    return Instant.ofEpochMilli(now);
  }

  @Override
  public synchronized long millis() {
    return now;
  }
}
