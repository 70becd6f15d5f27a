package io.groupsnap.proto.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class AgentServiceGrpc {

  private AgentServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "groupsnap.v1.AgentService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.PrepareRequest,
      io.groupsnap.proto.v1.PrepareResponse> getPrepareMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Prepare",
      requestType = io.groupsnap.proto.v1.PrepareRequest.class,
      responseType = io.groupsnap.proto.v1.PrepareResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.PrepareRequest,
      io.groupsnap.proto.v1.PrepareResponse> getPrepareMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.PrepareRequest, io.groupsnap.proto.v1.PrepareResponse> getPrepareMethod;
    if ((getPrepareMethod = AgentServiceGrpc.getPrepareMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getPrepareMethod = AgentServiceGrpc.getPrepareMethod) == null) {
          AgentServiceGrpc.getPrepareMethod = getPrepareMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.PrepareRequest, io.groupsnap.proto.v1.PrepareResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Prepare"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.PrepareRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.PrepareResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("Prepare"))
              .build();
        }
      }
    }
    return getPrepareMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.FreezeRequest,
      io.groupsnap.proto.v1.FreezeResponse> getFreezeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Freeze",
      requestType = io.groupsnap.proto.v1.FreezeRequest.class,
      responseType = io.groupsnap.proto.v1.FreezeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.FreezeRequest,
      io.groupsnap.proto.v1.FreezeResponse> getFreezeMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.FreezeRequest, io.groupsnap.proto.v1.FreezeResponse> getFreezeMethod;
    if ((getFreezeMethod = AgentServiceGrpc.getFreezeMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getFreezeMethod = AgentServiceGrpc.getFreezeMethod) == null) {
          AgentServiceGrpc.getFreezeMethod = getFreezeMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.FreezeRequest, io.groupsnap.proto.v1.FreezeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Freeze"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.FreezeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.FreezeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("Freeze"))
              .build();
        }
      }
    }
    return getFreezeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ThawRequest,
      io.groupsnap.proto.v1.ThawResponse> getThawMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Thaw",
      requestType = io.groupsnap.proto.v1.ThawRequest.class,
      responseType = io.groupsnap.proto.v1.ThawResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ThawRequest,
      io.groupsnap.proto.v1.ThawResponse> getThawMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ThawRequest, io.groupsnap.proto.v1.ThawResponse> getThawMethod;
    if ((getThawMethod = AgentServiceGrpc.getThawMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getThawMethod = AgentServiceGrpc.getThawMethod) == null) {
          AgentServiceGrpc.getThawMethod = getThawMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.ThawRequest, io.groupsnap.proto.v1.ThawResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Thaw"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ThawRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ThawResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("Thaw"))
              .build();
        }
      }
    }
    return getThawMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.CommitRequest,
      io.groupsnap.proto.v1.CommitResponse> getCommitMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Commit",
      requestType = io.groupsnap.proto.v1.CommitRequest.class,
      responseType = io.groupsnap.proto.v1.CommitResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.CommitRequest,
      io.groupsnap.proto.v1.CommitResponse> getCommitMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.CommitRequest, io.groupsnap.proto.v1.CommitResponse> getCommitMethod;
    if ((getCommitMethod = AgentServiceGrpc.getCommitMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getCommitMethod = AgentServiceGrpc.getCommitMethod) == null) {
          AgentServiceGrpc.getCommitMethod = getCommitMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.CommitRequest, io.groupsnap.proto.v1.CommitResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Commit"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.CommitRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.CommitResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("Commit"))
              .build();
        }
      }
    }
    return getCommitMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.AbortRequest,
      io.groupsnap.proto.v1.AbortResponse> getAbortMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Abort",
      requestType = io.groupsnap.proto.v1.AbortRequest.class,
      responseType = io.groupsnap.proto.v1.AbortResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.AbortRequest,
      io.groupsnap.proto.v1.AbortResponse> getAbortMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.AbortRequest, io.groupsnap.proto.v1.AbortResponse> getAbortMethod;
    if ((getAbortMethod = AgentServiceGrpc.getAbortMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getAbortMethod = AgentServiceGrpc.getAbortMethod) == null) {
          AgentServiceGrpc.getAbortMethod = getAbortMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.AbortRequest, io.groupsnap.proto.v1.AbortResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Abort"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.AbortRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.AbortResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("Abort"))
              .build();
        }
      }
    }
    return getAbortMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListSnapshotsRequest,
      io.groupsnap.proto.v1.ListSnapshotsResponse> getListSnapshotsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSnapshots",
      requestType = io.groupsnap.proto.v1.ListSnapshotsRequest.class,
      responseType = io.groupsnap.proto.v1.ListSnapshotsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListSnapshotsRequest,
      io.groupsnap.proto.v1.ListSnapshotsResponse> getListSnapshotsMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListSnapshotsRequest, io.groupsnap.proto.v1.ListSnapshotsResponse> getListSnapshotsMethod;
    if ((getListSnapshotsMethod = AgentServiceGrpc.getListSnapshotsMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getListSnapshotsMethod = AgentServiceGrpc.getListSnapshotsMethod) == null) {
          AgentServiceGrpc.getListSnapshotsMethod = getListSnapshotsMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.ListSnapshotsRequest, io.groupsnap.proto.v1.ListSnapshotsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSnapshots"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ListSnapshotsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ListSnapshotsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("ListSnapshots"))
              .build();
        }
      }
    }
    return getListSnapshotsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.DeleteSnapshotRequest,
      io.groupsnap.proto.v1.DeleteSnapshotResponse> getDeleteSnapshotMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteSnapshot",
      requestType = io.groupsnap.proto.v1.DeleteSnapshotRequest.class,
      responseType = io.groupsnap.proto.v1.DeleteSnapshotResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.DeleteSnapshotRequest,
      io.groupsnap.proto.v1.DeleteSnapshotResponse> getDeleteSnapshotMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.DeleteSnapshotRequest, io.groupsnap.proto.v1.DeleteSnapshotResponse> getDeleteSnapshotMethod;
    if ((getDeleteSnapshotMethod = AgentServiceGrpc.getDeleteSnapshotMethod) == null) {
      synchronized (AgentServiceGrpc.class) {
        if ((getDeleteSnapshotMethod = AgentServiceGrpc.getDeleteSnapshotMethod) == null) {
          AgentServiceGrpc.getDeleteSnapshotMethod = getDeleteSnapshotMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.DeleteSnapshotRequest, io.groupsnap.proto.v1.DeleteSnapshotResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteSnapshot"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.DeleteSnapshotRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.DeleteSnapshotResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AgentServiceMethodDescriptorSupplier("DeleteSnapshot"))
              .build();
        }
      }
    }
    return getDeleteSnapshotMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AgentServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AgentServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AgentServiceStub>() {
        @java.lang.Override
        public AgentServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AgentServiceStub(channel, callOptions);
        }
      };
    return AgentServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static AgentServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AgentServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AgentServiceBlockingV2Stub>() {
        @java.lang.Override
        public AgentServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AgentServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return AgentServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AgentServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AgentServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AgentServiceBlockingStub>() {
        @java.lang.Override
        public AgentServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AgentServiceBlockingStub(channel, callOptions);
        }
      };
    return AgentServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AgentServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AgentServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AgentServiceFutureStub>() {
        @java.lang.Override
        public AgentServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AgentServiceFutureStub(channel, callOptions);
        }
      };
    return AgentServiceFutureStub.newStub(factory, channel);
  }

  /**
   */
  public interface AsyncService {

    /**
     * <pre>
     * Checks volumes and writers and lets writers prepare. Freezes nothing.
     * </pre>
     */
    default void prepare(io.groupsnap.proto.v1.PrepareRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.PrepareResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPrepareMethod(), responseObserver);
    }

    /**
     * <pre>
     * Freezes writers then volumes, captures every volume, and holds until Thaw or the lease runs out.
     * </pre>
     */
    default void freeze(io.groupsnap.proto.v1.FreezeRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.FreezeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFreezeMethod(), responseObserver);
    }

    /**
     * <pre>
     * Releases the hold and says whether it was unbroken since the FROZEN answer.
     * </pre>
     */
    default void thaw(io.groupsnap.proto.v1.ThawRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ThawResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getThawMethod(), responseObserver);
    }

    /**
     * <pre>
     * The group snapshot was committed: pending captures become kept.
     * </pre>
     */
    default void commit(io.groupsnap.proto.v1.CommitRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.CommitResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCommitMethod(), responseObserver);
    }

    /**
     * <pre>
     * Thaws if frozen and deletes everything this transaction created.
     * </pre>
     */
    default void abort(io.groupsnap.proto.v1.AbortRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.AbortResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAbortMethod(), responseObserver);
    }

    /**
     */
    default void listSnapshots(io.groupsnap.proto.v1.ListSnapshotsRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListSnapshotsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSnapshotsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Deletes this agent's captures of one group snapshot.
     * </pre>
     */
    default void deleteSnapshot(io.groupsnap.proto.v1.DeleteSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.DeleteSnapshotResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteSnapshotMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service AgentService.
   */
  public static abstract class AgentServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return AgentServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service AgentService.
   */
  public static final class AgentServiceStub
      extends io.grpc.stub.AbstractAsyncStub<AgentServiceStub> {
    private AgentServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AgentServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AgentServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Checks volumes and writers and lets writers prepare. Freezes nothing.
     * </pre>
     */
    public void prepare(io.groupsnap.proto.v1.PrepareRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.PrepareResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPrepareMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Freezes writers then volumes, captures every volume, and holds until Thaw or the lease runs out.
     * </pre>
     */
    public void freeze(io.groupsnap.proto.v1.FreezeRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.FreezeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFreezeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Releases the hold and says whether it was unbroken since the FROZEN answer.
     * </pre>
     */
    public void thaw(io.groupsnap.proto.v1.ThawRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ThawResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getThawMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The group snapshot was committed: pending captures become kept.
     * </pre>
     */
    public void commit(io.groupsnap.proto.v1.CommitRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.CommitResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCommitMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Thaws if frozen and deletes everything this transaction created.
     * </pre>
     */
    public void abort(io.groupsnap.proto.v1.AbortRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.AbortResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAbortMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listSnapshots(io.groupsnap.proto.v1.ListSnapshotsRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListSnapshotsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSnapshotsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Deletes this agent's captures of one group snapshot.
     * </pre>
     */
    public void deleteSnapshot(io.groupsnap.proto.v1.DeleteSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.DeleteSnapshotResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteSnapshotMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service AgentService.
   */
  public static final class AgentServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<AgentServiceBlockingV2Stub> {
    private AgentServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AgentServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AgentServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Checks volumes and writers and lets writers prepare. Freezes nothing.
     * </pre>
     */
    public io.groupsnap.proto.v1.PrepareResponse prepare(io.groupsnap.proto.v1.PrepareRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getPrepareMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Freezes writers then volumes, captures every volume, and holds until Thaw or the lease runs out.
     * </pre>
     */
    public io.groupsnap.proto.v1.FreezeResponse freeze(io.groupsnap.proto.v1.FreezeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFreezeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Releases the hold and says whether it was unbroken since the FROZEN answer.
     * </pre>
     */
    public io.groupsnap.proto.v1.ThawResponse thaw(io.groupsnap.proto.v1.ThawRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getThawMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The group snapshot was committed: pending captures become kept.
     * </pre>
     */
    public io.groupsnap.proto.v1.CommitResponse commit(io.groupsnap.proto.v1.CommitRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCommitMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Thaws if frozen and deletes everything this transaction created.
     * </pre>
     */
    public io.groupsnap.proto.v1.AbortResponse abort(io.groupsnap.proto.v1.AbortRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAbortMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ListSnapshotsResponse listSnapshots(io.groupsnap.proto.v1.ListSnapshotsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSnapshotsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes this agent's captures of one group snapshot.
     * </pre>
     */
    public io.groupsnap.proto.v1.DeleteSnapshotResponse deleteSnapshot(io.groupsnap.proto.v1.DeleteSnapshotRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteSnapshotMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service AgentService.
   */
  public static final class AgentServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<AgentServiceBlockingStub> {
    private AgentServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AgentServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AgentServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Checks volumes and writers and lets writers prepare. Freezes nothing.
     * </pre>
     */
    public io.groupsnap.proto.v1.PrepareResponse prepare(io.groupsnap.proto.v1.PrepareRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPrepareMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Freezes writers then volumes, captures every volume, and holds until Thaw or the lease runs out.
     * </pre>
     */
    public io.groupsnap.proto.v1.FreezeResponse freeze(io.groupsnap.proto.v1.FreezeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFreezeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Releases the hold and says whether it was unbroken since the FROZEN answer.
     * </pre>
     */
    public io.groupsnap.proto.v1.ThawResponse thaw(io.groupsnap.proto.v1.ThawRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getThawMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The group snapshot was committed: pending captures become kept.
     * </pre>
     */
    public io.groupsnap.proto.v1.CommitResponse commit(io.groupsnap.proto.v1.CommitRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCommitMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Thaws if frozen and deletes everything this transaction created.
     * </pre>
     */
    public io.groupsnap.proto.v1.AbortResponse abort(io.groupsnap.proto.v1.AbortRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAbortMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ListSnapshotsResponse listSnapshots(io.groupsnap.proto.v1.ListSnapshotsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSnapshotsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes this agent's captures of one group snapshot.
     * </pre>
     */
    public io.groupsnap.proto.v1.DeleteSnapshotResponse deleteSnapshot(io.groupsnap.proto.v1.DeleteSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteSnapshotMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service AgentService.
   */
  public static final class AgentServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<AgentServiceFutureStub> {
    private AgentServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AgentServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AgentServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Checks volumes and writers and lets writers prepare. Freezes nothing.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.PrepareResponse> prepare(
        io.groupsnap.proto.v1.PrepareRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPrepareMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Freezes writers then volumes, captures every volume, and holds until Thaw or the lease runs out.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.FreezeResponse> freeze(
        io.groupsnap.proto.v1.FreezeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFreezeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Releases the hold and says whether it was unbroken since the FROZEN answer.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.ThawResponse> thaw(
        io.groupsnap.proto.v1.ThawRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getThawMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The group snapshot was committed: pending captures become kept.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.CommitResponse> commit(
        io.groupsnap.proto.v1.CommitRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCommitMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Thaws if frozen and deletes everything this transaction created.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.AbortResponse> abort(
        io.groupsnap.proto.v1.AbortRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAbortMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.ListSnapshotsResponse> listSnapshots(
        io.groupsnap.proto.v1.ListSnapshotsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSnapshotsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Deletes this agent's captures of one group snapshot.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.DeleteSnapshotResponse> deleteSnapshot(
        io.groupsnap.proto.v1.DeleteSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteSnapshotMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_PREPARE = 0;
  private static final int METHODID_FREEZE = 1;
  private static final int METHODID_THAW = 2;
  private static final int METHODID_COMMIT = 3;
  private static final int METHODID_ABORT = 4;
  private static final int METHODID_LIST_SNAPSHOTS = 5;
  private static final int METHODID_DELETE_SNAPSHOT = 6;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_PREPARE:
          serviceImpl.prepare((io.groupsnap.proto.v1.PrepareRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.PrepareResponse>) responseObserver);
          break;
        case METHODID_FREEZE:
          serviceImpl.freeze((io.groupsnap.proto.v1.FreezeRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.FreezeResponse>) responseObserver);
          break;
        case METHODID_THAW:
          serviceImpl.thaw((io.groupsnap.proto.v1.ThawRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ThawResponse>) responseObserver);
          break;
        case METHODID_COMMIT:
          serviceImpl.commit((io.groupsnap.proto.v1.CommitRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.CommitResponse>) responseObserver);
          break;
        case METHODID_ABORT:
          serviceImpl.abort((io.groupsnap.proto.v1.AbortRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.AbortResponse>) responseObserver);
          break;
        case METHODID_LIST_SNAPSHOTS:
          serviceImpl.listSnapshots((io.groupsnap.proto.v1.ListSnapshotsRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListSnapshotsResponse>) responseObserver);
          break;
        case METHODID_DELETE_SNAPSHOT:
          serviceImpl.deleteSnapshot((io.groupsnap.proto.v1.DeleteSnapshotRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.DeleteSnapshotResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getPrepareMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.PrepareRequest,
              io.groupsnap.proto.v1.PrepareResponse>(
                service, METHODID_PREPARE)))
        .addMethod(
          getFreezeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.FreezeRequest,
              io.groupsnap.proto.v1.FreezeResponse>(
                service, METHODID_FREEZE)))
        .addMethod(
          getThawMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.ThawRequest,
              io.groupsnap.proto.v1.ThawResponse>(
                service, METHODID_THAW)))
        .addMethod(
          getCommitMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.CommitRequest,
              io.groupsnap.proto.v1.CommitResponse>(
                service, METHODID_COMMIT)))
        .addMethod(
          getAbortMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.AbortRequest,
              io.groupsnap.proto.v1.AbortResponse>(
                service, METHODID_ABORT)))
        .addMethod(
          getListSnapshotsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.ListSnapshotsRequest,
              io.groupsnap.proto.v1.ListSnapshotsResponse>(
                service, METHODID_LIST_SNAPSHOTS)))
        .addMethod(
          getDeleteSnapshotMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.DeleteSnapshotRequest,
              io.groupsnap.proto.v1.DeleteSnapshotResponse>(
                service, METHODID_DELETE_SNAPSHOT)))
        .build();
  }

  private static abstract class AgentServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AgentServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return io.groupsnap.proto.v1.Agent.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AgentService");
    }
  }

  private static final class AgentServiceFileDescriptorSupplier
      extends AgentServiceBaseDescriptorSupplier {
    AgentServiceFileDescriptorSupplier() {}
  }

  private static final class AgentServiceMethodDescriptorSupplier
      extends AgentServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    AgentServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (AgentServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AgentServiceFileDescriptorSupplier())
              .addMethod(getPrepareMethod())
              .addMethod(getFreezeMethod())
              .addMethod(getThawMethod())
              .addMethod(getCommitMethod())
              .addMethod(getAbortMethod())
              .addMethod(getListSnapshotsMethod())
              .addMethod(getDeleteSnapshotMethod())
              .build();
        }
      }
    }
    return result;
  }
}
