package io.groupsnap.devkit.workload;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An in-process application taking part as a writer: freezing closes its {@link Gate} (the update in progress
 * finishes first), thawing opens it. Like a well-behaved application it releases by itself at the lease deadline
 * it was given, and then reports the hold as broken at thaw.
 */
public final class GateWriter implements Writer {
  private final String name;
  private final Gate gate;
  private final ScheduledExecutorService timer;
  private final Duration maxWait;
  private ScheduledFuture<?> selfRelease;
  private volatile boolean releasedAlone;

  public GateWriter(String name, Gate gate, ScheduledExecutorService timer, Duration maxWait) {
    this.name = name;
    this.gate = gate;
    this.timer = timer;
    this.maxWait = maxWait;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "embedded";
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
    return WriterResult.OK;
  }

  @Override
  public synchronized WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    try {
      if (!gate.close(maxWait)) {
        return WriterResult.retryable(name + ": update in progress did not finish within " + maxWait.toMillis()
            + "ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return WriterResult.retryable(name + ": interrupted");
    }
    releasedAlone = false;
    long delay = Math.max(0, Duration.between(Instant.now(), leaseDeadline).toNanos());
    selfRelease = timer.schedule(() -> {
      releasedAlone = true;
      gate.open();
    }, delay, TimeUnit.NANOSECONDS);
    return WriterResult.OK;
  }

  @Override
  public synchronized WriterResult thaw(TxnContext txn) {
    if (selfRelease != null) {
      selfRelease.cancel(false);
    }
    gate.open();
    return releasedAlone ? WriterResult.nonRetryable(name + " released by itself at its lease deadline")
        : WriterResult.OK;
  }

  @Override
  public synchronized void abort(TxnContext txn) {
    if (selfRelease != null) {
      selfRelease.cancel(false);
    }
    gate.open();
  }
}
