package io.groupsnap.coordinator.txn;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record writes of one transaction: each is started on a pool shared by every transaction, but only once the
 * write asked for before it has completed and its outcome has been handled. So writes of different transactions
 * overlap (each lane blocks a pool thread of its own on its ZooKeeper round trip), while one transaction's writes stay
 * one at a time and in the order it asked for them (issue 14: the one store-writer thread made every transaction wait
 * for every other one's writes). Thread-safe.
 */
final class WriteLane {
  private static final Logger log = LoggerFactory.getLogger(WriteLane.class);

  private final Executor pool;
  /** Completes once the last write asked for so far has completed and its outcome was handled. */
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  /** @param pool where the writes run; several threads, so that lanes run side by side */
  WriteLane(Executor pool) {
    this.pool = pool;
  }

  /**
   * Starts {@code write} on the pool once every write enqueued before it has completed.
   *
   * @param write starts the write; its future completes once the write's outcome has been handled (the next write of
   *     this lane waits for it). A write that throws counts as completed.
   */
  synchronized void enqueue(Supplier<CompletableFuture<?>> write) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    tail.whenComplete((ignored, alsoIgnored) -> {
      try {
        pool.execute(() -> run(write, done));
      } catch (RejectedExecutionException e) {
        // the coordinator is closing: the write is dropped with the pool, as a queued write always was
        log.debug("record write dropped: the store writers are shut down");
        done.complete(null);
      }
    });
    tail = done;
  }

  private static void run(Supplier<CompletableFuture<?>> write, CompletableFuture<Void> done) {
    CompletableFuture<?> w;
    try {
      w = write.get();
    } catch (RuntimeException | Error e) {
      log.error("a record write failed to start", e);
      done.complete(null);
      return;
    }
    w.whenComplete((ignored, alsoIgnored) -> done.complete(null));
  }
}
