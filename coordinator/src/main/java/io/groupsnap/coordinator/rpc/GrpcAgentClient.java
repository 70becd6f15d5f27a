package io.groupsnap.coordinator.rpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.groupsnap.coordinator.txn.AgentClient;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.DeleteSnapshotRequest;
import io.groupsnap.proto.v1.DeleteSnapshotResponse;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.Retry;
import io.groupsnap.proto.v1.ThawRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link AgentClient} over gRPC: one channel per agent endpoint, a deadline on every call (the real timeout: a
 * deadline cancels the call on both sides), failures mapped to negative answers that name the agent and the status.
 */
public final class GrpcAgentClient implements AgentClient, AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  private AgentServiceGrpc.AgentServiceFutureStub stub(Member m, Duration deadline) {
    return stub(m.endpoint(), deadline);
  }

  private AgentServiceGrpc.AgentServiceFutureStub stub(String endpoint, Duration deadline) {
    ManagedChannel ch = channels.computeIfAbsent(endpoint,
        e -> NettyChannelBuilder.forTarget(e).usePlaintext().disableRetry().build());
    return AgentServiceGrpc.newFutureStub(ch).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  static TxnHeader header(TxnSpec spec) {
    return TxnHeader.newBuilder().setClusterId(spec.clusterId()).setEpoch(spec.epoch()).setTxnId(spec.txnId())
        .build();
  }

  @Override
  public CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member m) {
    PrepareRequest req = PrepareRequest.newBuilder().setHeader(header(spec)).addAllVolumes(m.volumes())
        .setLeaseMillis(spec.lease().toMillis()).build();
    return call(stub(m, spec.prepareTimeout()).prepare(req),
        r -> new PrepareReply(r.getOk(), r.getRetry() != Retry.NON_RETRYABLE, r.getReason()),
        e -> PrepareReply.failed(describe(m, e)));
  }

  @Override
  public CompletableFuture<FreezeReply> freeze(TxnSpec spec, Member m) {
    FreezeRequest req = FreezeRequest.newBuilder().setHeader(header(spec)).setLeaseMillis(spec.lease().toMillis())
        .build();
    return call(stub(m, spec.freezeTimeout()).freeze(req),
        r -> new FreezeReply(r.getFrozen(), r.getReason(), r.getCapturedList().stream()
            .map(c -> new Captured(c.getVolume(), c.getSnapshotPath(), c.getSnapshotMillis())).toList(),
            r.getFreezeStartedAtMillis(), r.getTimeToFrozenMillis()),
        e -> FreezeReply.failed(describe(m, e)));
  }

  @Override
  public CompletableFuture<ThawReply> thaw(TxnSpec spec, Member m) {
    return call(stub(m, spec.thawTimeout()).thaw(ThawRequest.newBuilder().setHeader(header(spec)).build()),
        r -> new ThawReply(r.getUnbroken(), r.getBrokenReason(), r.getThawedAtMillis(), r.getHeldMillis()),
        e -> ThawReply.failed(describe(m, e)));
  }

  @Override
  public CompletableFuture<Ack> commit(TxnSpec spec, Member m) {
    return call(stub(m, spec.finishTimeout()).commit(CommitRequest.newBuilder().setHeader(header(spec)).build()),
        r -> Ack.OK, e -> new Ack(false, describe(m, e)));
  }

  @Override
  public CompletableFuture<Ack> abort(TxnSpec spec, Member m, String reason) {
    AbortRequest req = AbortRequest.newBuilder().setHeader(header(spec)).setReason(reason).build();
    return call(stub(m, spec.finishTimeout()).abort(req), r -> Ack.OK, e -> new Ack(false, describe(m, e)));
  }

  /** Deletes an agent's captures of a group snapshot; fails with the gRPC status when the agent cannot. */
  public CompletableFuture<DeleteSnapshotResponse> deleteSnapshot(String endpoint, TxnHeader header,
      Duration deadline) {
    CompletableFuture<DeleteSnapshotResponse> out = new CompletableFuture<>();
    Futures.addCallback(stub(endpoint, deadline).deleteSnapshot(
        DeleteSnapshotRequest.newBuilder().setHeader(header).build()), new FutureCallback<>() {
          @Override
          public void onSuccess(DeleteSnapshotResponse r) {
            out.complete(r);
          }

          @Override
          public void onFailure(Throwable t) {
            out.completeExceptionally(t);
          }
        }, MoreExecutors.directExecutor());
    return out;
  }

  private static String describe(Member m, Throwable e) {
    Status s = Status.fromThrowable(e);
    return "agent " + m.agentId() + " at " + m.endpoint() + ": " + s.getCode()
        + (s.getDescription() == null ? "" : " " + s.getDescription());
  }

  private static <R, T> CompletableFuture<T> call(ListenableFuture<R> f, Function<R, T> ok,
      Function<Throwable, T> failed) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Futures.addCallback(f, new FutureCallback<>() {
      @Override
      public void onSuccess(R r) {
        out.complete(ok.apply(r));
      }

      @Override
      public void onFailure(Throwable t) {
        out.complete(failed.apply(t));
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
  }
}
