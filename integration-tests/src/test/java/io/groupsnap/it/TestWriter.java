package io.groupsnap.it;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A scriptable application writer: counts calls, says whether it holds, and misbehaves on request. */
final class TestWriter implements Writer {
  final AtomicInteger prepares = new AtomicInteger();
  final AtomicInteger freezes = new AtomicInteger();
  final AtomicInteger thaws = new AtomicInteger();
  final AtomicInteger aborts = new AtomicInteger();
  volatile boolean holding;
  volatile WriterResult prepareAnswer = WriterResult.OK;
  volatile WriterResult thawAnswer = WriterResult.OK;
  /** When set, freeze waits for it (at most 30 s): a slow application. */
  volatile CountDownLatch freezeGate;

  @Override
  public String name() {
    return "test-app";
  }

  @Override
  public String kind() {
    return "test";
  }

  @Override
  public int tier() {
    return 0;
  }

  @Override
  public Set<String> volumes() {
    return Set.of();
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    prepares.incrementAndGet();
    return prepareAnswer;
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    freezes.incrementAndGet();
    holding = true;
    CountDownLatch gate = freezeGate;
    if (gate != null) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return WriterResult.OK;
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    thaws.incrementAndGet();
    holding = false;
    return thawAnswer;
  }

  @Override
  public void abort(TxnContext txn) {
    aborts.incrementAndGet();
    holding = false;
  }
}
