package io.groupsnap.proto.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class CoordinatorServiceGrpc {

  private CoordinatorServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "groupsnap.v1.CoordinatorService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.CreateGroupSnapshotRequest,
      io.groupsnap.proto.v1.ProgressEvent> getCreateGroupSnapshotMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateGroupSnapshot",
      requestType = io.groupsnap.proto.v1.CreateGroupSnapshotRequest.class,
      responseType = io.groupsnap.proto.v1.ProgressEvent.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.CreateGroupSnapshotRequest,
      io.groupsnap.proto.v1.ProgressEvent> getCreateGroupSnapshotMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.CreateGroupSnapshotRequest, io.groupsnap.proto.v1.ProgressEvent> getCreateGroupSnapshotMethod;
    if ((getCreateGroupSnapshotMethod = CoordinatorServiceGrpc.getCreateGroupSnapshotMethod) == null) {
      synchronized (CoordinatorServiceGrpc.class) {
        if ((getCreateGroupSnapshotMethod = CoordinatorServiceGrpc.getCreateGroupSnapshotMethod) == null) {
          CoordinatorServiceGrpc.getCreateGroupSnapshotMethod = getCreateGroupSnapshotMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.CreateGroupSnapshotRequest, io.groupsnap.proto.v1.ProgressEvent>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateGroupSnapshot"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.CreateGroupSnapshotRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ProgressEvent.getDefaultInstance()))
              .setSchemaDescriptor(new CoordinatorServiceMethodDescriptorSupplier("CreateGroupSnapshot"))
              .build();
        }
      }
    }
    return getCreateGroupSnapshotMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.GetGroupSnapshotRequest,
      io.groupsnap.proto.v1.GroupSnapshot> getGetGroupSnapshotMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetGroupSnapshot",
      requestType = io.groupsnap.proto.v1.GetGroupSnapshotRequest.class,
      responseType = io.groupsnap.proto.v1.GroupSnapshot.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.GetGroupSnapshotRequest,
      io.groupsnap.proto.v1.GroupSnapshot> getGetGroupSnapshotMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.GetGroupSnapshotRequest, io.groupsnap.proto.v1.GroupSnapshot> getGetGroupSnapshotMethod;
    if ((getGetGroupSnapshotMethod = CoordinatorServiceGrpc.getGetGroupSnapshotMethod) == null) {
      synchronized (CoordinatorServiceGrpc.class) {
        if ((getGetGroupSnapshotMethod = CoordinatorServiceGrpc.getGetGroupSnapshotMethod) == null) {
          CoordinatorServiceGrpc.getGetGroupSnapshotMethod = getGetGroupSnapshotMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.GetGroupSnapshotRequest, io.groupsnap.proto.v1.GroupSnapshot>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetGroupSnapshot"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.GetGroupSnapshotRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.GroupSnapshot.getDefaultInstance()))
              .setSchemaDescriptor(new CoordinatorServiceMethodDescriptorSupplier("GetGroupSnapshot"))
              .build();
        }
      }
    }
    return getGetGroupSnapshotMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListGroupSnapshotsRequest,
      io.groupsnap.proto.v1.ListGroupSnapshotsResponse> getListGroupSnapshotsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListGroupSnapshots",
      requestType = io.groupsnap.proto.v1.ListGroupSnapshotsRequest.class,
      responseType = io.groupsnap.proto.v1.ListGroupSnapshotsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListGroupSnapshotsRequest,
      io.groupsnap.proto.v1.ListGroupSnapshotsResponse> getListGroupSnapshotsMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListGroupSnapshotsRequest, io.groupsnap.proto.v1.ListGroupSnapshotsResponse> getListGroupSnapshotsMethod;
    if ((getListGroupSnapshotsMethod = CoordinatorServiceGrpc.getListGroupSnapshotsMethod) == null) {
      synchronized (CoordinatorServiceGrpc.class) {
        if ((getListGroupSnapshotsMethod = CoordinatorServiceGrpc.getListGroupSnapshotsMethod) == null) {
          CoordinatorServiceGrpc.getListGroupSnapshotsMethod = getListGroupSnapshotsMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.ListGroupSnapshotsRequest, io.groupsnap.proto.v1.ListGroupSnapshotsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListGroupSnapshots"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ListGroupSnapshotsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ListGroupSnapshotsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CoordinatorServiceMethodDescriptorSupplier("ListGroupSnapshots"))
              .build();
        }
      }
    }
    return getListGroupSnapshotsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.DeleteGroupSnapshotRequest,
      io.groupsnap.proto.v1.DeleteGroupSnapshotResponse> getDeleteGroupSnapshotMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteGroupSnapshot",
      requestType = io.groupsnap.proto.v1.DeleteGroupSnapshotRequest.class,
      responseType = io.groupsnap.proto.v1.DeleteGroupSnapshotResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.DeleteGroupSnapshotRequest,
      io.groupsnap.proto.v1.DeleteGroupSnapshotResponse> getDeleteGroupSnapshotMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.DeleteGroupSnapshotRequest, io.groupsnap.proto.v1.DeleteGroupSnapshotResponse> getDeleteGroupSnapshotMethod;
    if ((getDeleteGroupSnapshotMethod = CoordinatorServiceGrpc.getDeleteGroupSnapshotMethod) == null) {
      synchronized (CoordinatorServiceGrpc.class) {
        if ((getDeleteGroupSnapshotMethod = CoordinatorServiceGrpc.getDeleteGroupSnapshotMethod) == null) {
          CoordinatorServiceGrpc.getDeleteGroupSnapshotMethod = getDeleteGroupSnapshotMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.DeleteGroupSnapshotRequest, io.groupsnap.proto.v1.DeleteGroupSnapshotResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteGroupSnapshot"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.DeleteGroupSnapshotRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.DeleteGroupSnapshotResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CoordinatorServiceMethodDescriptorSupplier("DeleteGroupSnapshot"))
              .build();
        }
      }
    }
    return getDeleteGroupSnapshotMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListAgentsRequest,
      io.groupsnap.proto.v1.ListAgentsResponse> getListAgentsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListAgents",
      requestType = io.groupsnap.proto.v1.ListAgentsRequest.class,
      responseType = io.groupsnap.proto.v1.ListAgentsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListAgentsRequest,
      io.groupsnap.proto.v1.ListAgentsResponse> getListAgentsMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ListAgentsRequest, io.groupsnap.proto.v1.ListAgentsResponse> getListAgentsMethod;
    if ((getListAgentsMethod = CoordinatorServiceGrpc.getListAgentsMethod) == null) {
      synchronized (CoordinatorServiceGrpc.class) {
        if ((getListAgentsMethod = CoordinatorServiceGrpc.getListAgentsMethod) == null) {
          CoordinatorServiceGrpc.getListAgentsMethod = getListAgentsMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.ListAgentsRequest, io.groupsnap.proto.v1.ListAgentsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListAgents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ListAgentsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ListAgentsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CoordinatorServiceMethodDescriptorSupplier("ListAgents"))
              .build();
        }
      }
    }
    return getListAgentsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ClusterStatusRequest,
      io.groupsnap.proto.v1.ClusterStatusResponse> getClusterStatusMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ClusterStatus",
      requestType = io.groupsnap.proto.v1.ClusterStatusRequest.class,
      responseType = io.groupsnap.proto.v1.ClusterStatusResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ClusterStatusRequest,
      io.groupsnap.proto.v1.ClusterStatusResponse> getClusterStatusMethod() {
    io.grpc.MethodDescriptor<io.groupsnap.proto.v1.ClusterStatusRequest, io.groupsnap.proto.v1.ClusterStatusResponse> getClusterStatusMethod;
    if ((getClusterStatusMethod = CoordinatorServiceGrpc.getClusterStatusMethod) == null) {
      synchronized (CoordinatorServiceGrpc.class) {
        if ((getClusterStatusMethod = CoordinatorServiceGrpc.getClusterStatusMethod) == null) {
          CoordinatorServiceGrpc.getClusterStatusMethod = getClusterStatusMethod =
              io.grpc.MethodDescriptor.<io.groupsnap.proto.v1.ClusterStatusRequest, io.groupsnap.proto.v1.ClusterStatusResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ClusterStatus"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ClusterStatusRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.groupsnap.proto.v1.ClusterStatusResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CoordinatorServiceMethodDescriptorSupplier("ClusterStatus"))
              .build();
        }
      }
    }
    return getClusterStatusMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static CoordinatorServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceStub>() {
        @java.lang.Override
        public CoordinatorServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CoordinatorServiceStub(channel, callOptions);
        }
      };
    return CoordinatorServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static CoordinatorServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceBlockingV2Stub>() {
        @java.lang.Override
        public CoordinatorServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CoordinatorServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return CoordinatorServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static CoordinatorServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceBlockingStub>() {
        @java.lang.Override
        public CoordinatorServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CoordinatorServiceBlockingStub(channel, callOptions);
        }
      };
    return CoordinatorServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static CoordinatorServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CoordinatorServiceFutureStub>() {
        @java.lang.Override
        public CoordinatorServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CoordinatorServiceFutureStub(channel, callOptions);
        }
      };
    return CoordinatorServiceFutureStub.newStub(factory, channel);
  }

  /**
   */
  public interface AsyncService {

    /**
     * <pre>
     * Starts a group snapshot and streams its progress; the last event carries the result. Cancelling the stream does
     * not cancel the transaction.
     * </pre>
     */
    default void createGroupSnapshot(io.groupsnap.proto.v1.CreateGroupSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ProgressEvent> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateGroupSnapshotMethod(), responseObserver);
    }

    /**
     */
    default void getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.GroupSnapshot> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetGroupSnapshotMethod(), responseObserver);
    }

    /**
     */
    default void listGroupSnapshots(io.groupsnap.proto.v1.ListGroupSnapshotsRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListGroupSnapshotsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListGroupSnapshotsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Deletes the captures on every member, then the catalog entry.
     * </pre>
     */
    default void deleteGroupSnapshot(io.groupsnap.proto.v1.DeleteGroupSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.DeleteGroupSnapshotResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteGroupSnapshotMethod(), responseObserver);
    }

    /**
     */
    default void listAgents(io.groupsnap.proto.v1.ListAgentsRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListAgentsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListAgentsMethod(), responseObserver);
    }

    /**
     */
    default void clusterStatus(io.groupsnap.proto.v1.ClusterStatusRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ClusterStatusResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getClusterStatusMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service CoordinatorService.
   */
  public static abstract class CoordinatorServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return CoordinatorServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service CoordinatorService.
   */
  public static final class CoordinatorServiceStub
      extends io.grpc.stub.AbstractAsyncStub<CoordinatorServiceStub> {
    private CoordinatorServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CoordinatorServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CoordinatorServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Starts a group snapshot and streams its progress; the last event carries the result. Cancelling the stream does
     * not cancel the transaction.
     * </pre>
     */
    public void createGroupSnapshot(io.groupsnap.proto.v1.CreateGroupSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ProgressEvent> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getCreateGroupSnapshotMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.GroupSnapshot> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetGroupSnapshotMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listGroupSnapshots(io.groupsnap.proto.v1.ListGroupSnapshotsRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListGroupSnapshotsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListGroupSnapshotsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Deletes the captures on every member, then the catalog entry.
     * </pre>
     */
    public void deleteGroupSnapshot(io.groupsnap.proto.v1.DeleteGroupSnapshotRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.DeleteGroupSnapshotResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteGroupSnapshotMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listAgents(io.groupsnap.proto.v1.ListAgentsRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListAgentsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListAgentsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void clusterStatus(io.groupsnap.proto.v1.ClusterStatusRequest request,
        io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ClusterStatusResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getClusterStatusMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service CoordinatorService.
   */
  public static final class CoordinatorServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<CoordinatorServiceBlockingV2Stub> {
    private CoordinatorServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CoordinatorServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CoordinatorServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Starts a group snapshot and streams its progress; the last event carries the result. Cancelling the stream does
     * not cancel the transaction.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, io.groupsnap.proto.v1.ProgressEvent>
        createGroupSnapshot(io.groupsnap.proto.v1.CreateGroupSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getCreateGroupSnapshotMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.GroupSnapshot getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetGroupSnapshotMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ListGroupSnapshotsResponse listGroupSnapshots(io.groupsnap.proto.v1.ListGroupSnapshotsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListGroupSnapshotsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes the captures on every member, then the catalog entry.
     * </pre>
     */
    public io.groupsnap.proto.v1.DeleteGroupSnapshotResponse deleteGroupSnapshot(io.groupsnap.proto.v1.DeleteGroupSnapshotRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteGroupSnapshotMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ListAgentsResponse listAgents(io.groupsnap.proto.v1.ListAgentsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListAgentsMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ClusterStatusResponse clusterStatus(io.groupsnap.proto.v1.ClusterStatusRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getClusterStatusMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service CoordinatorService.
   */
  public static final class CoordinatorServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<CoordinatorServiceBlockingStub> {
    private CoordinatorServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CoordinatorServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CoordinatorServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Starts a group snapshot and streams its progress; the last event carries the result. Cancelling the stream does
     * not cancel the transaction.
     * </pre>
     */
    public java.util.Iterator<io.groupsnap.proto.v1.ProgressEvent> createGroupSnapshot(
        io.groupsnap.proto.v1.CreateGroupSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getCreateGroupSnapshotMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.GroupSnapshot getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetGroupSnapshotMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ListGroupSnapshotsResponse listGroupSnapshots(io.groupsnap.proto.v1.ListGroupSnapshotsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListGroupSnapshotsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes the captures on every member, then the catalog entry.
     * </pre>
     */
    public io.groupsnap.proto.v1.DeleteGroupSnapshotResponse deleteGroupSnapshot(io.groupsnap.proto.v1.DeleteGroupSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteGroupSnapshotMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ListAgentsResponse listAgents(io.groupsnap.proto.v1.ListAgentsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListAgentsMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.groupsnap.proto.v1.ClusterStatusResponse clusterStatus(io.groupsnap.proto.v1.ClusterStatusRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getClusterStatusMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service CoordinatorService.
   */
  public static final class CoordinatorServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<CoordinatorServiceFutureStub> {
    private CoordinatorServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CoordinatorServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CoordinatorServiceFutureStub(channel, callOptions);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.GroupSnapshot> getGroupSnapshot(
        io.groupsnap.proto.v1.GetGroupSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetGroupSnapshotMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.ListGroupSnapshotsResponse> listGroupSnapshots(
        io.groupsnap.proto.v1.ListGroupSnapshotsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListGroupSnapshotsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Deletes the captures on every member, then the catalog entry.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.DeleteGroupSnapshotResponse> deleteGroupSnapshot(
        io.groupsnap.proto.v1.DeleteGroupSnapshotRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteGroupSnapshotMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.ListAgentsResponse> listAgents(
        io.groupsnap.proto.v1.ListAgentsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListAgentsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.groupsnap.proto.v1.ClusterStatusResponse> clusterStatus(
        io.groupsnap.proto.v1.ClusterStatusRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getClusterStatusMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_CREATE_GROUP_SNAPSHOT = 0;
  private static final int METHODID_GET_GROUP_SNAPSHOT = 1;
  private static final int METHODID_LIST_GROUP_SNAPSHOTS = 2;
  private static final int METHODID_DELETE_GROUP_SNAPSHOT = 3;
  private static final int METHODID_LIST_AGENTS = 4;
  private static final int METHODID_CLUSTER_STATUS = 5;

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
        case METHODID_CREATE_GROUP_SNAPSHOT:
          serviceImpl.createGroupSnapshot((io.groupsnap.proto.v1.CreateGroupSnapshotRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ProgressEvent>) responseObserver);
          break;
        case METHODID_GET_GROUP_SNAPSHOT:
          serviceImpl.getGroupSnapshot((io.groupsnap.proto.v1.GetGroupSnapshotRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.GroupSnapshot>) responseObserver);
          break;
        case METHODID_LIST_GROUP_SNAPSHOTS:
          serviceImpl.listGroupSnapshots((io.groupsnap.proto.v1.ListGroupSnapshotsRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListGroupSnapshotsResponse>) responseObserver);
          break;
        case METHODID_DELETE_GROUP_SNAPSHOT:
          serviceImpl.deleteGroupSnapshot((io.groupsnap.proto.v1.DeleteGroupSnapshotRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.DeleteGroupSnapshotResponse>) responseObserver);
          break;
        case METHODID_LIST_AGENTS:
          serviceImpl.listAgents((io.groupsnap.proto.v1.ListAgentsRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ListAgentsResponse>) responseObserver);
          break;
        case METHODID_CLUSTER_STATUS:
          serviceImpl.clusterStatus((io.groupsnap.proto.v1.ClusterStatusRequest) request,
              (io.grpc.stub.StreamObserver<io.groupsnap.proto.v1.ClusterStatusResponse>) responseObserver);
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
          getCreateGroupSnapshotMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.CreateGroupSnapshotRequest,
              io.groupsnap.proto.v1.ProgressEvent>(
                service, METHODID_CREATE_GROUP_SNAPSHOT)))
        .addMethod(
          getGetGroupSnapshotMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.GetGroupSnapshotRequest,
              io.groupsnap.proto.v1.GroupSnapshot>(
                service, METHODID_GET_GROUP_SNAPSHOT)))
        .addMethod(
          getListGroupSnapshotsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.ListGroupSnapshotsRequest,
              io.groupsnap.proto.v1.ListGroupSnapshotsResponse>(
                service, METHODID_LIST_GROUP_SNAPSHOTS)))
        .addMethod(
          getDeleteGroupSnapshotMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.DeleteGroupSnapshotRequest,
              io.groupsnap.proto.v1.DeleteGroupSnapshotResponse>(
                service, METHODID_DELETE_GROUP_SNAPSHOT)))
        .addMethod(
          getListAgentsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.ListAgentsRequest,
              io.groupsnap.proto.v1.ListAgentsResponse>(
                service, METHODID_LIST_AGENTS)))
        .addMethod(
          getClusterStatusMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.groupsnap.proto.v1.ClusterStatusRequest,
              io.groupsnap.proto.v1.ClusterStatusResponse>(
                service, METHODID_CLUSTER_STATUS)))
        .build();
  }

  private static abstract class CoordinatorServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    CoordinatorServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return io.groupsnap.proto.v1.Coordinator.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("CoordinatorService");
    }
  }

  private static final class CoordinatorServiceFileDescriptorSupplier
      extends CoordinatorServiceBaseDescriptorSupplier {
    CoordinatorServiceFileDescriptorSupplier() {}
  }

  private static final class CoordinatorServiceMethodDescriptorSupplier
      extends CoordinatorServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    CoordinatorServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (CoordinatorServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new CoordinatorServiceFileDescriptorSupplier())
              .addMethod(getCreateGroupSnapshotMethod())
              .addMethod(getGetGroupSnapshotMethod())
              .addMethod(getListGroupSnapshotsMethod())
              .addMethod(getDeleteGroupSnapshotMethod())
              .addMethod(getListAgentsMethod())
              .addMethod(getClusterStatusMethod())
              .build();
        }
      }
    }
    return result;
  }
}
