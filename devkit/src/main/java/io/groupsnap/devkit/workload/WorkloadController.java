package io.groupsnap.devkit.workload;

import io.groupsnap.writer.client.Outcome;
import io.groupsnap.writer.client.Restore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs both demo workloads across every agent of a cluster and takes them through an in-place restore, which the
 * agents announce to each writer on each agent ({@link GateHandler}):
 *
 * <pre>
 *   RUNNING ──first preRestore──► STOPPED ──last postRestore──► RUNNING (rebuilt from the volumes)
 *      └──────────────┴──close──► CLOSED
 * </pre>
 *
 * <p>The first preRestore stops both workloads entirely, since a transfer spans agents: every thread has finished
 * what it was doing and ended before the answer, so nothing writes to any volume afterwards; the transfers the
 * workers held in memory are abandoned (the logs keep them). Later preRestores answer OK at once. Each postRestore
 * marks its (agent, writer) started again; once every one asked to stop has been (on the forward path every member's
 * postRestore, since the coordinator starts writers only after all have stopped and switched), both workloads are
 * rebuilt from what the volumes hold now — the restored cut, or the old data when the restore was cancelled or rolled
 * back — and started: the header-count files rewritten, the ledger recovered from its logs
 * ({@link LedgerRecovery}). The gates the writers hold through outlive the workloads, and are left open.
 *
 * <p>Thread-safe: every agent's writer clients call in on their own threads; calls are serialised.
 */
final class WorkloadController implements AutoCloseable {
  /** Where the workloads stand. */
  enum State { RUNNING, STOPPED, CLOSED }

  private final Map<String, Path> volumes;
  private final Map<String, Gate> headerGates;
  private final Map<String, Gate> ledgerGates;
  private final int ledgerWorkers;
  private final Duration stopWait;
  private final Set<String> held = new HashSet<>();
  private final Set<String> reported = new TreeSet<>();
  private State state = State.RUNNING;
  private String restoreId = "";
  private HeaderCountWorkload headers;
  private LedgerWorkload ledger;
  private long pastUpdates;
  private long pastTransfers;
  private int restarts;
  private boolean started;

  private WorkloadController(Map<String, Path> volumes, int ledgerWorkers, Duration stopWait) throws IOException {
    this.volumes = Collections.unmodifiableMap(new LinkedHashMap<>(volumes));
    this.headerGates = Gates.fresh(volumes.keySet());
    this.ledgerGates = Gates.fresh(volumes.keySet());
    this.ledgerWorkers = ledgerWorkers;
    this.stopWait = stopWait;
    this.headers = new HeaderCountWorkload(volumes, headerGates);
    this.ledger = LedgerWorkload.fresh(volumes, ledgerGates);
  }

  /**
   * Both workloads afresh on {@code volumes} (agent id to the volume's directory), not started yet.
   *
   * @param stopWait how long a preRestore waits for the workloads' threads to end
   */
  static WorkloadController fresh(Map<String, Path> volumes, int ledgerWorkers, Duration stopWait)
      throws IOException {
    return new WorkloadController(volumes, ledgerWorkers, stopWait);
  }

  /** Starts the workloads' threads (once). */
  synchronized WorkloadController start() {
    if (!started && state == State.RUNNING) {
      started = true;
      headers.start();
      ledger.start(ledgerWorkers);
    }
    return this;
  }

  Gate headerGate(String agent) {
    return headerGates.get(agent);
  }

  Gate ledgerGate(String agent) {
    return ledgerGates.get(agent);
  }

  synchronized State state() {
    return state;
  }

  synchronized HeaderCountWorkload headers() {
    return headers;
  }

  synchronized LedgerWorkload ledger() {
    return ledger;
  }

  /** Header updates since the start, over every rebuild. */
  synchronized long headerUpdates() {
    return pastUpdates + headers.updates();
  }

  /** Transfers completed since the start, over every rebuild. */
  synchronized long transfers() {
    return pastTransfers + ledger.transfers();
  }

  /** How many times the workloads were rebuilt from the volumes. */
  synchronized int restarts() {
    return restarts;
  }

  /** The agents whose postRestore arrived for the latest restore. */
  synchronized Set<String> reported() {
    return Set.copyOf(reported);
  }

  /** {@code application}'s preRestore on {@code restore.agentId()}: stops both workloads if they run. */
  synchronized Outcome preRestore(String application, Restore restore) {
    if (state == State.CLOSED) {
      return Outcome.retryable(application + " on " + restore.agentId() + ": the workloads are shutting down");
    }
    if (!restore.id().equals(restoreId)) {
      restoreId = restore.id();
      reported.clear();
    }
    held.add(restore.agentId() + "/" + application);
    if (state == State.STOPPED) {
      return Outcome.OK;
    }
    state = State.STOPPED;
    try {
      boolean ended = headers.stop(stopWait) & ledger.stop(stopWait);
      if (!ended) {
        return Outcome.retryable(application + " on " + restore.agentId() + ": the workloads' threads did not end "
            + "within " + stopWait.toMillis() + "ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.retryable(application + " on " + restore.agentId() + ": interrupted while stopping");
    }
    return Outcome.OK;
  }

  /**
   * {@code application}'s postRestore on {@code restore.agentId()}: once every writer stopped has been started
   * again, rebuilds both workloads from the volumes and starts them. Asking again is harmless.
   */
  synchronized Outcome postRestore(String application, Restore restore) {
    held.remove(restore.agentId() + "/" + application);
    if (restore.id().equals(restoreId)) {
      reported.add(restore.agentId());
    }
    if (state != State.STOPPED || !held.isEmpty()) {
      return Outcome.OK;
    }
    try {
      HeaderCountWorkload h = new HeaderCountWorkload(volumes, headerGates);
      LedgerWorkload l = LedgerWorkload.recover(volumes, ledgerGates);
      pastUpdates += headers.updates();
      pastTransfers += ledger.transfers();
      headers = h;
      ledger = l;
    } catch (IOException | RuntimeException e) {
      return Outcome.nonRetryable(application + " on " + restore.agentId() + ": the workloads cannot resume from "
          + "the volumes after restore " + restore.id() + ": " + e.getMessage());
    }
    restarts++;
    state = State.RUNNING;
    started = true;
    headers.start();
    ledger.start(ledgerWorkers);
    return Outcome.OK;
  }

  /** Stops both workloads for good. Idempotent. */
  @Override
  public void close() throws InterruptedException {
    HeaderCountWorkload h;
    LedgerWorkload l;
    synchronized (this) {
      state = State.CLOSED;
      h = headers;
      l = ledger;
    }
    h.close();
    l.close();
  }

  /** Agent id to its volume's directory. */
  Map<String, Path> volumes() {
    return new LinkedHashMap<>(volumes);
  }
}
