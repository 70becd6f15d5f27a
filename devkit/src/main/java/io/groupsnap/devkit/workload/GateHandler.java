package io.groupsnap.devkit.workload;

import io.groupsnap.writer.client.Handler;
import io.groupsnap.writer.client.Outcome;
import io.groupsnap.writer.client.Restore;
import io.groupsnap.writer.client.Txn;
import java.time.Duration;
import java.time.Instant;

/**
 * A demo workload as a real application would take part: through the writer client library, subscribed to its
 * agent's socket. Freezing closes its {@link Gate} (the update in progress finishes first); thawing opens it. The
 * client library releases by itself at the lease deadline if THAW never comes. An in-place restore is handed to the
 * cluster's {@link WorkloadController}: the first preRestore stops both workloads, the last postRestore starts them
 * again from what the volumes hold.
 */
final class GateHandler implements Handler {
  private final String name;
  private final Gate gate;
  private final Duration maxWait;
  private final WorkloadController controller;

  GateHandler(String name, Gate gate, Duration maxWait, WorkloadController controller) {
    this.name = name;
    this.gate = gate;
    this.maxWait = maxWait;
    this.controller = controller;
  }

  @Override
  public Outcome freeze(Txn txn, Instant leaseDeadline) {
    try {
      if (!gate.close(maxWait)) {
        return Outcome.retryable(name + ": update in progress did not finish within " + maxWait.toMillis() + "ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.retryable(name + ": interrupted");
    }
    return Outcome.OK;
  }

  @Override
  public Outcome thaw(Txn txn) {
    gate.open();
    return Outcome.OK;
  }

  @Override
  public Outcome preRestore(Restore restore) {
    return controller.preRestore(name, restore);
  }

  @Override
  public Outcome postRestore(Restore restore) {
    return controller.postRestore(name, restore);
  }
}
