package io.groupsnap.coordinator.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Callers;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.ForgetAgentRequest;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
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
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coordinator's role table, and its gate in front of CoordinatorService over a real socket. */
class AccessTest {
  final List<String> handled = new CopyOnWriteArrayList<>();
  final List<String> denied = new CopyOnWriteArrayList<>();
  Server server;
  ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyMethodOfTheService_hasARole_andNoOtherNameIsListed() {
    Set<String> methods = CoordinatorServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(MethodDescriptor::getFullMethodName).collect(Collectors.toSet());
    assertThat(Access.table().keySet()).isEqualTo(methods);
  }

  @Test
  void viewersRead_operatorsChange_adminsForget() {
    Map<String, Role> byMethod = Access.table().entrySet().stream().collect(Collectors.toMap(
        e -> MethodDescriptor.extractBareMethodName(e.getKey()), Map.Entry::getValue));
    assertThat(byMethod).containsExactlyInAnyOrderEntriesOf(Map.of(
        "GetGroupSnapshot", Role.VIEWER, "ListGroupSnapshots", Role.VIEWER, "ListAgents", Role.VIEWER,
        "ClusterStatus", Role.VIEWER, "CreateGroupSnapshot", Role.OPERATOR, "DeleteGroupSnapshot", Role.OPERATOR,
        "CheckGroupSnapshot", Role.OPERATOR, "ListAudit", Role.OPERATOR, "ForgetAgent", Role.ADMIN));
  }

  @Test
  void aViewerCallingDelete_isDenied_namingItsIdentityAndTheRole_andNothingIsDeleted() throws Exception {
    var stub = serve(new Identity("bob", Set.of(Role.VIEWER)));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId("gs-1").build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("identity 'bob' (viewer) lacks the operator role for DeleteGroupSnapshot");
    assertThat(handled).isEmpty();
    assertThat(denied).containsExactly("bob DeleteGroupSnapshot operator");

    assertThat(stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId("gs-1").build())).isNotNull();
    assertThat(handled).containsExactly("getGroupSnapshot gs-1");
  }

  @Test
  void anOperator_deletes_butMayNotForgetAgents() throws Exception {
    var stub = serve(new Identity("olga", Set.of(Role.OPERATOR)));
    stub.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId("gs-1").build());
    assertThat(handled).containsExactly("deleteGroupSnapshot gs-1");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId("agent-3").build()));
    assertThat(e.getStatus().getDescription())
        .isEqualTo("identity 'olga' (operator) lacks the admin role for ForgetAgent");
  }

  @Test
  void aCallerNoTransportNamed_isNobody_andDeniedEverything() throws Exception {
    var stub = serve(null);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId("gs-1").build()));
    assertThat(e.getStatus().getDescription())
        .isEqualTo("identity 'unauthenticated' (no role) lacks the viewer role for GetGroupSnapshot");
    assertThat(handled).isEmpty();
  }

  /** Serves CoordinatorService behind its gate, every caller being {@code caller} (null: no transport interceptor). */
  private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub serve(Identity caller) throws Exception {
    AccessGate gate = Access.gate((who, method, needed, why) -> denied.add(who.name() + " " + method + " "
        + needed.label()));
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(new CoordinatorGrpcService(recording()), gate));
    if (caller != null) {
      b.intercept(new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
          return Contexts.interceptCall(Callers.with(caller), call, headers, next);
        }
      });
    }
    server = b.build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    return CoordinatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A coordinator that records what it was asked to do and does nothing. */
  private CoordinatorCalls recording() {
    return (CoordinatorCalls) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {CoordinatorCalls.class}, (proxy, method, args) -> {
          handled.add(method.getName() + " " + args[0]);
          return switch (method.getName()) {
            case "deleteGroupSnapshot" -> CompletableFuture.completedFuture(
                DeleteGroupSnapshotResponse.getDefaultInstance());
            case "getGroupSnapshot" -> GroupSnapshot.newBuilder().setId("gs-1").build();
            default -> throw new UnsupportedOperationException(method.getName());
          };
        });
  }
}
