package io.groupsnap.writer.client;

import io.groupsnap.proto.v1.WriterRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client's transaction rules: which handler callback each request becomes, the holds in progress with their
 * lease-deadline timers, and why a hold ended early (to answer a late THAW). Confined to the client's event thread,
 * which also runs the timers; nothing here is thread-safe.
 */
final class Dispatcher {
  private static final System.Logger log = System.getLogger(WriterClient.class.getName());
  private static final int KEEP_RELEASED = 64;

  private final String application;
  private final Handler handler;
  private final Clock clock;
  private final ScheduledExecutorService timers;
  private final Map<String, Held> holds = new LinkedHashMap<>();
  /** Why recent holds ended before THAW, by transaction id. */
  private final Map<String, String> released = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > KEEP_RELEASED;
    }
  };

  private record Held(Txn txn, Instant deadline, ScheduledFuture<?> timer) {}

  /** @param timers the client's event thread: lease-deadline releases run there, serialized with callbacks */
  Dispatcher(String application, Handler handler, Clock clock, ScheduledExecutorService timers) {
    this.application = application;
    this.handler = handler;
    this.clock = clock;
    this.timers = timers;
  }

  boolean holding() {
    return !holds.isEmpty();
  }

  /** The answer to a transaction's request (any phase but IDENTIFY). */
  Outcome handle(WriterRequest r) {
    Txn txn = new Txn(r.getTxnId(), r.getEpoch(), r.getVolumesList(), r.getAgentId());
    switch (r.getPhase()) {
      case WRITER_PHASE_PREPARE:
        return call("prepare", () -> handler.prepare(txn));
      case WRITER_PHASE_FREEZE:
        return freeze(txn, Instant.ofEpochMilli(r.getLeaseDeadlineMillis()));
      case WRITER_PHASE_THAW:
        return thaw(txn);
      case WRITER_PHASE_ABORT:
        release(txn.id(), null);
        return call("abort", () -> handler.abort(txn));
      case WRITER_PHASE_COMMITTED:
        return call("committed", () -> handler.committed(txn));
      case WRITER_PHASE_PRE_RESTORE:
        return call("preRestore", () -> handler.preRestore(restore(r)));
      case WRITER_PHASE_POST_RESTORE:
        return call("postRestore", () -> handler.postRestore(restore(r)));
      default:
        return Outcome.nonRetryable("unknown request phase " + r.getPhaseValue() + " (client " + WriterClient.CLIENT
            + ")");
    }
  }

  private static Restore restore(WriterRequest r) {
    return new Restore(r.getRestoreId(), r.getGroupSnapshotId(), r.getEpoch(), r.getVolumesList(), r.getAgentId(),
        r.getRestored());
  }

  private Outcome freeze(Txn txn, Instant deadline) {
    if (holds.containsKey(txn.id())) {
      return Outcome.OK;
    }
    if (!clock.instant().isBefore(deadline)) {
      return Outcome.nonRetryable("the lease deadline " + deadline + " had passed when FREEZE arrived");
    }
    Outcome o;
    try {
      o = handler.freeze(txn, deadline);
    } catch (RuntimeException e) {
      safeThaw(txn);
      return Outcome.nonRetryable("freeze failed: " + e);
    }
    if (o == null || !o.ok()) {
      return o == null ? Outcome.nonRetryable("freeze returned no outcome") : o;
    }
    Instant now = clock.instant();
    if (!now.isBefore(deadline)) {
      safeThaw(txn);
      String why = "froze only after the lease deadline " + deadline + "; released at once";
      released.put(txn.id(), why);
      return Outcome.nonRetryable(why);
    }
    ScheduledFuture<?> timer = timers.schedule(() -> release(txn.id(), "the lease deadline " + deadline
        + " passed without THAW"), Duration.between(now, deadline).toNanos(), TimeUnit.NANOSECONDS);
    holds.put(txn.id(), new Held(txn, deadline, timer));
    return Outcome.OK;
  }

  private Outcome thaw(Txn txn) {
    Held h = holds.remove(txn.id());
    if (h == null) {
      String why = released.get(txn.id());
      return Outcome.nonRetryable(why != null ? "released by itself: " + why
          : "not holding for group snapshot " + txn.id());
    }
    h.timer().cancel(false);
    return call("thaw", () -> handler.thaw(h.txn()));
  }

  /** Ends the hold of {@code txnId}, if any; {@code why} non-null marks a release without THAW. */
  void release(String txnId, String why) {
    Held h = holds.remove(txnId);
    if (h == null) {
      return;
    }
    h.timer().cancel(false);
    if (why != null) {
      released.put(txnId, why);
      log.log(System.Logger.Level.WARNING, "writer {0}: released group snapshot {1} by itself: {2}", application,
          txnId, why);
    }
    safeThaw(h.txn());
  }

  /** Ends every hold without THAW, for {@code why}. */
  void releaseAll(String why) {
    for (String id : new ArrayList<>(holds.keySet())) {
      release(id, why);
    }
  }

  private void safeThaw(Txn txn) {
    Outcome o = call("thaw", () -> handler.thaw(txn));
    if (!o.ok()) {
      log.log(System.Logger.Level.WARNING, "writer {0}: thaw of {1}: {2}", application, txn.id(), o.reason());
    }
  }

  private Outcome call(String what, Supplier<Outcome> callback) {
    try {
      Outcome o = callback.get();
      return o == null ? Outcome.nonRetryable(what + " returned no outcome") : o;
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.WARNING, "writer " + application + ": " + what + " threw", e);
      return Outcome.nonRetryable(what + " failed: " + e);
    }
  }
}
