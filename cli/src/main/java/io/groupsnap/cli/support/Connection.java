package io.groupsnap.cli.support;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.LeaderLookup;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.common.zkauth.ZkRefusedException;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorInfo;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.GroupServiceGrpc;
import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * A connection to the coordinator an operator's command talks to. Resolves the endpoint (flag, environment, then the
 * leader found in ZooKeeper), puts a deadline on every call, follows a standby's NOT_LEADER answer to the leader, and
 * turns failures into {@link CliException}s with the right exit code and a one-line message.
 *
 * <p>Every coordinator it connects to — the one it started with, and any it was sent to by a NOT_LEADER answer, by
 * ZooKeeper or by a list of coordinators — must present a certificate with the coordinator role from the trusted
 * authority (a forged leader node in ZooKeeper cannot send it to an impostor); its own certificate names the operator
 * whose roles the coordinator checks.
 *
 * <p>It remembers every coordinator it has heard of (the one it started with, those it was sent to, those
 * {@link #learnCoordinators} found), so that {@link #relocate} can find another one after the leader died even without
 * ZooKeeper. Not thread-safe: one command uses it from one thread.
 */
public final class Connection implements AutoCloseable {
  static final Metadata.Key<String> LEADER_KEY = Metadata.Key.of("groupsnap-leader", Metadata.ASCII_STRING_MARSHALLER);
  public static final Duration CALL_DEADLINE = Duration.ofSeconds(15);
  private static final int MAX_REDIRECTS = 3;

  private static final Duration PROBE_DEADLINE = Duration.ofSeconds(2);

  private final Transport transport;
  private String endpoint;
  private ManagedChannel channel;
  private Target target;
  private final Set<String> known = new LinkedHashSet<>();

  private Connection(Transport transport, String endpoint) {
    this.transport = transport;
    this.endpoint = endpoint;
    this.channel = open(endpoint);
    known.add(endpoint);
  }

  /**
   * Resolves the coordinator; fails with exit 2 for a malformed address or missing or unusable TLS credentials, 1
   * when ZooKeeper cannot be reached.
   */
  public static Connection open(Target target) throws CliException {
    String given = target.coordinator() == null ? null : validate("--coordinator", target.coordinator());
    if (given == null && target.zookeeper() == null) {
      throw new CliException(ExitCodes.USAGE, "no coordinator given: use --coordinator HOST:PORT or --zookeeper "
          + "CONNECT (or set GROUPSNAP_COORDINATOR / GROUPSNAP_ZOOKEEPER, e.g. from a dev cluster's dev.env)");
    }
    TransportSettings settings = target.tls().settings(); // before a ZooKeeper lookup that may take a while
    String endpoint = given != null ? given : leader(target);
    Transport transport;
    try {
      transport = settings.open(Duration.ZERO);
    } catch (TlsException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    Connection c = new Connection(transport, endpoint);
    c.target = target;
    return c;
  }

  private static String leader(Target target) throws CliException {
    String zk = target.zookeeper();
    ZkLayout layout;
    try {
      layout = new ZkLayout(target.cluster());
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--cluster: " + e.getMessage());
    }
    ZkAuth auth = auth(target);
    try (CuratorFramework client = ZkClients.connect(zk, Duration.ofSeconds(10), ZkClients.SESSION_TIMEOUT, auth)) {
      Optional<String> leader = LeaderLookup.leader(client, layout);
      return leader.orElseThrow(() -> new CliException(ExitCodes.FAILED,
          "no coordinator is leading cluster '" + target.cluster() + "' (ZooKeeper " + zk + ")"));
    } catch (ZkClients.UnreachableException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage());
    } catch (CliException e) {
      throw e;
    } catch (Exception e) {
      Optional<KeeperException> refusal = ZkRefusedException.refusal(e);
      if (refusal.isPresent()) {
        throw new CliException(ExitCodes.FAILED, ZkRefusedException.of("operator", auth == null ? null
            : auth.credentials(), refusal.get(), layout.leader(), "check that it holds this cluster's agents or "
            + "coordinator password", "this cluster's nodes are protected: pass --zookeeper-auth FILE (or set "
            + "GROUPSNAP_ZOOKEEPER_AUTH)").getMessage());
      }
      throw new CliException(ExitCodes.FAILED, "cannot read the leader from ZooKeeper " + zk + ": " + e);
    }
  }

  /** The credentials of {@code --zookeeper-auth} / {@code GROUPSNAP_ZOOKEEPER_AUTH}; null when none are given. */
  private static ZkAuth auth(Target target) throws CliException {
    String file = target.zookeeperAuth();
    if (file == null) {
      return null;
    }
    try {
      return new ZkAuth(ZkCredentials.load(Path.of(file)), null);
    } catch (CredentialsFileException e) {
      throw new CliException(ExitCodes.USAGE, "--zookeeper-auth: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.USAGE, "--zookeeper-auth: '" + file + "' is not a path");
    }
  }

  private static String validate(String what, String ep) throws CliException {
    try {
      return HostPort.parse(ep).toString();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, what + ": " + e.getMessage());
    }
  }

  /** A channel to {@code endpoint} that accepts only a server holding the coordinator role. */
  private ManagedChannel open(String endpoint) {
    return NettyChannelBuilder.forTarget(endpoint, transport.channelCredentials(PeerCheck.role(Role.COORDINATOR)))
        .disableRetry().build();
  }

  public String endpoint() {
    return endpoint;
  }

  /** A blocking stub whose calls all end within {@code deadline}. */
  public CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub(Duration deadline) {
    return CoordinatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One call */
  @FunctionalInterface
  public interface Call<T> {
    T run(CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub);
  }

  /** A blocking GroupService stub whose calls all end within {@code deadline}. */
  public GroupServiceGrpc.GroupServiceBlockingStub groups(Duration deadline) {
    return GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One call of the group service. */
  @FunctionalInterface
  public interface GroupCall<T> {
    T run(GroupServiceGrpc.GroupServiceBlockingStub stub);
  }

  /** Runs a call, following NOT_LEADER redirects; failures become CliExceptions. */
  public <T> T call(Duration deadline, Call<T> call) throws CliException {
    return redirected(() -> call.run(stub(deadline)));
  }

  /** Runs a group service call, following NOT_LEADER redirects; failures become CliExceptions. */
  public <T> T callGroups(Duration deadline, GroupCall<T> call) throws CliException {
    return redirected(() -> call.run(groups(deadline)));
  }

  private <T> T redirected(java.util.function.Supplier<T> call) throws CliException {
    for (int hop = 0; ; hop++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        String leader = redirect(e);
        if (leader != null && hop < MAX_REDIRECTS && !leader.equals(endpoint)) {
          follow(leader);
          continue;
        }
        throw failure(e);
      }
    }
  }

  /**
   * Runs a call on another service of the coordinator ({@code stubs} makes its blocking stub from the channel), with
   * the same deadline, NOT_LEADER redirects and failure mapping as {@link #call(Duration, Call)}.
   */
  public <S extends io.grpc.stub.AbstractStub<S>, T> T call(Duration deadline,
      java.util.function.Function<io.grpc.Channel, S> stubs, java.util.function.Function<S, T> call)
      throws CliException {
    // the stub is made at each hop: a redirect changes the channel
    return redirected(() -> call.apply(stubs.apply(channel).withDeadlineAfter(deadline.toMillis(),
        TimeUnit.MILLISECONDS)));
  }

  /** A BackupService call, following NOT_LEADER redirects as {@link #call} does; failures become CliExceptions. */
  public <T> T backup(Duration deadline,
      java.util.function.Function<io.groupsnap.proto.v1.BackupServiceGrpc.BackupServiceBlockingStub, T> call)
      throws CliException {
    return call(deadline, io.groupsnap.proto.v1.BackupServiceGrpc::newBlockingStub, call);
  }

  /** The leader named by a NOT_LEADER answer, or null. */
  public static String redirect(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION || e.getTrailers() == null) {
      return null;
    }
    return e.getTrailers().get(LEADER_KEY);
  }

  /**
   * Asks the coordinator for the cluster's coordinators and remembers them, so that a failover can be followed
   * without ZooKeeper. Best effort: a failure here is left to the call that follows.
   */
  public void learnCoordinators() {
    try {
      ClusterStatusResponse s = stub(PROBE_DEADLINE.multipliedBy(2)).clusterStatus(
          ClusterStatusRequest.getDefaultInstance());
      for (CoordinatorInfo ci : s.getCoordinatorsList()) {
        remember(ci.getId());
      }
    } catch (StatusRuntimeException e) {
      // nothing learned
    }
  }

  /** Whether {@link #relocate} has anywhere to look: ZooKeeper, or another coordinator heard of. */
  public boolean canRelocate() {
    return (target != null && target.zookeeper() != null) || known.size() > 1;
  }

  /**
   * After the coordinator went away: switches to the leader found through ZooKeeper, else to any other coordinator
   * heard of that answers (a standby answers reads, and names the leader for writes). Returns false when there is
   * nowhere else to go.
   */
  public boolean relocate() {
    String zk = target == null ? null : target.zookeeper();
    if (zk != null) {
      try (CuratorFramework client = ZkClients.connect(zk, Duration.ofSeconds(5), ZkClients.SESSION_TIMEOUT,
          auth(target))) {
        Optional<String> leader = LeaderLookup.leader(client, new ZkLayout(target.cluster()));
        if (leader.isPresent() && !leader.get().equals(endpoint)) {
          follow(leader.get());
          return true;
        }
      } catch (Exception e) {
        // ZooKeeper unreachable or no leader listed: try the coordinators heard of
      }
    }
    for (String other : List.copyOf(known)) {
      if (!other.equals(endpoint) && answers(other)) {
        follow(other);
        return true;
      }
    }
    return false;
  }

  private boolean answers(String candidate) {
    ManagedChannel probe = open(candidate);
    try {
      CoordinatorServiceGrpc.newBlockingStub(probe).withDeadlineAfter(PROBE_DEADLINE.toMillis(),
          TimeUnit.MILLISECONDS).clusterStatus(ClusterStatusRequest.getDefaultInstance());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    } finally {
      probe.shutdownNow();
    }
  }

  private void remember(String candidate) {
    try {
      known.add(HostPort.parse(candidate).toString());
    } catch (IllegalArgumentException e) {
      // not an endpoint: nothing to remember
    }
  }

  /** Switches to another coordinator (the leader a standby named). */
  public void follow(String leader) {
    channel.shutdownNow();
    endpoint = leader;
    channel = open(leader);
    remember(leader);
  }

  /** Maps a failed call to an exit code and a one-line message. */
  public CliException failure(StatusRuntimeException e) {
    Status s = e.getStatus();
    String desc = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    if (s.getCause() != null && s.getCause().getMessage() != null) {
      desc = s.getCause().getMessage();
    }
    return switch (s.getCode()) {
      case INVALID_ARGUMENT, NOT_FOUND -> new CliException(ExitCodes.USAGE, desc);
      // "identity 'bob' (viewer) lacks the operator role for DeleteGroupSnapshot": the coordinator's one line
      case PERMISSION_DENIED -> new CliException(ExitCodes.FAILED, "refused: " + desc);
      case UNAVAILABLE -> new CliException(ExitCodes.FAILED, "cannot reach coordinator at " + endpoint + ": "
          + Handshakes.describe(s).orElse(desc));
      case DEADLINE_EXCEEDED -> new CliException(ExitCodes.FAILED, "coordinator at " + endpoint
          + " did not answer in time");
      default -> new CliException(ExitCodes.FAILED, desc);
    };
  }

  /** Checks a name given on the command line; exit 2 naming the argument otherwise. */
  public static String name(String what, String value) throws CliException {
    try {
      return Names.require(what, value);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      transport.close();
    }
  }
}
