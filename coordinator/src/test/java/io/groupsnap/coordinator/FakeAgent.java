package io.groupsnap.coordinator;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.AbortResponse;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.DeleteSnapshotRequest;
import io.groupsnap.proto.v1.DeleteSnapshotResponse;
import io.groupsnap.proto.v1.VolumeInfo;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;

/**
 * An agent as the leader sees it, for coordinator tests: a real gRPC AgentService on loopback that answers ABORT with
 * a given report and DELETE with one capture deleted (every other call is left unimplemented), registered under {@code agents/<id>} with an ephemeral
 * node of the given ZooKeeper client.
 */
final class FakeAgent implements AutoCloseable {
  final String id;
  final List<AbortRequest> aborts = new CopyOnWriteArrayList<>();
  final List<DeleteSnapshotRequest> deletes = new CopyOnWriteArrayList<>();
  private final Server server;
  private volatile AbortResponse abortAnswer = AbortResponse.getDefaultInstance();

  FakeAgent(String id) throws Exception {
    this.id = id;
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void abort(AbortRequest req, StreamObserver<AbortResponse> out) {
            aborts.add(req);
            out.onNext(abortAnswer);
            out.onCompleted();
          }

          @Override
          public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
            deletes.add(req);
            out.onNext(DeleteSnapshotResponse.newBuilder().setDeleted(1).build());
            out.onCompleted();
          }
        }).build().start();
  }

  FakeAgent answeringAbort(AbortResponse answer) {
    this.abortAnswer = answer;
    return this;
  }

  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Registers it as a live agent with volume {@code data}; the node lives as long as {@code zk}'s session. */
  FakeAgent register(CuratorFramework zk, ZkLayout layout) throws Exception {
    zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(layout.agent(id),
        AgentRegistration.newBuilder().setAgentId(id).setEndpoint(endpoint()).setStartedAtMillis(1)
            .addVolumes(VolumeInfo.newBuilder().setName("data").setKind("dir")).build().toByteArray());
    return this;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
