package io.groupsnap.it.cluster;

import static org.awaitility.Awaitility.await;

import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc.CoordinatorServiceBlockingStub;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The test's gRPC client of the coordinators: finds whichever one leads (through ZooKeeper, never by asking a
 * coordinator), keeps one channel per endpoint, and runs group snapshots to their end. It calls with the credentials
 * it is given (the cluster's admin client certificate, {@link ClusterSecurity#admin()}) and requires the server to
 * hold the coordinator role and a certificate for the address dialled. Every wait is bounded. Thread-safe;
 * {@link #close()} shuts every channel down.
 */
final class LeaderClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final Callable<Optional<String>> leaderLookup;
  private final Transport transport;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /**
   * @param leaderLookup the leading coordinator's endpoint as ZooKeeper shows it now
   * @param credentials how to connect (read once: the harness never rotates its certificate)
   */
  LeaderClient(Callable<Optional<String>> leaderLookup, TransportSettings credentials) throws TlsException {
    this.leaderLookup = leaderLookup;
    this.transport = credentials.open(Duration.ZERO);
  }

  /** A stub to whichever coordinator leads now (waits a bounded time for one). */
  CoordinatorServiceBlockingStub leader() {
    return CoordinatorServiceGrpc.newBlockingStub(leaderChannel());
  }

  CoordinatorServiceBlockingStub stub(String endpoint) {
    return CoordinatorServiceGrpc.newBlockingStub(channel(endpoint));
  }

  /** The channel to one coordinator endpoint, for the services beside CoordinatorService (groups, runs, ...). */
  ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder
        .forTarget(e, transport.channelCredentials(PeerCheck.role(Role.COORDINATOR))).build());
  }

  /** The channel to whichever coordinator leads now (waits a bounded time for one). */
  ManagedChannel leaderChannel() {
    AtomicReference<String> ep = new AtomicReference<>();
    await("a leading coordinator").atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> leaderLookup.call().map(e -> {
          ep.set(e);
          return true;
        }).orElse(false));
    return channel(ep.get());
  }

  /**
   * Runs one group snapshot to its end through the current leader. Retries (bounded) while no coordinator is ready to
   * lead: NOT_LEADER, a leader still resolving its predecessor's transactions, or an unreachable coordinator; and
   * while an agent the cluster knows is not registered (between the two processes of a restarted agent).
   */
  GroupSnapshot snapshot(CreateGroupSnapshotRequest request) {
    AtomicReference<GroupSnapshot> result = new AtomicReference<>();
    await("a group snapshot through the leader").atMost(WAIT).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(LeaderClient::noLeaderYet)
        .until(() -> {
          result.set(createOnce(leader(), request));
          return true;
        });
    return result.get();
  }

  private static GroupSnapshot createOnce(CoordinatorServiceBlockingStub stub, CreateGroupSnapshotRequest request) {
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(2, TimeUnit.MINUTES).createGroupSnapshot(request);
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new IllegalStateException("the progress stream ended without a result");
  }

  private static boolean noLeaderYet(Throwable t) {
    if (!(t instanceof StatusRuntimeException s)) {
      return false;
    }
    Status.Code code = s.getStatus().getCode();
    String d = String.valueOf(s.getStatus().getDescription());
    boolean agentMissing = s.getTrailers() != null
        && s.getTrailers().get(CoordinatorGrpcService.MISSING_AGENTS_KEY) != null; // e.g. between its two processes
    return code == Status.Code.UNAVAILABLE || agentMissing
        || code == Status.Code.FAILED_PRECONDITION && (d.startsWith("NOT_LEADER") || d.contains("not the leader"));
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    transport.close();
  }
}
