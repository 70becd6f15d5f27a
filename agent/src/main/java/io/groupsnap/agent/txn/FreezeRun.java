package io.groupsnap.agent.txn;

import io.groupsnap.agent.txn.Results.Capture;
import io.groupsnap.agent.txn.Results.FreezeOutcome;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.FaultPoints;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * One FREEZE of a transaction already moved to FREEZING: starts its {@link FreezeHold} (the lease watchdog is armed
 * at once), freezes writers by tier and then volumes, registering each undo step before the freeze is attempted,
 * captures every volume (the volumes of one batch in one operation), and moves the transaction to FROZEN unless an
 * ABORT came or the hold was released meanwhile. It never aborts: a failed run is answered FAILED, with the hold
 * released or about to be, and the caller aborts the transaction.
 *
 * <p>Runs on the caller's thread under the transaction's monitor; no state of its own.
 */
final class FreezeRun {
  /** Why a FREEZE did not end FROZEN. */
  record Failure(Kind kind, String message) {
    enum Kind {
      /** An ABORT came during the FREEZE. */
      ABORTED,
      /** The lease ran out before the FREEZE was done. */
      LEASE_EXPIRED,
      WRITER_FAILED,
      VOLUME_FAILED,
      CAPTURE_FAILED
    }
  }

  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final LongSupplier nanos;
  private final FaultPoints faults;
  private volatile HoldListener holds = HoldListener.NONE;

  FreezeRun(ScheduledExecutorService scheduler, Clock clock, LongSupplier nanos, FaultPoints faults) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.nanos = nanos;
    this.faults = faults;
  }

  /** Tells {@code listener} of every hold a FREEZE starts from now on. */
  void reportHoldsTo(HoldListener listener) {
    this.holds = listener;
  }

  /**
   * The FREEZE's answer, and when it is FAILED, why.
   *
   * @param failure present exactly when the answer is not FROZEN
   */
  record Ran(FreezeResult answer, Optional<Failure> failure) {}

  /** @param lease asked for; zero, negative or above the PREPARE's lease: the PREPARE's lease */
  Ran run(LocalTxn txn, Duration lease) {
    Duration effective = lease.isZero() || lease.isNegative() || lease.compareTo(txn.lease) > 0 ? txn.lease : lease;
    faults.hit("agent.freeze");
    txn.freezeStartNanos = nanos.getAsLong();
    long startedAt = clock.millis();
    txn.freezeStartedAtMillis = startedAt;
    txn.hold = FreezeHold.start(scheduler, effective, nanos, holds);
    Optional<Failure> failure = txn.abortRequested() ? Optional.of(released(txn, ""))
        : holdEverything(txn, clock.instant().plus(effective));
    long frozenAfter = nanos.getAsLong() - txn.freezeStartNanos;
    long timeToFrozen = frozenAfter / 1_000_000;
    if (failure.isEmpty()) {
      txn.hold.frozen(frozenAfter);
    }
    List<Capture> captures = new ArrayList<>();
    if (failure.isEmpty()) {
      failure = captureAll(txn, captures);
    }
    if (failure.isEmpty() && !txn.frozenUnlessReleased()) {
      failure = Optional.of(released(txn, "during capture"));
    }
    if (failure.isPresent()) {
      return new Ran(new FreezeResult(FreezeOutcome.FAILED, failure.get().message(), List.of(), startedAt,
          timeToFrozen), failure);
    }
    faults.hit("agent.after-frozen");
    return new Ran(new FreezeResult(FreezeOutcome.FROZEN, "", captures, startedAt, timeToFrozen), failure);
  }

  private Optional<Failure> holdEverything(LocalTxn txn, Instant leaseDeadline) {
    for (Writer w : txn.writers) {
      // registered before the attempt: a writer that fails or times out half-way is thawed too (thaw is idempotent)
      FreezeHold.Undo undo = () -> {
        WriterResult t = w.thaw(txn.context());
        return t.ok() ? Optional.empty() : Optional.of("writer " + w.name() + " thaw: " + t.reason());
      };
      if (!txn.hold.push(undo)) {
        return Optional.of(released(txn, "before freezing writer " + w.name()));
      }
      WriterResult r = w.freeze(txn.context(), leaseDeadline);
      if (!r.ok()) {
        return Optional.of(new Failure(Failure.Kind.WRITER_FAILED,
            "writer " + w.name() + " could not freeze: " + r.reason()));
      }
    }
    for (Volume v : txn.volumes) {
      Volume.Frozen frozen;
      try {
        frozen = v.freeze();
      } catch (VolumeException e) {
        try {
          v.thawAfterRestart();
        } catch (VolumeException ignored) {
          // reported with the freeze failure
        }
        return Optional.of(new Failure(Failure.Kind.VOLUME_FAILED,
            "volume " + v.name() + " could not freeze: " + e.getMessage()));
      }
      FreezeHold.Undo undo = () -> {
        try {
          frozen.thaw();
          return Optional.empty();
        } catch (VolumeException e) {
          return Optional.of("volume " + v.name() + " thaw: " + e.getMessage());
        }
      };
      if (!txn.hold.push(undo)) {
        undo.run();
        return Optional.of(released(txn, "while freezing volume " + v.name()));
      }
    }
    return Optional.empty();
  }

  /** Why a hold was released under a running FREEZE: its ABORT, else its lease ran out ({@code when}). */
  private static Failure released(LocalTxn txn, String when) {
    return txn.abortRequested() ? new Failure(Failure.Kind.ABORTED, "aborted during FREEZE")
        : new Failure(Failure.Kind.LEASE_EXPIRED, "freeze lease expired " + when);
  }

  private Optional<Failure> captureAll(LocalTxn txn, List<Capture> out) {
    String id = txn.ref.txnId();
    Set<String> done = new HashSet<>();
    for (Volume v : txn.volumes) {
      if (done.contains(v.name())) {
        continue;
      }
      if (txn.abortRequested() || txn.hold.released()) {
        return Optional.of(released(txn, "before capturing volume " + v.name()));
      }
      long start = nanos.getAsLong();
      try {
        if (v.batchKey() == null) {
          Path p = v.capture(CaptureStore.target(v, id));
          out.add(new Capture(v.name(), p, (nanos.getAsLong() - start) / 1_000_000));
          done.add(v.name());
          continue;
        }
        // one atomic operation for every volume of the batch (all datasets of one ZFS pool)
        Map<Volume, Path> batch = new LinkedHashMap<>();
        for (Volume peer : txn.volumes) {
          if (v.batchKey().equals(peer.batchKey())) {
            batch.put(peer, CaptureStore.target(peer, id));
          }
        }
        Map<String, Path> made = v.captureBatch(batch);
        long took = (nanos.getAsLong() - start) / 1_000_000;
        for (Volume peer : batch.keySet()) {
          Path p = made.get(peer.name());
          if (p == null) {
            return Optional.of(new Failure(Failure.Kind.CAPTURE_FAILED,
                "volume " + peer.name() + " capture failed: its batch returned no location"));
          }
          out.add(new Capture(peer.name(), p, took));
          done.add(peer.name());
        }
      } catch (VolumeException e) {
        return Optional.of(new Failure(Failure.Kind.CAPTURE_FAILED,
            "volume " + v.name() + " capture failed: " + e.getMessage()));
      }
    }
    return Optional.empty();
  }
}
