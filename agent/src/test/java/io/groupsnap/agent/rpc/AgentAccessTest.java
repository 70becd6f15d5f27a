package io.groupsnap.agent.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.tls.Callers;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.DeleteSnapshotRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.ListSnapshotsRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent obeys only coordinators: any other caller is refused before a handler, or a writer, sees the call. */
class AgentAccessTest {
  @TempDir Path tmp;
  final List<String> writerCalls = new CopyOnWriteArrayList<>();
  final List<String> denied = new CopyOnWriteArrayList<>();
  volatile Identity caller;
  ScheduledExecutorService scheduler;
  Participant participant;
  Server server;
  ManagedChannel channel;
  AgentServiceGrpc.AgentServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    participant = new Participant("a1", List.of(new DirVolume("data", data, tmp.resolve("snaps"), true, false)),
        List.of(writer()), SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), "c-1"),
        tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler, Clock.systemUTC());
    ServerInterceptor asCaller = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        return Contexts.interceptCall(Callers.with(caller), call, headers, next);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).intercept(asCaller)
        .addService(ServerInterceptors.intercept(new AgentGrpcService(participant),
            AgentGrpcService.coordinatorsOnly((who, method, needed, why) -> denied.add(who.name() + " " + method))))
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    participant.releaseAll();
    scheduler.shutdownNow();
  }

  static TxnHeader header() {
    return TxnHeader.newBuilder().setClusterId("c-1").setEpoch(1).setTxnId("gs-1").build();
  }

  @Test
  void anAdminCallingPrepareAndFreeze_isDenied_andNothingIsPreparedOrFrozen() throws Exception {
    caller = new Identity("admin", Set.of(Role.ADMIN));
    List<Supplier<?>> calls = List.of(
        () -> stub.prepare(PrepareRequest.newBuilder().setHeader(header()).setLeaseMillis(5000).build()),
        () -> stub.freeze(FreezeRequest.newBuilder().setHeader(header()).setLeaseMillis(5000).build()),
        () -> stub.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setHeader(header()).build()),
        () -> stub.listSnapshots(ListSnapshotsRequest.getDefaultInstance()));
    for (Supplier<?> call : calls) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::get);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getStatus().getDescription()).startsWith("identity 'admin' (admin) lacks the coordinator role for ");
    }
    assertThat(denied).containsExactly("admin Prepare", "admin Freeze", "admin DeleteSnapshot", "admin ListSnapshots");
    assertThat(writerCalls).as("the writer saw nothing").isEmpty();
    assertThat(participant.isBusy()).isFalse();
    assertThat(participant.isHolding()).isFalse();
    assertThat(tmp.resolve("snaps")).doesNotExist();
  }

  @Test
  void anAgentIdentity_isNoCoordinator_either() {
    caller = new Identity("agent-3", Set.of(Role.AGENT));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.prepare(
        PrepareRequest.newBuilder().setHeader(header()).setLeaseMillis(5000).build()));
    assertThat(e.getStatus().getDescription())
        .isEqualTo("identity 'agent-3' (agent) lacks the coordinator role for Prepare");
    assertThat(writerCalls).isEmpty();
  }

  @Test
  void aCoordinator_isObeyed() {
    caller = new Identity("coordinator-1", Set.of(Role.COORDINATOR));
    assertThat(stub.prepare(PrepareRequest.newBuilder().setHeader(header()).setLeaseMillis(5000).build()).getOk())
        .isTrue();
    assertThat(writerCalls).containsExactly("prepare gs-1");
    assertThat(denied).isEmpty();
  }

  @Test
  void everyMethodOfTheService_needsTheCoordinatorRole() {
    var gate = AgentGrpcService.coordinatorsOnly((who, method, needed, why) -> { });
    for (MethodDescriptor<?, ?> m : AgentServiceGrpc.getServiceDescriptor().getMethods()) {
      assertThat(gate.needed(m.getFullMethodName())).as(m.getFullMethodName()).isEqualTo(Role.COORDINATOR);
    }
  }

  private Writer writer() {
    return new Writer() {
      @Override
      public String name() {
        return "app";
      }

      @Override
      public String kind() {
        return "test";
      }

      @Override
      public int tier() {
        return 0;
      }

      @Override
      public Set<String> volumes() {
        return Set.of();
      }

      @Override
      public WriterResult prepare(TxnContext txn) {
        writerCalls.add("prepare " + txn.txnId());
        return WriterResult.OK;
      }

      @Override
      public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
        writerCalls.add("freeze " + txn.txnId());
        return WriterResult.OK;
      }

      @Override
      public WriterResult thaw(TxnContext txn) {
        writerCalls.add("thaw " + txn.txnId());
        return WriterResult.OK;
      }

      @Override
      public void abort(TxnContext txn) {
        writerCalls.add("abort " + txn.txnId());
      }
    };
  }
}
