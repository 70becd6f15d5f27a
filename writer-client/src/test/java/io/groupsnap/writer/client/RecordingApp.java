package io.groupsnap.writer.client;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test application behind the real client library: records every callback, answers as told, and tracks whether it
 * holds its writes now.
 */
class RecordingApp implements Handler {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile Outcome prepare = Outcome.OK;
  volatile Outcome freeze = Outcome.OK;
  volatile boolean holding;
  volatile Instant deadline;
  volatile Instant releasedAt;
  /** When set, freeze (or prepare) blocks on it: a slow application. */
  volatile CountDownLatch slowFreeze;
  volatile CountDownLatch slowPrepare;

  @Override
  public Outcome prepare(Txn txn) {
    calls.add("prepare " + txn.id());
    block(slowPrepare);
    return prepare;
  }

  @Override
  public Outcome freeze(Txn txn, Instant leaseDeadline) {
    calls.add("freeze " + txn.id());
    deadline = leaseDeadline;
    block(slowFreeze);
    holding = freeze.ok();
    return freeze;
  }

  @Override
  public Outcome thaw(Txn txn) {
    calls.add("thaw " + txn.id());
    releasedAt = Instant.now();
    holding = false;
    return Outcome.OK;
  }

  @Override
  public Outcome abort(Txn txn) {
    calls.add("abort " + txn.id());
    return Outcome.OK;
  }

  @Override
  public Outcome committed(Txn txn) {
    calls.add("committed " + txn.id());
    return Outcome.OK;
  }

  private static void block(CountDownLatch gate) {
    if (gate == null) {
      return;
    }
    try {
      gate.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
