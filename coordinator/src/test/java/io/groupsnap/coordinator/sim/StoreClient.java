package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.txn.TxnEvent;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.coordinator.txn.UncertainWriteException;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One coordinator process's use of the {@link SimStore}, as {@code Coordinator} and {@code ClusterStore} do it: the
 * record versions this process last wrote, a failed write read back before it is reported (equal bytes: an earlier
 * attempt landed), an unknown outcome reported as {@link UncertainWriteException}. Transaction writes run one after
 * another on the "zk-writer" lane with the term that is current when each starts (as {@code Coordinator#persist}
 * does); the epoch and recovery use the "leadership" lane. Writes take time, and may be slow, fail or end in doubt.
 * A write in flight when the process dies still lands; queued ones are lost with it.
 */
final class StoreClient {
  /** One write's effect on the store. */
  @FunctionalInterface
  private interface Op {
    void apply(SimStore store) throws SimStore.Refused;
  }

  private final World w;
  private final SimCoordinator owner;
  private final Map<String, Integer> versions = new TreeMap<>();
  private final Lane writer = new Lane("zk-writer");
  private final Lane leadership = new Lane("leadership");

  StoreClient(World w, SimCoordinator owner) {
    this.w = w;
    this.owner = owner;
  }

  /**
   * Writes a transaction record for {@code state}; {@code done} gets Persisted or PersistFailed. The term is the one
   * current when the write starts, as {@code Coordinator#persist} reads it.
   */
  void persist(TxnState state, GroupSnapshot rec, Consumer<TxnEvent> done) {
    writer.submit("write " + rec.getId() + " for " + state, () -> {
      SimCoordinator.Term t = owner.term();
      if (t == null) {
        return () -> new IllegalStateException("not the leader any more");
      }
      return () -> {
        String id = rec.getId();
        if (state == TxnState.BEGINNING) {
          return write(rec, s -> s.create(rec, t.latch(), t.epoch()), () -> versions.put(id, 0));
        }
        Integer v = versions.get(id);
        if (v == null) {
          return new IllegalStateException("transaction " + id + " was not created or adopted by this coordinator");
        }
        if (state == TxnState.COMMITTING) {
          return write(rec, s -> s.commit(rec, v, t.latch(), t.epoch()), () -> versions.remove(id));
        }
        return write(rec, s -> s.update(rec, v, t.latch(), t.epoch()), () -> versions.put(id, v + 1));
      };
    }, e -> done.accept(e == null ? new TxnEvent.Persisted(state)
        : new TxnEvent.PersistFailed(state, String.valueOf(e.getMessage()), !(e instanceof UncertainWriteException))));
  }

  /** Recovery: adopts a leftover record's version and writes it ABORTED under {@code term}. */
  void abortLeftover(GroupSnapshot aborted, SimCoordinator.Term term, Consumer<Exception> done) {
    String id = aborted.getId();
    leadership.submit("abort leftover " + id, () -> {
      w.store.txn(id).ifPresent(v -> versions.put(id, v.version()));
      Integer v = versions.get(id);
      if (v == null) {
        return () -> new IllegalStateException("transaction " + id + " was not created or adopted by this "
            + "coordinator");
      }
      return () -> write(aborted, s -> s.update(aborted, v, term.latch(), term.epoch()), () -> versions.put(id, v + 1));
    }, done);
  }

  /** Raises the epoch, fenced by {@code latch}; {@code done} gets the new epoch, or empty when refused. */
  void bumpEpoch(long latch, Consumer<OptionalLong> done) {
    long[] epoch = new long[1];
    leadership.submit("raise the epoch", () -> () -> {
      try {
        epoch[0] = w.store.bumpEpoch(latch);
        return null;
      } catch (SimStore.Refused e) {
        return new FencedWriteException("could not raise the epoch: " + e.getMessage(), null);
      }
    }, e -> done.accept(e == null ? OptionalLong.of(epoch[0]) : OptionalLong.empty()));
  }

  private Exception write(GroupSnapshot rec, Op op, Runnable bookkeeping) {
    double r = w.rnd.nextDouble();
    String refusal;
    if (r < w.plan.storeUncertain()) {
      w.stats.fault(SimStats.Fault.STORE_WRITE_UNCERTAIN);
      if (w.rnd.nextBoolean()) {
        try {
          op.apply(w.store);
        } catch (SimStore.Refused ignored) {
          // it did not land after all
        }
      }
      return new UncertainWriteException("write of " + rec.getId() + " failed (connection loss, simulated) and "
          + "reading it back failed too", null);
    } else if (r < w.plan.storeUncertain() + w.plan.storeRefused()) {
      w.stats.fault(SimStats.Fault.STORE_WRITE_REFUSED);
      refusal = "ConnectionLoss (simulated), not applied";
    } else {
      try {
        op.apply(w.store);
        bookkeeping.run();
        return null;
      } catch (SimStore.Refused e) {
        refusal = e.getMessage();
      }
    }
    Optional<SimStore.Versioned> now = w.store.txn(rec.getId());
    if (now.isPresent() && now.get().record().equals(rec)) {
      bookkeeping.run();
      return null;
    }
    w.stats.count(SimStats.Outcome.FENCED_STORE_WRITES);
    w.note(owner.name() + ": write of " + rec.getId() + " refused: " + refusal);
    return new FencedWriteException("write of " + rec.getId() + " refused: " + refusal, null);
  }

  private long latency() {
    if (w.chance(w.plan.storeSlow())) {
      w.stats.fault(SimStats.Fault.STORE_WRITE_SLOW);
      return w.between(20 * FaultPlan.MS, 300 * FaultPlan.MS);
    }
    return w.between(100_000, w.plan.maxStoreLatencyNanos());
  }

  /**
   * Operations run one at a time, like a single-threaded executor. An operation is prepared when it starts (reading
   * what it needs, such as the current term) and lands in the store when its latency has passed.
   */
  private final class Lane {
    private final String name;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean busy;

    Lane(String name) {
      this.name = name;
    }

    void submit(String what, Supplier<Supplier<Exception>> start, Consumer<Exception> done) {
      queue.add(() -> {
        Supplier<Exception> work = start.get();
        w.loop.at(latency(), owner.name() + " " + name + ": " + what, () -> {
          Exception e = work.get();
          busy = false;
          if (owner.alive()) {
            done.accept(e);
            next();
          }
        });
      });
      next();
    }

    private void next() {
      if (!busy && owner.alive() && !queue.isEmpty()) {
        busy = true;
        queue.poll().run();
      }
    }
  }
}
