package io.groupsnap.it;

import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A coordinator endpoint that dies while it answers a create, as a leader killed at that instant would: it passes the
 * request on to the real leader (or, with {@code forward} false, does not), and breaks the caller's stream before
 * any event reaches it. From then on nothing listens on its port. Other calls are not served.
 */
final class VanishingCoordinator implements AutoCloseable {
  /** The group snapshot id the real leader confirmed for the forwarded request, once it did. */
  final AtomicReference<String> forwardedId = new AtomicReference<>();
  private final boolean forward;
  private final ClientChannel upstream;
  private final Transport transport;
  private final Server server;
  private final String endpoint;
  private final AtomicBoolean vanished = new AtomicBoolean();

  /** In front of {@code cluster}'s leader, with its coordinator's certificate; forwarding as its admin. */
  VanishingCoordinator(DevCluster cluster, boolean forward) throws IOException, TlsException {
    this.forward = forward;
    upstream = ClientChannel.toCoordinator(cluster.clientTransport(), cluster.coordinator().endpoint().toString());
    transport = cluster.coordinatorTransport().open();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), transport.serverCredentials())
        .addService(new Service()).build().start();
    endpoint = "127.0.0.1:" + server.getPort();
  }

  String endpoint() {
    return endpoint;
  }

  private void vanish(StreamObserver<ProgressEvent> caller) {
    if (vanished.compareAndSet(false, true)) {
      caller.onError(Status.UNAVAILABLE.withDescription("connection reset by peer").asException());
      server.shutdown();
    }
  }

  private final class Service extends CoordinatorServiceGrpc.CoordinatorServiceImplBase {
    @Override
    public void createGroupSnapshot(CreateGroupSnapshotRequest req, StreamObserver<ProgressEvent> caller) {
      if (!forward) {
        vanish(caller);
        return;
      }
      CoordinatorServiceGrpc.newStub(upstream.channel).createGroupSnapshot(req,
          new ClientResponseObserver<CreateGroupSnapshotRequest, ProgressEvent>() {
            private ClientCallStreamObserver<CreateGroupSnapshotRequest> call;

            @Override
            public void beforeStart(ClientCallStreamObserver<CreateGroupSnapshotRequest> call) {
              this.call = call;
            }

            @Override
            public void onNext(ProgressEvent e) {
              forwardedId.compareAndSet(null, e.getGroupSnapshotId());
              call.cancel("the caller is gone", null); // the transaction goes on without a watcher
              vanish(caller);
            }

            @Override
            public void onError(Throwable t) {
              vanish(caller);
            }

            @Override
            public void onCompleted() {
              vanish(caller);
            }
          });
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    upstream.close();
    transport.close();
  }
}
