package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.exec.Scheduler;
import java.time.Duration;

/**
 * One coordinator process's lane of work on the virtual event loop: what a single-threaded executor is in the daemon
 * ({@code ThreadScheduler}). Tasks run in submission order, each as its own step of the loop (never inside the caller),
 * and not at all once the process has died.
 */
final class SimLane implements Scheduler {
  private final World w;
  private final Network.Caller owner;
  private final String label;

  SimLane(World w, Network.Caller owner, String lane) {
    this.w = w;
    this.owner = owner;
    this.label = owner.name() + " [" + lane + "]";
  }

  @Override
  public void execute(Runnable task) {
    w.loop.at(0, label, guarded(task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    EventLoop.Task t = w.loop.at(delay.toNanos(), label + " after " + delay.toMillis() + "ms", guarded(task));
    return t::cancel;
  }

  private Runnable guarded(Runnable task) {
    return () -> {
      if (owner.alive()) {
        task.run();
      }
    };
  }
}
