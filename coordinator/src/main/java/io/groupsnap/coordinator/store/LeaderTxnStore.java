package io.groupsnap.coordinator.store;

import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's transaction records in ZooKeeper, for its {@link TransactionDriver}: each write is fenced by the
 * leadership term current when it starts, and a record of another epoch than that term's is refused (a transaction
 * started in an earlier term of this process must not write in a later one). Every 50th final record (COMMITTED or
 * ABORTED) it prunes old records.
 *
 * <p>Blocking: {@link #persist} does the ZooKeeper write on the caller's thread (one of the driver's store writers)
 * and returns a completed future. Writes of different transactions may run at the same time on different threads:
 * each is one fenced multi-op of that transaction's own nodes ({@link ClusterStore} is thread-safe), and its term is
 * read when it starts, as with one writer thread. At most one prune runs at a time; a final record met while one runs
 * leaves the count to the next.
 */
public final class LeaderTxnStore implements TransactionDriver.TxnStore {
  private static final Logger log = LoggerFactory.getLogger(LeaderTxnStore.class);
  /** Finished records between two prunes. */
  static final int PRUNE_EVERY = 50;

  /**
   * A leadership term as the writes need it.
   *
   * @param epoch the epoch it raised
   * @param fence what every write of the term is checked against
   */
  public record Term(long epoch, ClusterStore.Fence fence) {}

  private final ClusterStore store;
  private final Supplier<Optional<Term>> term;
  private final Duration retention;
  private final int keep;
  private final AtomicInteger finishedSincePrune = new AtomicInteger();
  private final AtomicBoolean pruning = new AtomicBoolean();

  /**
   * @param term the term this process leads now, if any
   * @param retention final records older than this are pruned
   * @param keep at most this many final records are kept
   */
  public LeaderTxnStore(ClusterStore store, Supplier<Optional<Term>> term, Duration retention, int keep) {
    this.store = store;
    this.term = term;
    this.retention = retention;
    this.keep = keep;
  }

  @Override
  public CompletableFuture<Void> persist(TxnState state, GroupSnapshot record) {
    try {
      write(state, record);
      return CompletableFuture.completedFuture(null);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void write(TxnState s, GroupSnapshot record) throws Exception {
    Term t = term.get().orElseThrow(() -> new FencedWriteException("not the leader any more"));
    if (t.epoch() != record.getEpoch()) {
      throw new FencedWriteException("transaction of epoch " + record.getEpoch() + " cannot be written in epoch "
          + t.epoch());
    }
    switch (s) {
      case BEGINNING -> store.createTxn(record, t.fence());
      case COMMITTING -> store.commitTxn(record, t.fence());
      default -> store.updateTxn(record, t.fence());
    }
    if (s == TxnState.COMMITTED || s == TxnState.ABORTED) {
      pruneSometimes(t);
    }
  }

  private void pruneSometimes(Term t) {
    if (finishedSincePrune.incrementAndGet() % PRUNE_EVERY == 0 && pruning.compareAndSet(false, true)) {
      try {
        store.pruneRecords(t.fence(), retention, keep);
      } catch (Exception e) {
        log.warn("could not prune old transaction records: {}", e.toString());
      } finally {
        pruning.set(false);
      }
    }
  }
}
