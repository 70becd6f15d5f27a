package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.CertAuthority;
import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.cluster.DevTls;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.tls.Transport;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS and roles on a real cluster (DESIGN.md G7): clients without a certificate, with one from another CA,
 * with an expired one or with too small a role are refused, and nothing is frozen or deleted for them; a coordinator
 * does not drive an endpoint whose certificate is not the agent its registration names; an anonymous ZooKeeper client
 * changes none of the cluster's nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {
  @TempDir static Path tmp;
  ClusterFixture f;
  CertAuthority ca;
  Path tls;
  String coordinator;
  GroupSnapshot committed;

  @BeforeAll
  void start() throws Exception {
    f = new ClusterFixture(tmp.resolve("cluster"), 3);
    tls = f.dataDir.resolve(DevCluster.TLS_DIR);
    ca = CertAuthority.load(tls.resolve(DevTls.CA), tls.resolve(DevTls.CA_KEY));
    coordinator = f.cluster.coordinator().endpoint().toString();
    committed = f.create();
    assertThat(committed.getState()).as(committed.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  /** A certificate of the cluster's authority (or {@code other}'s) for {@code name} with {@code role}. */
  TransportSettings issued(CertAuthority by, String name, Role role, Instant from, Instant to) throws Exception {
    Path cert = tmp.resolve(name + ".pem");
    Path key = tmp.resolve(name + ".key");
    by.issue(new CertAuthority.Leaf(name, Set.of(role), List.of("127.0.0.1"), from, to)).write(cert, key);
    return TransportSettings.tls(new TlsFiles(tls.resolve(DevTls.CA), cert, key));
  }

  TransportSettings valid(CertAuthority by, String name, Role role) throws Exception {
    return issued(by, name, role, Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(1)));
  }

  static List<String> flags(TransportSettings t) {
    return List.of("--tls-ca", t.tls().ca().toString(), "--tls-cert", t.tls().cert().toString(), "--tls-key",
        t.tls().key().toString());
  }

  static Cli cli(TransportSettings as, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(flags(as));
    return Cli.run(all.toArray(String[]::new));
  }

  void assertStillCommitted() {
    GroupSnapshot g = f.coordinator.getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest.newBuilder()
        .setId(committed.getId()).build());
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    for (var a : f.cluster.agents().values()) {
      assertThat(a.config().snapshotRoot().resolve(DevCluster.VOLUME).resolve(committed.getId())).isDirectory();
    }
  }

  @Test
  void aViewerCallingDelete_isRefused_namingItsIdentityAndTheRole_andNothingIsDeleted() throws Exception {
    TransportSettings bob = valid(ca, "bob", Role.VIEWER);
    Cli r = cli(bob, "snapshot", "delete", committed.getId(), "--coordinator", coordinator);
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).isEqualTo("groupsnap: refused: identity 'bob' (viewer) lacks the operator role for "
        + "DeleteGroupSnapshot\n");
    assertStillCommitted();
    Cli list = cli(bob, "snapshot", "list", "--coordinator", coordinator);
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains(committed.getId());
  }

  @Test
  void aClientWithoutACertificate_isRefusedAtTheHandshake() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forTarget(coordinator).sslContext(GrpcSslContexts.forClient()
        .trustManager(tls.resolve(DevTls.CA).toFile()).build()).build();
    try {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
          CoordinatorServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
              .deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(committed.getId()).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      ch.shutdownNow();
    }
    Cli plain = Cli.run("snapshot", "delete", committed.getId(), "--coordinator", coordinator, "--insecure");
    assertThat(plain.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(plain.err()).startsWith("groupsnap: cannot reach coordinator at " + coordinator).hasLineCount(1);
    assertStillCommitted();
  }

  @Test
  void aCertificateOfAnotherAuthority_isRefused_withOneLine() throws Exception {
    CertAuthority other = CertAuthority.create("another CA", Duration.ofDays(1));
    TransportSettings mallory = valid(other, "mallory", Role.ADMIN);
    Cli r = cli(mallory, "snapshot", "delete", committed.getId(), "--coordinator", coordinator);
    assertThat(r.exit()).as("refused before dialling: the CA given did not sign it").isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).hasLineCount(1);
    assertThat(refusedWith(mallory)).isEqualTo(Status.Code.UNAVAILABLE); // and the coordinator refuses it too
    assertStillCommitted();
  }

  @Test
  void anExpiredCertificate_isRefused() throws Exception {
    TransportSettings old = issued(ca, "old-admin", Role.ADMIN, Instant.now().minus(Duration.ofDays(2)),
        Instant.now().minus(Duration.ofDays(1)));
    Cli r = cli(old, "snapshot", "delete", committed.getId(), "--coordinator", coordinator);
    assertThat(r.exit()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("expired").hasLineCount(1);
    assertThat(refusedWith(old)).isEqualTo(Status.Code.UNAVAILABLE);
    assertStillCommitted();
  }

  /** The status of a delete sent with {@code client}'s certificate as it is, by a plain TLS client (no checks). */
  Status.Code refusedWith(TransportSettings client) throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forTarget(coordinator).sslContext(GrpcSslContexts.forClient()
        .trustManager(tls.resolve(DevTls.CA).toFile())
        .keyManager(client.tls().cert().toFile(), client.tls().key().toFile()).build()).build();
    try {
      return catchThrowableOfType(StatusRuntimeException.class, () ->
          CoordinatorServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
              .deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(committed.getId()).build()))
          .getStatus().getCode();
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void anAgent_refusesAnAdminsPrepare_andItsWriterSeesNothing() throws Exception {
    var agent2 = f.cluster.agents().get("agent-2");
    int before = f.writers.get("agent-2").prepares.get();
    var status = f.coordinator.clusterStatus(ClusterStatusRequest.getDefaultInstance());
    try (ClientChannel ch = ClientChannel.open(f.cluster.clientTransport(), agent2.endpoint().toString(),
        PeerCheck.identity("agent-2", Role.AGENT))) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
          AgentServiceGrpc.newBlockingStub(ch.channel).withDeadlineAfter(10, TimeUnit.SECONDS).prepare(
              PrepareRequest.newBuilder().setHeader(TxnHeader.newBuilder().setClusterId(status.getClusterId())
                  .setEpoch(status.getEpoch()).setTxnId("intruder-1")).setLeaseMillis(30_000).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getStatus().getDescription())
          .isEqualTo("identity 'admin' (admin) lacks the coordinator role for Prepare");
    }
    assertThat(f.writers.get("agent-2").prepares.get()).isEqualTo(before);
    assertThat(agent2.participant().isActive("intruder-1")).isFalse();
  }

  @Test
  void aServerWithoutTheCoordinatorRole_isRefusedByTheCli() throws Exception {
    String agent1 = f.cluster.agents().get("agent-1").endpoint().toString(); // a valid certificate, of an agent
    Cli r = f.cli("snapshot", "list", "--coordinator", agent1);
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).isEqualTo("groupsnap: cannot reach coordinator at " + agent1 + ": the server's certificate "
        + "agent-1 (agent) lacks the coordinator role\n");
  }

  @Test
  void aForgedRegistration_isNotDriven_andTheGroupSnapshotAbortsNamingTheMismatch() throws Exception {
    ZkLayout layout = new ZkLayout(DevCluster.CLUSTER);
    String agent3 = f.cluster.agents().get("agent-3").endpoint().toString();
    String agent2 = f.cluster.agents().get("agent-2").endpoint().toString();
    // only agent-2's own ZooKeeper secret may change its registration (see below): the forger here holds it, and the
    // coordinator's check of the certificate is what is left
    try (CuratorFramework zk = f.zkAsAgent("agent-2")) {
      AgentRegistration real = AgentRegistration.parseFrom(zk.getData().forPath(layout.agent("agent-2")));
      zk.setData().forPath(layout.agent("agent-2"), real.toBuilder().setEndpoint(agent3).build().toByteArray());
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> f.coordinator.listAgents(ListAgentsRequest
            .getDefaultInstance()).getAgentsList().stream()
            .anyMatch(a -> a.getAgentId().equals("agent-2") && a.getEndpoint().equals(agent3)));
        int prepares2 = f.writers.get("agent-2").prepares.get();
        GroupSnapshot g = f.create();
        assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
        assertThat(g.getAbortReason()).contains("agent agent-2 at " + agent3)
            .contains("presented the certificate of 'agent-3'");
        assertThat(f.writers.get("agent-2").prepares.get()).isEqualTo(prepares2);
        f.assertNothingFrozen();
      } finally {
        zk.setData().forPath(layout.agent("agent-2"), real.toBuilder().setEndpoint(agent2).build().toByteArray());
      }
    }
  }

  /** Replaces {@code name}'s certificate and key in the cluster's TLS directory, key first; the new serial. */
  BigInteger reissue(String name, Role role, List<String> sans) throws Exception {
    CertAuthority.Issued next = ca.issue(CertAuthority.Leaf.valid(name, Set.of(role), sans, Duration.ofDays(1)));
    next.write(tls.resolve(name + ".pem"), tls.resolve(name + ".key"));
    return next.certificate().getSerialNumber();
  }

  /**
   * Issue 10, rotation: every certificate of the cluster (coordinator, agents, the client's) is replaced while group
   * snapshots are taken back to back through the CLI; every daemon picks its new certificate up without a restart
   * (seen on new connections, not waited for), no snapshot aborts, and new hops present the new certificates on both
   * ends. Connections established before keep their handshake, as TLS does.
   */
  @Test
  void certificatesReplacedWhileSnapshotsRun_nothingAborts_andNewConnectionsPresentTheNewOnes() throws Exception {
    Map<String, HostPort> daemons = new LinkedHashMap<>();
    daemons.put(DevTls.COORDINATOR, f.cluster.coordinator().endpoint());
    f.cluster.agents().forEach((id, a) -> daemons.put(id, a.endpoint()));
    Map<String, BigInteger> before = new LinkedHashMap<>();
    for (String name : daemons.keySet()) {
      before.put(name, TlsHops.serialOf(tls.resolve(name + ".pem")));
    }
    CertAuthority.Issued probe = ca.issue(CertAuthority.Leaf.valid("probe", Set.of(Role.VIEWER), List.of(),
        Duration.ofDays(1)));
    List<Object> runs = Collections.synchronizedList(new ArrayList<>()); // a Cli, or what the loop threw
    AtomicBoolean stop = new AtomicBoolean();
    Thread creator = new Thread(() -> {
      while (!stop.get()) {
        try {
          runs.add(f.cli("snapshot", "create", "--wait", "-o", "json", "--coordinator", coordinator));
        } catch (RuntimeException | Error e) {
          runs.add(e);
          return;
        }
      }
    }, "rotation-creates");
    Map<String, BigInteger> after = new LinkedHashMap<>();
    BigInteger admin;
    int beforeRotation;
    int afterReload;
    creator.start();
    try {
      await().atMost(Duration.ofMinutes(2)).until(() -> runs.size() >= 3);
      beforeRotation = runs.size();
      for (String name : daemons.keySet()) {
        after.put(name, reissue(name, name.equals(DevTls.COORDINATOR) ? Role.COORDINATOR : Role.AGENT,
            DevTls.LOOPBACK));
      }
      admin = reissue(DevTls.ADMIN, Role.ADMIN, List.of());
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        for (Map.Entry<String, HostPort> d : daemons.entrySet()) {
          assertThat(TlsHops.serverSerial(d.getValue().host(), d.getValue().port(), probe, ca.certificate()))
              .as("serial a new connection to %s sees", d.getKey()).isEqualTo(after.get(d.getKey()));
        }
      });
      afterReload = runs.size();
      await().atMost(Duration.ofMinutes(2)).until(() -> runs.size() >= Math.max(12, afterReload + 5));
    } finally {
      stop.set(true);
      creator.join(Duration.ofMinutes(2).toMillis());
    }
    assertThat(beforeRotation).isGreaterThanOrEqualTo(3);
    ObjectMapper json = new ObjectMapper();
    synchronized (runs) {
      assertThat(runs).hasSizeGreaterThanOrEqualTo(12).allSatisfy(run -> {
        assertThat(run).isInstanceOf(Cli.class);
        Cli r = (Cli) run;
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode g = json.readTree(r.out());
        assertThat(g.get("state").asText()).as("%s", g).isEqualTo("COMMITTED");
      });
    }
    for (String name : daemons.keySet()) {
      assertThat(after.get(name)).as(name).isNotEqualTo(before.get(name));
    }
    // client -> coordinator: a new connection with the client's files as they are now
    try (Transport client = f.cluster.clientTransport().open(Duration.ZERO)) {
      assertThat(TlsHops.toCoordinator(client, coordinator))
          .isEqualTo(new TlsHops.Ends(admin, after.get(DevTls.COORDINATOR)));
    }
    // coordinator -> agent: a new connection made with the coordinator's own running transport
    Transport coordinatorTransport = f.cluster.coordinatorTransportInUse();
    for (var a : f.cluster.agents().values()) {
      assertThat(TlsHops.toAgent(coordinatorTransport, a.id(), a.endpoint().toString())).as(a.id())
          .isEqualTo(new TlsHops.Ends(after.get(DevTls.COORDINATOR), after.get(a.id())));
    }
  }

  /**
   * Issue 10: every node was {@code world:anyone:cdrwa}. On this cluster an anonymous ZooKeeper client can neither read
   * nor change the epoch, a record or a registration, nor plant a fake leader or record; another agent cannot change
   * agent-2's registration; and the cluster goes on committing.
   */
  @Test
  void anAnonymousZooKeeperClient_orAnotherAgent_cannotRewriteTheClustersNodes() throws Exception {
    ZkLayout layout = new ZkLayout(DevCluster.CLUSTER);
    byte[] junk = {7};
    GroupSnapshot mine = f.create();
    assertThat(mine.getState()).as(mine.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    List<String> nodes = List.of(layout.epoch(), layout.txn(mine.getId()), layout.snapshot(mine.getId()),
        layout.agent("agent-2"));
    try (CuratorFramework anonymous = ZkClients.connect(f.zk.getConnectString(), Duration.ofSeconds(10));
        CuratorFramework agent3 = f.zkAsAgent("agent-3")) {
      for (String node : nodes) {
        assertThat(catchThrowable(() -> anonymous.setData().forPath(node, junk))).as("write %s", node)
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThat(catchThrowable(() -> anonymous.getData().forPath(node))).as("read %s", node)
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThat(catchThrowable(() -> anonymous.delete().forPath(node))).as("delete %s", node)
            .isInstanceOf(KeeperException.NoAuthException.class);
      }
      assertThat(catchThrowable(() -> anonymous.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(layout.leader() + "/_c_impostor-latch-", junk))).as("a fake leader")
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(catchThrowable(() -> anonymous.create().forPath(layout.txn("gs-forged"), junk))).as("a fake record")
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(catchThrowable(() -> agent3.setData().forPath(layout.agent("agent-2"), junk)))
          .as("agent-3 rewriting agent-2's registration").isInstanceOf(KeeperException.NoAuthException.class);
    }
    GroupSnapshot g = f.create();
    assertThat(g.getState()).as(g.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
  }
}
