package io.groupsnap.it.cluster;

import io.groupsnap.devkit.workload.Gate;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WorkloadNode}'s side of the writer protocol: {@code freeze} closes every gate (the updates in progress
 * finish first) and holds until {@code thaw}, {@code abort} or the lease deadline, whichever comes first. Like a
 * well-behaved application it releases by itself at the deadline, and then answers the late {@code thaw} with an error
 * so that the agent counts the hold as broken. Every hold is recorded in the {@link HoldsFile}.
 *
 * <p>Answers are single lines: {@code ok}, {@code busy ...} (try again later) or {@code error ...}. Thread-safe: the
 * commands and the self-release are serialized on this object.
 */
final class HoldKeeper {
  private static final Duration GATE_WAIT = Duration.ofSeconds(2);
  private static final int REMEMBERED = 64;

  private final List<Gate> gates;
  private final HoldsFile holds;
  private final ScheduledExecutorService timer;
  private final Map<String, String> ended = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > REMEMBERED;
    }
  };
  private Hold current;
  private long count;
  private volatile long freezeAnswerDelayMillis;

  private record Hold(String txn, long start, long deadline, ScheduledFuture<?> selfRelease) {}

  HoldKeeper(List<Gate> gates, HoldsFile holds, ScheduledExecutorService timer) {
    this.gates = List.copyOf(gates);
    this.holds = holds;
    this.timer = timer;
  }

  synchronized String freeze(long deadline, String txn) throws IOException, InterruptedException {
    // Object.wait in a slow answer releases this monitor, so thaw, abort and the self-release still get through.
    if (current != null) {
      return current.txn().equals(txn) ? "ok" : "busy holding for " + current.txn();
    }
    long start = System.currentTimeMillis();
    if (deadline <= start) {
      return "error lease deadline " + deadline + " has already passed";
    }
    for (int i = 0; i < gates.size(); i++) {
      if (!gates.get(i).close(GATE_WAIT)) {
        gates.subList(0, i).forEach(Gate::open);
        return "busy an update did not finish within " + GATE_WAIT.toMillis() + "ms";
      }
    }
    try {
      holds.begin(txn, start, deadline);
    } catch (IOException e) {
      gates.forEach(Gate::open);
      throw e;
    }
    long delay = Math.max(0, deadline - System.currentTimeMillis());
    current = new Hold(txn, start, deadline, timer.schedule(() -> selfRelease(txn), delay, TimeUnit.MILLISECONDS));
    count++;
    long slow = freezeAnswerDelayMillis;
    if (slow > 0) {
      wait(slow); // a slow application: holding already, answering late (thaw and abort may interrupt the wait)
    }
    return current != null && current.txn().equals(txn) ? "ok" : "error hold for " + txn + " already ended by "
        + ended.get(txn);
  }

  /** Fault injection: from now on, answer {@code freeze} only {@code millis} after the hold was taken. */
  private boolean failThaw;

  void slowFreezeAnswers(long millis) {
    freezeAnswerDelayMillis = millis;
  }

  synchronized void failNextThaw() {
    failThaw = true;
  }

  synchronized String thaw(String txn) throws IOException {
    if (current != null && current.txn().equals(txn)) {
      release("thaw");
      if (failThaw) {
        failThaw = false;
        return "error the application could not resume cleanly";
      }
      return "ok";
    }
    String how = ended.get(txn);
    if (how == null) {
      return "error not holding for " + txn;
    }
    return how.equals("thaw") ? "ok" : "error hold for " + txn + " ended by " + how;
  }

  synchronized String abort(String txn) throws IOException {
    if (current != null && current.txn().equals(txn)) {
      release("abort");
    }
    return "ok";
  }

  /** Releases whatever is held (the node is shutting down). */
  synchronized void releaseAll(String how) throws IOException {
    if (current != null) {
      release(how);
    }
  }

  synchronized boolean holding() {
    return current != null;
  }

  synchronized long count() {
    return count;
  }

  private synchronized void selfRelease(String txn) {
    if (current != null && current.txn().equals(txn)) {
      try {
        release("lease-expired");
      } catch (IOException e) {
        System.out.println("could not record the end of the hold for " + txn + ": " + e);
      }
    }
  }

  private void release(String how) throws IOException {
    Hold h = current;
    current = null;
    notifyAll();
    h.selfRelease().cancel(false);
    gates.forEach(Gate::open);
    ended.put(h.txn(), how);
    holds.end(h.txn(), h.start(), System.currentTimeMillis(), h.deadline(), how);
    System.out.println("hold for " + h.txn() + " ended by " + how + " after "
        + (System.currentTimeMillis() - h.start()) + "ms");
  }
}
