package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.coordinator.txn.UncertainWriteException;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One coordinator process's use of the {@link SimStore}, as {@code Coordinator} and {@code ClusterStore} do it: the
 * record versions this process last wrote, every write fenced by the term ({@link SimStore.Fence}), a failed write
 * read back before it is reported (equal bytes: an earlier attempt landed), an unknown outcome reported as
 * {@link UncertainWriteException}. Each transaction's writes run one after another on a "zk-writer" lane of its own
 * (the daemon's pool of store writers: writes of different transactions overlap), with the term that is current
 * when each starts, and a record of another epoch than that term's is refused (as {@code LeaderTxnStore#persist}
 * does); the epoch uses the "leadership" lane, and the writes of the {@code Resolver} and the
 * {@code Deleter} (recovery, periodic resolution, deletions) the "resolver" lane, as in the daemon.
 * Writes take time, and while the run is active they may be slow, fail or end in doubt. A write in flight when the
 * process dies still lands; queued ones are lost with it.
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
  /** The "zk-writer" lane of each transaction, by id. */
  private final Map<String, Lane> writers = new TreeMap<>();
  private final Lane leadership = new Lane("leadership");
  private final Lane resolver = new Lane("resolver");

  StoreClient(World w, SimCoordinator owner) {
    this.w = w;
    this.owner = owner;
  }

  /**
   * Writes a transaction record for {@code state}, as {@code LeaderTxnStore#persist}: the future completes when it
   * landed, or exceptionally as that one's does (never, if this process dies first). The term is the one current when
   * the write starts, as {@code LeaderTxnStore} reads it, and must be the record's own.
   */
  CompletableFuture<Void> persist(TxnState state, GroupSnapshot rec) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Lane writer = writers.computeIfAbsent(rec.getId(), id -> new Lane("zk-writer " + id));
    writer.submit("write " + rec.getId() + " for " + state, () -> {
      SimCoordinator.Term t = owner.term();
      if (t == null) {
        return () -> new FencedWriteException("not the leader any more", null);
      }
      if (t.epoch() != rec.getEpoch()) {
        return () -> new FencedWriteException("transaction of epoch " + rec.getEpoch() + " cannot be written in "
            + "epoch " + t.epoch(), null);
      }
      return () -> {
        String id = rec.getId();
        if (state == TxnState.BEGINNING) {
          return write(rec, s -> s.create(rec, t.fence()), () -> versions.put(id, 0));
        }
        Integer v = versions.get(id);
        if (v == null) {
          return new IllegalStateException("transaction " + id + " was not created or adopted by this coordinator");
        }
        if (state == TxnState.COMMITTING) {
          return write(rec, s -> s.commit(rec, v, t.fence()), () -> versions.put(id, v + 1));
        }
        return write(rec, s -> s.update(rec, v, t.fence()), () -> versions.put(id, v + 1));
      };
    }, e -> {
      if (e == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * As {@code ClusterStore#replaceTxn}: reads the record when the write starts and, if {@code expected} still holds
   * of it, writes {@code change} of it at the version read (a write landing in between makes this one fail). The
   * versions of this process's own transactions are left alone. {@code done} gets the record written, or null when
   * there was nothing to do (no record, or {@code expected} no longer holds), or the failure.
   */
  void replace(String id, Predicate<GroupSnapshot> expected, UnaryOperator<GroupSnapshot> change,
      SimCoordinator.Term term, BiConsumer<GroupSnapshot, Exception> done) {
    replaceOn(id, expected, change, term, false, null, done);
  }

  /**
   * A deletion's first step ({@code ClusterStore#markDeleting}): COMMITTED becomes DELETING; one DELETING already is
   * done as it is. {@code done} gets the record as it is then, or the failure.
   */
  void markDeleting(String id, SimCoordinator.Term term, BiConsumer<GroupSnapshot, Exception> done) {
    replaceOn(id, r -> r.getState() == GroupSnapshotState.COMMITTED,
        r -> r.toBuilder().setState(GroupSnapshotState.DELETING).build(), term, true, GroupSnapshotState.DELETING,
        done);
  }

  /** The last step of a deletion ({@code ClusterStore#markDeleted}): DELETING becomes DELETED. */
  void markDeleted(String id, SimCoordinator.Term term, BiConsumer<GroupSnapshot, Exception> done) {
    replaceOn(id, r -> r.getState() == GroupSnapshotState.DELETING,
        r -> r.toBuilder().setState(GroupSnapshotState.DELETED).setFinishedAtMillis(owner.clock().millis()).build(),
        term, false, GroupSnapshotState.DELETED, done);
  }

  /**
   * On the "resolver" lane, where the production {@code Resolver} and {@code Deleter} make their writes.
   *
   * @param already when {@code expected} does not hold: a record in this state counts as done, any other as an
   *     {@link IllegalStateException}; null when nothing to do is simply done
   */
  private void replaceOn(String id, Predicate<GroupSnapshot> expected, UnaryOperator<GroupSnapshot> change,
      SimCoordinator.Term term, boolean deleting, GroupSnapshotState already,
      BiConsumer<GroupSnapshot, Exception> done) {
    GroupSnapshot[] result = new GroupSnapshot[1];
    resolver.submit("replace " + id, () -> {
      Optional<SimStore.Versioned> now = w.store.txn(id);
      if (now.isEmpty() || !expected.test(now.get().record())) {
        boolean fine = already == null || now.map(v -> v.record().getState() == already).orElse(false);
        Exception e = fine ? null : new IllegalStateException("group snapshot " + id + " is "
            + now.map(v -> v.record().getState().toString()).orElse("without a record"));
        result[0] = already == null ? null : now.map(SimStore.Versioned::record).orElse(null);
        return () -> e;
      }
      GroupSnapshot next = change.apply(now.get().record());
      int v = now.get().version();
      return () -> {
        Exception e = write(next, deleting ? s -> s.markDeleting(next, v, term.fence())
            : s -> s.update(next, v, term.fence()), () -> { });
        result[0] = e == null ? next : null;
        return e;
      };
    }, e -> done.accept(result[0], e));
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
    double r = w.quiet() ? 1 : w.rnd.nextDouble();
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
    if (!w.quiet() && w.chance(w.plan.storeSlow())) {
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
