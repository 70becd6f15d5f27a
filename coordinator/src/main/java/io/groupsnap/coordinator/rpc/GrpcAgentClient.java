package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.Daemons;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.groupsnap.common.Formats;
import io.groupsnap.coordinator.scrub.CaptureProbe;
import io.groupsnap.coordinator.txn.AgentClient;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.Held;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CheckSnapshotRequest;
import io.groupsnap.proto.v1.CheckSnapshotResponse;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.DeleteSnapshotRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.Retry;
import io.groupsnap.proto.v1.ThawRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsFailures;
import io.groupsnap.common.tls.Transport;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link AgentClient} over gRPC: one channel per agent endpoint, one absolute deadline per call ({@link
 * TxnSpec#callDeadline}: the phase's deadline, owned by the transaction's timer, plus a backstop, so the call's own
 * deadline only ends a call nothing else would; it cancels the call on both sides), calls guarded per agent by {@link
 * AgentGuards} (circuit breaker, bulkhead, retry of UNAVAILABLE), failures mapped to negative answers that name the
 * agent and the reason, typed by {@link Failure}: a missed deadline, an unreachable agent or an error status.
 */
public final class GrpcAgentClient implements AgentClient, CaptureProbe, AutoCloseable {
  /**
   * Where the answers of FREEZE and THAW are handled: on the transport thread that read them, not after a hop to
   * gRPC's shared executor, since their only consumer ({@code TransactionDriver}) merely maps them and queues them on
   * its serial lane. One thread hop less per member inside the freeze window. Other calls keep the default executor:
   * their callers may chain work that blocks.
   */
  private static final java.util.concurrent.Executor IN_WINDOW = MoreExecutors.directExecutor();
  /** By {@link #channelKey}: an endpoint is dialled as the agent a registration names, and only accepted as that. */
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-agent-retry"));
  private final AgentGuards guards;
  private final Transport transport;
  private final PeerRefusals refusals = new PeerRefusals();

  /** @param transport how agents are dialled: the coordinator's own certificate, and the authority it trusts */
  public GrpcAgentClient(Transport transport) {
    this(transport, Duration.ofSeconds(10));
  }

  /** @param breakerOpenFor how long an agent's circuit stays open after it failed */
  public GrpcAgentClient(Transport transport, Duration breakerOpenFor) {
    this.transport = transport;
    this.guards = new AgentGuards(retryTimer, breakerOpenFor);
  }

  /**
   * A stub for the agent {@code agentId} at {@code endpoint}. Its channel accepts only a server whose certificate is
   * that agent's (a registration rewritten to point at another host is refused at the handshake).
   */
  AgentServiceGrpc.AgentServiceFutureStub stub(String agentId, String endpoint, Deadline deadline) {
    return AgentServiceGrpc.newFutureStub(channel(agentId, endpoint)).withDeadline(deadline);
  }

  /**
   * The one channel to agent {@code agentId} at {@code endpoint}, made at first use and reused by every call, also
   * for its other services (restores).
   */
  ManagedChannel channel(String agentId, String endpoint) {
    return channels.computeIfAbsent(channelKey(agentId, endpoint),
        k -> NettyChannelBuilder.forTarget(endpoint, transport.channelCredentials(
            refusals.recording(k, PeerCheck.identity(agentId, Role.AGENT)))).disableRetry().build());
  }

  private static String channelKey(String agentId, String endpoint) {
    return agentId + "@" + endpoint;
  }

  private static Deadline after(Duration d) {
    return Deadline.after(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  static TxnHeader header(TxnSpec spec) {
    return TxnHeader.newBuilder().setClusterId(spec.clusterId()).setEpoch(spec.epoch()).setTxnId(spec.txnId())
        .setProtocolVersion(Formats.CURRENT).build();
  }

  /**
   * PREPARE, once a connection to the agent is up. When the channel is not READY, one fresh connection attempt is
   * made first ({@link ConnectAttempt}): an agent that is back is reached, and one whose connection is refused
   * answers UNREACHABLE at once instead of holding every other member until the PREPARE deadline.
   */
  @Override
  public CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member m) {
    Deadline deadline = after(spec.callDeadline(Call.PREPARE));
    ManagedChannel ch;
    try {
      ch = channel(m.agentId(), m.endpoint());
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(PrepareReply.failed(failure(e), describe(m, e)));
    }
    if (ch.getState(false) == io.grpc.ConnectivityState.READY) {
      return prepareCall(spec, m, deadline);
    }
    // past the deadline the call is made anyway, and fails at once as DEADLINE_EXCEEDED: the future always completes
    return ConnectAttempt.of(ch)
        .completeOnTimeout(true, deadline.timeRemaining(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS)
        .thenCompose(up -> up ? prepareCall(spec, m, deadline)
            : CompletableFuture.completedFuture(PrepareReply.failed(Failure.UNREACHABLE, describe(m,
                Status.UNAVAILABLE.withDescription("connection attempt failed").asRuntimeException()))));
  }

  private CompletableFuture<PrepareReply> prepareCall(TxnSpec spec, Member m, Deadline deadline) {
    String key = channelKey(m.agentId(), m.endpoint());
    PrepareRequest req = PrepareRequest.newBuilder().setHeader(header(spec)).addAllVolumes(m.volumes())
        .setLeaseMillis(spec.lease().toMillis()).setFreezeWithinMillis(spec.freezeWithin().toMillis()).build();
    // wait for the connection within PREPARE's deadline: an agent just back is reached rather than failed fast on
    // its channel's last failure; one that is really down still fails here, before anyone is frozen
    // a refused certificate ends the wait at once, not at the deadline
    return call(m, deadline, true,
        st -> refusals.endOnRefusal(key, st.withWaitForReady().prepare(req)),
        r -> new PrepareReply(r.getOk(), r.getRetry() != Retry.NON_RETRYABLE, r.getReason()),
        e -> Status.fromThrowable(e).getCode() == Status.Code.ABORTED
            ? new PrepareReply(false, false, describe(m, e)) // the agent already aborted it: a final NO, a vote
            : PrepareReply.failed(failure(e), describe(m, e)));
  }

  @Override
  public CompletableFuture<FreezeReply> freeze(TxnSpec spec, Member m) {
    FreezeRequest req = FreezeRequest.newBuilder().setHeader(header(spec)).setLeaseMillis(spec.lease().toMillis())
        .build();
    return call(m, after(spec.callDeadline(Call.FREEZE)), true, st -> st.withExecutor(IN_WINDOW).freeze(req),
        r -> new FreezeReply(r.getFrozen(), r.getReason(), r.getCapturedList().stream()
            .map(c -> new Captured(c.getVolume(), c.getSnapshotPath(), c.getSnapshotMillis())).toList(),
            r.getFreezeStartedAtMillis(), r.getTimeToFrozenMillis()),
        e -> FreezeReply.failed(failure(e), describe(m, e)));
  }

  @Override
  public CompletableFuture<ThawReply> thaw(TxnSpec spec, Member m) {
    ThawRequest req = ThawRequest.newBuilder().setHeader(header(spec)).build();
    return call(m, after(spec.callDeadline(Call.THAW)), false, st -> st.withExecutor(IN_WINDOW).thaw(req),
        r -> new ThawReply(r.getUnbroken(), r.getBrokenReason(), r.getThawedAtMillis(), r.getHeldMillis()),
        e -> ThawReply.failed(failure(e), describe(m, e)));
  }

  @Override
  public CompletableFuture<Ack> commit(TxnSpec spec, Member m) {
    CommitRequest req = CommitRequest.newBuilder().setHeader(header(spec)).build();
    return call(m, after(spec.callDeadline(Call.COMMIT)), false, st -> st.commit(req),
        r -> r.getKept() >= m.volumes().size() ? Ack.OK
            : Ack.refused("agent " + m.agentId() + " kept " + r.getKept() + " of " + m.volumes().size()
                + " captures"),
        e -> Ack.failed(failure(e), describe(m, e)));
  }

  @Override
  public CompletableFuture<Ack> abort(TxnSpec spec, Member m, String reason) {
    AbortRequest req = AbortRequest.newBuilder().setHeader(header(spec)).setReason(reason).build();
    return call(m, after(spec.callDeadline(Call.ABORT)), false, st -> st.abort(req),
        r -> Ack.aborted(new Held(r.getReached(), r.getFreezeStartedAtMillis(), r.getTimeToFrozenMillis(),
            r.getHeldMillis(), r.getLeaseExpired())),
        e -> Ack.failed(failure(e), describe(m, e)));
  }

  @Override
  public CompletableFuture<Replies.Deleted> delete(TxnSpec spec, Member m) {
    DeleteSnapshotRequest req = DeleteSnapshotRequest.newBuilder().setHeader(header(spec)).build();
    return call(m, after(spec.deleteDeadline()), false, st -> st.deleteSnapshot(req),
        r -> Replies.Deleted.of(r.getDeleted()), e -> Replies.Deleted.failed(failure(e), describe(m, e)));
  }

  /** What kind of failure ended a call: a missed deadline, an agent not reached, or an error it answered with. */
  static Failure failure(Throwable e) {
    if (e instanceof CallNotPermittedException || e instanceof BulkheadFullException
        || e instanceof PeerRefusals.RefusedException) {
      return Failure.UNREACHABLE;
    }
    return switch (Status.fromThrowable(e).getCode()) {
      case DEADLINE_EXCEEDED -> Failure.TIMED_OUT;
      case UNAVAILABLE, CANCELLED -> Failure.UNREACHABLE;
      default -> Failure.REFUSED;
    };
  }

  /**
   * Asks an agent about its captures of a group snapshot (the scrub). Retried on UNAVAILABLE within the deadline,
   * outside the agent's circuit breaker: a slow check must not make the next PREPARE fail fast.
   */
  @Override
  public CompletableFuture<CaptureProbe.Reply> check(String agentId, String endpoint, TxnHeader header,
      List<String> volumes, boolean checksum, Duration deadline) {
    CheckSnapshotRequest req = CheckSnapshotRequest.newBuilder().setHeader(header).addAllVolumes(volumes)
        .setChecksum(checksum).build();
    Deadline d = after(deadline);
    CompletionStage<CheckSnapshotResponse> stage;
    try {
      stage = guards.retryOnly(endpoint + "#check", () -> toStage(stub(agentId, endpoint, d).checkSnapshot(req)));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          CaptureProbe.Reply.unreachable("agent " + agentId + " at " + endpoint + ": " + e));
    }
    return stage.handle((r, e) -> {
      if (e == null) {
        return CaptureProbe.Reply.answered(r.getCapturesList());
      }
      return CaptureProbe.Reply.unreachable(describe(agentId, endpoint, unwrap(e)));
    }).toCompletableFuture();
  }

  private String describe(Member m, Throwable e) {
    return describe(m.agentId(), m.endpoint(), e);
  }

  /**
   * "agent ID at ENDPOINT: why", where why is, for a call that never reached the agent because its certificate was
   * refused, that refusal ("the server presented the certificate of 'agent-3', not of 'agent-2'").
   */
  private String describe(String agentId, String endpoint, Throwable e) {
    String prefix = "agent " + agentId + " at " + endpoint + ": ";
    if (e instanceof PeerRefusals.RefusedException) {
      return prefix + e.getMessage();
    }
    if (e instanceof CallNotPermittedException) {
      return prefix + "not called: its recent calls failed (circuit open)";
    }
    if (e instanceof BulkheadFullException) {
      return prefix + "not called: too many calls in flight";
    }
    Status s = Status.fromThrowable(e);
    Optional<String> refused = s.getCode() == Status.Code.UNAVAILABLE
        ? refusals.last(channelKey(agentId, endpoint)) : Optional.empty();
    if (refused.isPresent()) {
      return prefix + refused.get();
    }
    String tls = s.getCode() == Status.Code.UNAVAILABLE ? TlsFailures.describe(e) : null;
    if (tls != null) {
      return prefix + tls;
    }
    return prefix + s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
  }

  /**
   * @param guarded under the agent's circuit breaker and bulkhead (PREPARE, FREEZE); THAW, COMMIT and ABORT are
   *     only retried, never refused by a breaker: they release holds and settle captures
   */
  private <R, T> CompletableFuture<T> call(Member m, Deadline deadline, boolean guarded,
      Function<AgentServiceGrpc.AgentServiceFutureStub, ListenableFuture<R>> rpc, Function<R, T> ok,
      Function<Throwable, T> failed) {
    CompletionStage<R> stage;
    try {
      java.util.function.Supplier<CompletionStage<R>> raw =
          () -> toStage(rpc.apply(stub(m.agentId(), m.endpoint(), deadline)));
      String key = m.endpoint() + "#" + m.instance(); // a restarted agent starts with a closed circuit
      stage = guarded ? guards.run(key, raw) : guards.retryOnly(key, raw);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed.apply(e));
    }
    return stage.handle((r, e) -> e == null ? ok.apply(r) : failed.apply(unwrap(e))).toCompletableFuture();
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  static <R> CompletionStage<R> toStage(ListenableFuture<R> f) {
    CompletableFuture<R> out = new CompletableFuture<>();
    Futures.addCallback(f, new FutureCallback<>() {
      @Override
      public void onSuccess(R r) {
        out.complete(r);
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    return out;
  }

  @Override
  public void close() {
    for (ManagedChannel ch : channels.values()) {
      ch.shutdown();
    }
    for (ManagedChannel ch : channels.values()) {
      try {
        if (!ch.awaitTermination(2, TimeUnit.SECONDS)) {
          ch.shutdownNow();
        }
      } catch (InterruptedException e) {
        ch.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
    retryTimer.shutdownNow();
  }
}
