package io.groupsnap.devkit.cluster;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.ProgressEvent;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.groupsnap.proto.v1.SettleInPlaceRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC connection to a dev cluster's coordinator, through its public CoordinatorService: what the demo and the
 * bench take and delete group snapshots with. It accepts only a server holding the coordinator role. Calls block; one
 * session may be used from one thread at a time.
 */
public final class CoordinatorSession implements AutoCloseable {
  private static final Duration CREATE_DEADLINE = Duration.ofMinutes(5);
  private final Transport transport;
  private final ManagedChannel channel;
  private final CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub;

  /** @param client the client's credentials (e.g. {@link DevCluster#clientTransport()}) */
  public CoordinatorSession(HostPort coordinator, TransportSettings client) throws TlsException {
    this.transport = client.open(Duration.ZERO);
    this.channel = NettyChannelBuilder.forTarget(coordinator.toString(),
        transport.channelCredentials(PeerCheck.role(Role.COORDINATOR))).build();
    this.stub = CoordinatorServiceGrpc.newBlockingStub(channel);
  }

  /**
   * Takes one group snapshot and returns its final record, committed or aborted.
   *
   * @throws DevkitException (failed) when the coordinator ends the stream without a result
   */
  public GroupSnapshot create() throws DevkitException {
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(CREATE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance());
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new DevkitException(DevkitException.Kind.FAILED, "the coordinator ended the stream without a result");
  }

  /**
   * Restores a group snapshot to new places, each member at {@code <to>/<agent>/<volume>}, through the leader's
   * RestoreService, waiting at most {@code deadline}; returns the per-member results.
   */
  public RestoreGroupSnapshotResponse restore(String id, java.nio.file.Path to, Duration deadline) {
    return RestoreServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .restoreGroupSnapshot(RestoreGroupSnapshotRequest.newBuilder().setGroupSnapshotId(id)
            .setTo(to.toAbsolutePath().toString()).build());
  }

  /**
   * Restores every member of a group snapshot in place, through the leader's RestoreService, waiting at most
   * {@code deadline}; returns the restore's record once it is settled for now: SWITCHED (the replaced data kept until
   * {@link #confirmInPlace}) or CANCELLED (nobody switched; the reason names the member).
   */
  public InPlaceRestore restoreInPlace(String groupSnapshotId, Duration deadline) {
    return RestoreServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .restoreInPlace(RestoreInPlaceRequest.newBuilder().setGroupSnapshotId(groupSnapshotId).build());
  }

  /** Confirms a SWITCHED in-place restore (every member's replaced data is deleted), waiting at most {@code deadline}. */
  public InPlaceRestore confirmInPlace(String restoreId, Duration deadline) {
    return RestoreServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .confirmInPlaceRestore(SettleInPlaceRequest.newBuilder().setRestoreId(restoreId).build());
  }

  /** Deletes a group snapshot, waiting at most {@code deadline}. */
  public void delete(String id, Duration deadline) {
    stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(id).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    transport.close();
  }
}
