package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background stage of one in-place restore on this agent: each volume's capture materialized at its staged
 * place ({@link LiveSwitch#staged}), its state per volume for GetRestore, and its cancellation. A volume is
 * marked staged in the journal (through {@link Done}) only once its tree is complete, so a tree a killed agent left
 * half-written is never switched to: it is removed and staged again, or discarded. Thread-safe.
 */
final class InPlaceStage {
  private static final Logger log = LoggerFactory.getLogger(InPlaceStage.class);

  /** Told when a volume is completely staged; answers false when the restore was cancelled meanwhile. */
  @FunctionalInterface
  interface Done {
    boolean staged(String volume) throws IOException;
  }

  private final String agentId;
  private final String restoreId;
  private final Map<String, MemberRestore> volumes = new TreeMap<>();
  private final List<Future<?>> tasks = new ArrayList<>();
  private final List<CompletableFuture<Void>> running = new ArrayList<>();
  private boolean cancelled;
  /** Hit as each volume's stage starts: a test's injected failure fails that volume's stage. */
  private final Runnable fault;

  InPlaceStage(String agentId, String restoreId, List<MemberRestore> initial, Runnable fault) {
    this.fault = fault;
    this.agentId = agentId;
    this.restoreId = restoreId;
    initial.forEach(m -> volumes.put(m.getVolume(), m));
  }

  synchronized List<MemberRestore> status() {
    return List.copyOf(volumes.values());
  }

  synchronized MemberRestore status(String volume) {
    return volumes.get(volume);
  }

  /** Removes what an unfinished or failed stage left (a tree, a clone). */
  @FunctionalInterface
  interface Clear {
    void clear() throws IOException;
  }

  /** Starts staging {@code plan} at {@code staged} on {@code workers}; {@code clear} removes a partial stage. */
  synchronized void start(ExecutorService workers, RestorePlan plan, Path staged, Clear clear, Done done) {
    tasks.add(workers.submit(() -> run(plan, staged, clear, done)));
  }

  private void run(RestorePlan p, Path staged, Clear clear, Done done) {
    CompletableFuture<Void> finished = new CompletableFuture<>();
    synchronized (this) {
      if (cancelled) {
        return;
      }
      running.add(finished);
    }
    long t0 = System.nanoTime();
    MemberRestore.Builder m = status(p.volume()).toBuilder();
    try {
      fault.run();
      clear.clear(); // what a killed agent left half-written
      if (Thread.currentThread().isInterrupted()) {
        throw new IOException("cancelled");
      }
      String method = p.restorer().materialize(staged);
      long bytes = p.restorer().bytes() >= 0 ? p.restorer().bytes() : CaptureTree.size(staged, null);
      m.setMethod(method).setBytes(bytes);
      if (!done.staged(p.volume())) {
        throw new IOException("cancelled");
      }
      m.setState(RestoreState.RESTORE_DONE);
      log.info("agent {}: staged volume {} of in-place restore {} at {} ({}, {} bytes)", agentId, p.volume(),
          restoreId, staged, method, bytes);
    } catch (VolumeException | IOException | RuntimeException e) {
      m.setState(RestoreState.RESTORE_FAILED).setError(RestoreManager.oneLine(e.getMessage()));
      log.warn("agent {}: stage of volume {} of in-place restore {} at {} failed: {}", agentId, p.volume(),
          restoreId, staged, e.getMessage());
      try {
        clear.clear();
      } catch (IOException ignored) {
        // a later stage or the discard removes it
      }
    } finally {
      m.setDurationMillis((System.nanoTime() - t0) / 1_000_000);
      synchronized (this) {
        volumes.put(p.volume(), m.build());
      }
      finished.complete(null);
    }
  }

  /** Whether any volume is still being staged. */
  synchronized boolean busy() {
    return volumes.values().stream().anyMatch(m -> m.getState() == RestoreState.RESTORE_RUNNING);
  }

  /**
   * Cancels the stage: volumes not started yet never start, running ones are interrupted, and this returns once none
   * runs any more (a copy that does not heed the interrupt is waited for), so the caller may remove the trees.
   */
  void cancelAndWait() {
    List<CompletableFuture<Void>> wait;
    synchronized (this) {
      cancelled = true;
      tasks.forEach(t -> t.cancel(true));
      wait = List.copyOf(running);
    }
    for (CompletableFuture<Void> f : wait) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        // never completed exceptionally
      }
    }
  }
}
