package io.groupsnap.devkit.workload;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Helpers the workloads share for their gates and threads. */
final class Gates {
  private Gates() {}

  /** A new, open gate per agent. */
  static Map<String, Gate> fresh(Collection<String> agents) {
    Map<String, Gate> gates = new LinkedHashMap<>();
    agents.forEach(a -> gates.put(a, new Gate()));
    return gates;
  }

  static Gate require(Map<String, Gate> gates, String agent) {
    Gate g = gates.get(agent);
    if (g == null) {
      throw new IllegalArgumentException("no gate for agent " + agent);
    }
    return g;
  }

  /** Joins every thread against one deadline; true when all have ended. */
  static boolean join(List<Thread> threads, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
    }
    return threads.stream().noneMatch(Thread::isAlive);
  }
}
