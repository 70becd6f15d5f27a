package io.groupsnap.agent.writer.grpc;

import io.groupsnap.agent.hub.PeerRule;
import io.groupsnap.agent.hub.Subscription;
import io.groupsnap.agent.hub.WriterHub;
import io.groupsnap.agent.kinds.ConfiguredWriter;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterPhase;
import io.groupsnap.proto.v1.WriterRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writer kind {@code grpc}: an application that subscribed to the agent's {@link WriterHub} (protocol in
 * {@code writer.proto}; a Java client in the module {@code groupsnap-writer-client}) and is asked, over its
 * subscription, to prepare, freeze, thaw — the Volume Shadow Copy Service's writer model, for any language with gRPC.
 *
 * <p>Consistency on its own: application-consistent captures of the volumes it covers, provided the application
 * really completes its in-flight updates before it answers FREEZE and holds every write until THAW. A hold is
 * vouched for (THAW answers OK) only when the very subscription that answered FREEZE answered THAW with OK: a
 * subscription that dropped in between breaks the hold, and the group snapshot is not committed. The application
 * must release by itself at the lease deadline sent with FREEZE (the Java client does), so an agent that vanishes
 * never leaves it frozen.
 *
 * <p>Needs: the agent's writer hub (started with the agent whenever a grpc writer is configured), and the application
 * connected to it — a PREPARE while it is not connected is refused as RETRYABLE, naming the application and the
 * socket. Every call waits at most the writer's {@code timeout} (FREEZE also no later than the lease deadline).
 *
 * <p>Options: {@code application} (required, a valid name): the name the application subscribes with. One writer
 * per application on an agent. {@code peer} ({@link PeerOption}): which local users, groups and executable may
 * subscribe as it; by default only the agent's own user.
 *
 * <p>Captures: a writer takes none; the volumes it covers are captured by their own kinds, named and listed there.
 *
 * <p>Thread-safety: as {@link Writer}; {@link #thaw} may race with a {@link #freeze} still waiting for its answer
 * (the lease watchdog), in which case the freeze answer is disregarded and the hold reported as not vouched for.
 */
public final class GrpcWriter extends ConfiguredWriter {
  private final String application;
  private final WriterHub hub;
  private final Clock clock;
  /** Per transaction: the subscription a FREEZE went to, and whether it answered OK. */
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();

  private static final class Hold {
    final Subscription sub;
    volatile boolean frozen;

    Hold(Subscription sub) {
      this.sub = sub;
    }
  }

  /** Registers the writer's application with {@code hub}, admitting only the agent's own user as its subscriber. */
  public GrpcWriter(WriterConfig config, GrpcOptions options, WriterHub hub, Clock clock) {
    this(config, options, PeerRule.agentUserOnly(KindOptions.field(PeerOption.PEER) + " of writer " + config.name()),
        hub, clock);
  }

  /** Registers the writer's application with {@code hub}; {@code peers} says which processes may subscribe as it. */
  public GrpcWriter(WriterConfig config, GrpcOptions options, PeerRule peers, WriterHub hub, Clock clock) {
    super(config, "grpc");
    this.application = options.application();
    this.hub = hub;
    this.clock = clock;
    hub.register(application, config.name(), config.volumes(), peers);
  }

  /** The application this writer serves. */
  public String application() {
    return application;
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    Subscription sub = hub.connected(application);
    if (sub == null) {
      return WriterResult.retryable("application " + application + " is not connected to " + hub.endpoint());
    }
    if (!config.volumes().isEmpty()) {
      List<String> uncovered = sub.volumes().stream().filter(v -> !config.volumes().contains(v)).toList();
      if (!uncovered.isEmpty()) {
        return WriterResult.nonRetryable("application " + application + " writes to " + uncovered + " but the writer"
            + " is configured for " + config.volumes().stream().sorted().toList() + " only: captures of "
            + uncovered + " would not be held (add them to the writer's volumes)");
      }
    }
    return await(sub, request(WriterPhase.WRITER_PHASE_PREPARE, txn), "PREPARE", config.timeout());
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    Subscription sub = hub.connected(application);
    if (sub == null) {
      return WriterResult.retryable("application " + application + " is no longer connected to " + hub.endpoint());
    }
    Hold hold = new Hold(sub);
    holds.put(txn.txnId(), hold);
    Duration left = Duration.between(clock.instant(), leaseDeadline);
    Duration wait = left.compareTo(config.timeout()) < 0 ? left : config.timeout();
    WriterResult r = await(sub, request(WriterPhase.WRITER_PHASE_FREEZE, txn)
        .setLeaseDeadlineMillis(leaseDeadline.toEpochMilli()), "FREEZE", wait);
    synchronized (hold) {
      if (r.ok() && holds.get(txn.txnId()) != hold) {
        return WriterResult.nonRetryable("application " + application + " was released before it answered FREEZE");
      }
      hold.frozen = r.ok();
    }
    return r;
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    Hold hold = holds.remove(txn.txnId());
    if (hold == null) {
      // never frozen here (a restart thawing what its journal named): release whatever the application may hold
      Subscription now = hub.connected(application);
      if (now != null) {
        now.tell(request(WriterPhase.WRITER_PHASE_THAW, txn));
      }
      return WriterResult.nonRetryable("application " + application + " was not frozen for " + txn.txnId()
          + " by this agent process");
    }
    boolean frozen;
    synchronized (hold) {
      frozen = hold.frozen;
    }
    if (!frozen) {
      // FREEZE failed, timed out or is still waiting: tell the application to let go once it gets there
      hold.sub.tell(request(WriterPhase.WRITER_PHASE_THAW, txn));
      return WriterResult.nonRetryable("application " + application + " had not answered FREEZE");
    }
    if (!hold.sub.isOpen()) {
      return WriterResult.nonRetryable("the subscription of application " + application + " (pid " + hold.sub.pid()
          + ") ended while frozen (" + hold.sub.endReason() + "): the hold is broken; the application releases by "
          + "itself");
    }
    return await(hold.sub, request(WriterPhase.WRITER_PHASE_THAW, txn), "THAW", config.timeout());
  }

  @Override
  public void abort(TxnContext txn) {
    holds.remove(txn.txnId());
    Subscription sub = hub.connected(application);
    if (sub != null) {
      sub.tell(request(WriterPhase.WRITER_PHASE_ABORT, txn));
    }
  }

  @Override
  public void committed(TxnContext txn) {
    Subscription sub = hub.connected(application);
    if (sub != null) {
      sub.tell(request(WriterPhase.WRITER_PHASE_COMMITTED, txn));
    }
  }

  /**
   * Asks the application to stop writing for an in-place restore (PRE_RESTORE, waited for up to the writer's
   * timeout). Not connected: refused as RETRYABLE — it cannot be asked to get out of the way.
   */
  @Override
  public WriterResult preRestore(RestoreContext restore) {
    Subscription sub = hub.connected(application);
    if (sub == null) {
      return WriterResult.retryable("application " + application + " is not connected to " + hub.endpoint()
          + ": it cannot be asked to stop for the restore");
    }
    return await(sub, restoreRequest(WriterPhase.WRITER_PHASE_PRE_RESTORE, restore), "PRE_RESTORE",
        config.timeout());
  }

  /**
   * Tells the application the restore ended and whether its volumes now hold the restored data (POST_RESTORE,
   * waited for). An application that is no longer connected exited to get out of the way (allowed): it starts on
   * what is there when it is started again, so there is nothing to tell.
   */
  @Override
  public WriterResult postRestore(RestoreContext restore, boolean restored) {
    Subscription sub = hub.connected(application);
    if (sub == null) {
      return WriterResult.OK;
    }
    return await(sub, restoreRequest(WriterPhase.WRITER_PHASE_POST_RESTORE, restore).setRestored(restored),
        "POST_RESTORE", config.timeout());
  }

  private WriterRequest.Builder restoreRequest(WriterPhase phase, RestoreContext restore) {
    return WriterRequest.newBuilder().setPhase(phase).setRestoreId(restore.restoreId())
        .setGroupSnapshotId(restore.groupSnapshotId()).setEpoch(restore.epoch()).addAllVolumes(restore.volumes())
        .setAgentId(hub.agentId()).setWriter(config.name());
  }

  private WriterRequest.Builder request(WriterPhase phase, TxnContext txn) {
    return WriterRequest.newBuilder().setPhase(phase).setTxnId(txn.txnId()).setEpoch(txn.epoch())
        .addAllVolumes(txn.volumes()).setAgentId(hub.agentId()).setWriter(config.name());
  }

  private WriterResult await(Subscription sub, WriterRequest.Builder request, String phase, Duration wait) {
    CompletableFuture<WriterAnswer> f = sub.call(request);
    WriterAnswer a;
    try {
      a = f.get(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      return WriterResult.retryable("application " + application + " did not answer " + phase + " within "
          + wait.toMillis() + "ms");
    } catch (ExecutionException e) {
      return WriterResult.retryable("application " + application + " disconnected during " + phase + ": "
          + e.getCause().getMessage());
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      return WriterResult.retryable(phase + " interrupted");
    }
    String reason = a.getReason().isBlank() ? "application " + application + " answered " + a.getOutcome()
        : a.getReason();
    return switch (a.getOutcome()) {
      case WRITER_OUTCOME_OK -> WriterResult.OK;
      case WRITER_OUTCOME_RETRYABLE -> WriterResult.retryable(reason);
      default -> WriterResult.nonRetryable(reason);
    };
  }
}
