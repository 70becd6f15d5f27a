package io.groupsnap.coordinator;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.AbortResponse;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CapturedVolume;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.CommitResponse;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.FreezeResponse;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.groupsnap.proto.v1.ThawRequest;
import io.groupsnap.proto.v1.ThawResponse;
import io.groupsnap.proto.v1.VolumeInfo;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;

/**
 * An agent that says yes to everything, for coordinator tests that need a group snapshot to commit: a real gRPC
 * AgentService on loopback answering PREPARE ok, FREEZE frozen with a capture of volume {@code data}, THAW unbroken,
 * COMMIT and ABORT. At each call it first runs {@code observer} with the call's name (PREPARE, FREEZE, THAW, ...),
 * which a test uses to look at the world at that moment; what it returns is kept by call name.
 */
final class AnsweringAgent implements AutoCloseable {
  /** Looks at the world when a call arrives. */
  @FunctionalInterface
  interface Observer {
    Object at(String call) throws Exception;
  }

  final String id;
  final Map<String, Object> seen = new ConcurrentHashMap<>();
  private final Server server;

  AnsweringAgent(String id, Observer observer) throws Exception {
    this.id = id;
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AgentServiceGrpc.AgentServiceImplBase() {
          private void look(String call) {
            try {
              seen.put(call, observer.at(call));
            } catch (Exception e) {
              seen.put(call, e);
            }
          }

          @Override
          public void prepare(PrepareRequest req, StreamObserver<PrepareResponse> out) {
            look("PREPARE");
            out.onNext(PrepareResponse.newBuilder().setOk(true)
                .addVolumes(VolumeInfo.newBuilder().setName("data").setKind("dir")).build());
            out.onCompleted();
          }

          @Override
          public void freeze(FreezeRequest req, StreamObserver<FreezeResponse> out) {
            look("FREEZE");
            out.onNext(FreezeResponse.newBuilder().setFrozen(true).setFreezeStartedAtMillis(System.currentTimeMillis())
                .addCaptured(CapturedVolume.newBuilder().setVolume("data").setSnapshotPath("/snap/data")).build());
            out.onCompleted();
          }

          @Override
          public void thaw(ThawRequest req, StreamObserver<ThawResponse> out) {
            look("THAW");
            out.onNext(ThawResponse.newBuilder().setUnbroken(true).setThawedAtMillis(System.currentTimeMillis())
                .build());
            out.onCompleted();
          }

          @Override
          public void commit(CommitRequest req, StreamObserver<CommitResponse> out) {
            look("COMMIT");
            out.onNext(CommitResponse.newBuilder().setKept(1).build());
            out.onCompleted();
          }

          @Override
          public void abort(AbortRequest req, StreamObserver<AbortResponse> out) {
            look("ABORT");
            out.onNext(AbortResponse.getDefaultInstance());
            out.onCompleted();
          }
        }).build().start();
  }

  /** Registers it as a live agent with volume {@code data}; the node lives as long as {@code zk}'s session. */
  AnsweringAgent register(CuratorFramework zk, ZkLayout layout) throws Exception {
    return register(zk, layout, Map.of());
  }

  /** As {@link #register(CuratorFramework, ZkLayout)}, publishing {@code labels}. */
  AnsweringAgent register(CuratorFramework zk, ZkLayout layout, Map<String, String> labels) throws Exception {
    zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(layout.agent(id),
        AgentRegistration.newBuilder().setAgentId(id).setEndpoint("127.0.0.1:" + server.getPort())
            .setStartedAtMillis(1).addVolumes(VolumeInfo.newBuilder().setName("data").setKind("dir"))
            .putAllLabels(labels).build().toByteArray());
    return this;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
