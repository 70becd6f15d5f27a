package io.groupsnap.agent;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.metrics.AgentMetrics;
import io.groupsnap.agent.registry.RecordDecisions;
import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.common.Daemons;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's background reconciliation, every {@code reaperInterval} on a daemon thread each: the reaper (captures
 * whose group snapshot was aborted or deleted, or has no record past the grace period, and stray directories) and
 * the capture checker's fingerprints of new captures. A failed pass is logged in one line; the next one tries again.
 * {@link #close} stops both at once (a pass going is interrupted; nothing it does is left half done that the next
 * start would not redo).
 */
final class Housekeeping implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

  private final AgentConfig config;
  private final AgentMetrics metrics;
  private final Reaper reaper;
  private final CaptureChecker checker;
  private ScheduledExecutorService reaperTimer;
  private ScheduledExecutorService fingerprints;

  Housekeeping(AgentConfig config, Participant participant, RecordDecisions decisions, List<Volume> volumes,
      SnapshotCatalog catalog, EpochFence fence, AgentMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.reaper = new Reaper(participant, decisions, volumes, config.reaperGrace(), Clock.systemUTC());
    this.checker = new CaptureChecker(config.agentId(), volumes, catalog, fence, participant::isBusy,
        config.checksumCaptures(), Clock.systemUTC());
  }

  /** Starts both timers; the first reaper pass at once. */
  void start() {
    reaperTimer = Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-reaper-" + config.agentId()));
    reaperTimer.scheduleWithFixedDelay(this::reapQuietly, 0, config.reaperInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    fingerprints = Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-fingerprint-"
        + config.agentId()));
    checker.start(fingerprints, config.reaperInterval());
  }

  CaptureChecker checker() {
    return checker;
  }

  /** One reaper pass now, on the calling thread. */
  Reaper.Pass reapNow() throws IOException {
    return metrics.reaped(reaper.runOnce());
  }

  private void reapQuietly() {
    try {
      reapNow();
    } catch (Exception e) {
      log.warn("reaper pass failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (reaperTimer != null) {
      reaperTimer.shutdownNow();
    }
    if (fingerprints != null) {
      fingerprints.shutdownNow();
    }
  }
}
