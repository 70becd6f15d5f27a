package io.groupsnap.agent.txn;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** A writer that records every call and answers as told; {@link #holding} says whether it is frozen now. */
final class RecordingWriter implements Writer {
  final List<String> calls = new CopyOnWriteArrayList<>();
  /** Shared between writers, to check the order across them. */
  final List<String> order;
  volatile WriterResult prepare = WriterResult.OK;
  volatile WriterResult freeze = WriterResult.OK;
  volatile WriterResult thaw = WriterResult.OK;
  volatile boolean holding;
  /** When set, freeze blocks on it: a slow application. */
  volatile java.util.concurrent.CountDownLatch freezeGate;
  private final String name;
  private final int tier;

  RecordingWriter(String name, int tier, List<String> order) {
    this.name = name;
    this.tier = tier;
    this.order = order;
  }

  private void record(String call) {
    calls.add(call);
    order.add(name + ":" + call);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "test";
  }

  @Override
  public int tier() {
    return tier;
  }

  @Override
  public Set<String> volumes() {
    return Set.of();
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    record("prepare");
    return prepare;
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    record("freeze");
    holding = freeze.ok();
    java.util.concurrent.CountDownLatch gate = freezeGate;
    if (gate != null) {
      try {
        gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return freeze;
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    record("thaw");
    holding = false;
    return thaw;
  }

  @Override
  public void committed(TxnContext txn) {
    calls.add("committed");
  }

  @Override
  public void abort(TxnContext txn) {
    record("abort");
    holding = false;
  }
}
