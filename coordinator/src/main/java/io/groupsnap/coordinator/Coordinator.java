package io.groupsnap.coordinator;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.Health;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkHealth;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Callers;
import io.groupsnap.common.zkauth.ClusterAcls;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.audit.AuditRetention;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.audit.AuditWiring;
import io.groupsnap.coordinator.audit.AuditedCalls;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.groups.GroupCalls;
import io.groupsnap.coordinator.groups.GroupStore;
import io.groupsnap.coordinator.inplace.InPlaceStore;
import io.groupsnap.coordinator.inplace.Overlaps;
import io.groupsnap.coordinator.metrics.CoordinatorMetrics;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.resolve.CallSpecs;
import io.groupsnap.coordinator.resolve.Deleter;
import io.groupsnap.coordinator.resolve.ResolutionLog;
import io.groupsnap.coordinator.resolve.Resolver;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.InsecureNotice;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.coordinator.rpc.Access;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.coordinator.rpc.CoordinatorServer;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.runs.RunOptions;
import io.groupsnap.coordinator.scrub.Scrubber;
import io.groupsnap.coordinator.store.ClusterSetup;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.LayoutAcls;
import io.groupsnap.coordinator.store.LeaderTxnStore;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.MemberSelector;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.util.MutableHandlerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator process, wired: serves CoordinatorService and GroupService, takes part in the leader election, and — while it is the
 * acting leader — runs group snapshot transactions ({@link TransactionDriver}) and resolves those a predecessor, or it
 * itself, left unfinished ({@link LeaderResolution}). What it answers is {@link CoordinatorCore}'s; this class builds
 * the parts, starts and stops them.
 *
 * <p>Threads: gRPC calls on the server's threads; transactions and their deadlines on the "groupsnap-txn" lane, their
 * record writes on the "groupsnap-zk-writer-N" pool (one transaction's in order, different ones' side by side); the
 * election's events on "groupsnap-leadership", which only starts a recovery and never waits for one; recovery, the
 * periodic resolution, deletions and the roster's updates on the "groupsnap-resolver" lane; the scrub on
 * "groupsnap-scrub"; audit outcome entries of group snapshots and deletions on "groupsnap-audit" (never on the
 * transaction lane), the audit trail's pruning on "groupsnap-audit-prune" (both {@link AuditWiring}'s).
 *
 * <p>Every mutating call is audited ({@link AuditedCalls}): its request is recorded in ZooKeeper before it acts (a
 * call whose request cannot be recorded is refused), its outcome once it has ended; the leader prunes the trail by
 * age and count ({@link AuditRetention}).
 *
 * <p>Every coordinator answers reads. Mutating calls on a standby fail with {@link NotLeaderException} naming the
 * leader. Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()} is idempotent.
 */
public final class Coordinator implements CoordinatorCalls, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  private enum State { LATENT, STARTED, CLOSED }

  static final Duration RECORD_RETENTION = Duration.ofDays(7);
  static final int RECORDS_KEPT = 2000;
  /** Transaction record writes that may be under way at once (of different transactions). */
  static final int STORE_WRITERS = 8;
  /** The pause after a new leader's first failed recovery attempt; each later one doubles it. */
  static final Duration FIRST_RECOVERY_BACKOFF = Duration.ofMillis(500);

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final CoordinatorConfig config;
  private final DecisionRule rule;
  private final FaultPoints faults;
  /** The digest users it authenticates to ZooKeeper as; null: anonymous, and the nodes it makes are open. */
  private final ZkCredentials zookeeperAuth;
  private final ThreadScheduler serial = new ThreadScheduler("groupsnap-txn");
  /**
   * The threads transaction records are written on: each transaction's writes one at a time and in order (the
   * driver's {@code WriteLane}), writes of different transactions side by side, each blocking a thread for its
   * ZooKeeper round trip (issue 14).
   */
  private final ExecutorService storeWriter =
      Executors.newFixedThreadPool(STORE_WRITERS, numbered("groupsnap-zk-writer-"));
  private final ThreadScheduler resolverLane = new ThreadScheduler("groupsnap-resolver");
  private final ScheduledExecutorService scrubTimer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-scrub"));
  private AuditRetention auditRetention = AuditRetention.DEFAULT;
  private final CoordinatorMetrics metrics = new CoordinatorMetrics();
  private HostPort metricsListen;
  private AuditWiring audit;
  private volatile CoordinatorCalls calls;
  private final Transport transport;
  private final GrpcAgentClient agents;
  private InsecureNotice insecureNotice;
  /** SERVING only once started and while connected to ZooKeeper (leader or standby); see docs/operations.md. */
  private final Health health = new Health("coordinator", CoordinatorServiceGrpc.SERVICE_NAME);
  private ZkHealth zkHealth;
  private CuratorFramework zk;
  private Roster roster;
  private String clusterId;
  private Server server;
  private HostPort endpoint;
  private Leadership leadership;
  private TransactionDriver driver;
  private LeaderResolution resolution;
  private volatile CoordinatorCore core;
  private RunOptions runOptions = RunOptions.defaults();
  private BackupWiring backup;
  private RestoreWiring restores;

  /**
   * @param transport how it serves and dials agents: mutual TLS (its certificate must carry the coordinator role), or
   *     plaintext when the operator said {@code --insecure}; the caller opened it and closes it after this
   */
  public Coordinator(CoordinatorConfig config, Transport transport) {
    this(config, transport, DecisionRule.STRICT);
  }

  /** With another decision rule: for tests that show a weaker rule is caught. */
  public Coordinator(CoordinatorConfig config, Transport transport, DecisionRule rule) {
    this(config, transport, rule, FaultPoints.NONE);
  }

  /**
   * With fault points a test may arm in the transaction driver ({@code coordinator.*}, see {@link FaultPoints}); the
   * daemon passes {@code SystemFaultPoints}.
   */
  public Coordinator(CoordinatorConfig config, Transport transport, DecisionRule rule, FaultPoints faults) {
    this(config, transport, rule, faults, null);
  }

  /**
   * Authenticated to ZooKeeper with {@code zookeeperAuth} (users {@code coordinator} and {@code agents}, see
   * {@code common.zkauth}): every node it makes is protected from its first moment, and at start it tightens the
   * ACLs of a cluster made without credentials ({@link LayoutAcls}). Null: anonymous, every node open to anyone.
   */
  public Coordinator(CoordinatorConfig config, Transport transport, DecisionRule rule, FaultPoints faults,
      ZkCredentials zookeeperAuth) {
    this.config = config;
    this.transport = transport;
    this.agents = new GrpcAgentClient(transport);
    this.rule = rule;
    this.faults = faults;
    this.zookeeperAuth = zookeeperAuth;
  }

  /** How long the audit trail is kept (default {@link AuditRetention#DEFAULT}); set before {@link #start}. */
  public Coordinator withAuditRetention(AuditRetention retention) {
    if (state.get() != State.LATENT) {
      throw new IllegalStateException("audit retention is set before the coordinator starts");
    }
    this.auditRetention = retention;
    return this;
  }

  /** How backup runs are driven and retention applied (default {@link RunOptions#defaults}); before {@link #start}. */
  public Coordinator withBackupRuns(RunOptions options) {
    if (state.get() != State.LATENT) {
      throw new IllegalStateException("backup runs are set up before the coordinator starts");
    }
    this.runOptions = options;
    return this;
  }

  /** Serves the Prometheus metrics on {@code listen} (null: not at all, the default); set before {@link #start}. */
  public Coordinator withMetricsListen(HostPort listen) {
    if (state.get() != State.LATENT) {
      throw new IllegalStateException("the metrics address is set before the coordinator starts");
    }
    this.metricsListen = listen;
    return this;
  }

  /**
   * Connects to ZooKeeper, starts serving, and joins the election. The CoordinatorService is added to the server
   * once everything it calls is built; until then (a moment at start) its methods are not found there.
   */
  public Coordinator start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("coordinator already started");
    }
    try {
      ZkLayout layout = new ZkLayout(config.cluster());
      ClusterAcls acls = zookeeperAuth == null ? null : new ClusterAcls(layout.agents(), zookeeperAuth);
      zk = ZkClients.connect(config.zookeeper(), config.zkWait(), config.zkSessionTimeout(),
          acls == null ? null : new ZkAuth(zookeeperAuth, acls));
      zkHealth = ZkHealth.follow(zk, health, ZkHealth.Needs.CONNECTION);
      ClusterStore store = new ClusterStore(zk, layout);
      clusterId = ClusterSetup.prepare(zk, store, acls, zookeeperAuth, line -> log.info("ZooKeeper ACL: {}", line));
      if (acls == null) {
        log.warn("ZooKeeper: no credentials (--zookeeper-auth): the nodes this coordinator makes are open to anyone");
      }
      Scrubber scrubber = new Scrubber(store, agents, clusterId, Scrubber.CALL_DEADLINE, Clock.systemUTC());
      MutableHandlerRegistry services = new MutableHandlerRegistry();
      insecureNotice = InsecureNotice.startFor("coordinator", transport, () -> false);
      server = CoordinatorServer.start(config.listen(), transport, metrics.grpc(), health, services);
      endpoint = CoordinatorServer.advertised(config.listen(), config.advertise(), server.getPort());
      driver = new TransactionDriver(agents, new LeaderTxnStore(store, () -> leadership.term()
              .map(t -> new LeaderTxnStore.Term(t.epoch(), t.fence())), RECORD_RETENTION, RECORDS_KEPT),
          serial, storeWriter, rule, Clock.systemUTC(), System::nanoTime, faults, metrics.transactions());
      CallSpecs specs = new CallSpecs(clusterId, endpoint.toString(), config.prepareTimeout(), config.freezeTimeout(),
          config.thawTimeout(), config.finishTimeout());
      Deleter deleter = new Deleter(agents, specs, resolverLane);
      Resolver resolver = new Resolver(agents, deleter, specs, resolverLane, Clock.systemUTC(), FIRST_RECOVERY_BACKOFF,
          new ResolutionLog(config.resolveInterval()));
      leadership = new Leadership(zk, store, endpoint.toString(), new Leadership.Listener() {
        @Override
        public void elected(long epoch) {
          resolution.recover(epoch);
        }

        @Override
        public void deposed(String why) {
          core.deposed();
          driver.leadershipLost(why);
          backup.deposed(why);
          if (restores != null) {
            restores.deposed(why);
          }
        }
      });
      roster = new Roster(zk, store, config.resolveInterval(), config.forgetAgentsAfter(), resolverLane,
          () -> leadership.term().isPresent());
      audit = new AuditWiring(zk, layout, auditRetention, Clock.systemUTC(), endpoint.toString());
      GroupStore groupStore = new GroupStore(zk, layout);
      InPlaceStore inPlaceRecords = new InPlaceStore(zk, layout);
      Overlaps underRestore = new Overlaps(inPlaceRecords, List::of);
      core = new CoordinatorCore(config, clusterId, endpoint, store, roster, leadership, driver, deleter, scrubber,
          audit.pages(), groupStore, underRestore);
      calls = audit.calls(core, Callers::current, () -> core.acting().isPresent());
      backup = new BackupWiring(zk, store, groupStore, core, agents, leadership, audit, runOptions, clusterId,
          endpoint.toString(), metrics.backups(), underRestore);
      resolution = new LeaderResolution(leadership, core, resolver, driver, resolverLane, config.resolveInterval(),
          () -> state.get() == State.CLOSED);
      services.addService(ServerInterceptors.intercept(new CoordinatorGrpcService(calls), Access.gate(this::denied)));
      backup.register(services, this::denied);
      restores = new RestoreWiring(zk, store, core, agents, audit.trail(), clusterId, endpoint.toString(),
          metrics.backups(), inPlaceRecords, groupStore, leadership, config.groupChecks(),
          runOptions.retentionInterval());
      backup.onRunEnded(restores::runEnded);
      restores.register(services, this::denied);
      backup.start();
      restores.start();
      roster.start();
      leadership.start();
      resolution.resolvePeriodically();
      scrubber.start(scrubTimer, config.scrubInterval(), core::acting);
      audit.start(core::acting);
      zkHealth.start();
      metrics.bind(zk, this::isLeader, () -> leadership.term().map(Leadership.Term::epoch), core);
      metrics.serve(metricsListen);
      log.info("coordinator serving on {} (cluster {} {})", endpoint, config.cluster(), clusterId);
      return this;
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /** Daemon threads named {@code prefix} and a number from 1 up. */
  private static ThreadFactory numbered(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> Daemons.named(prefix + n.incrementAndGet()).newThread(r);
  }

  /** A caller refused by the role table (the audit trail records these too). */
  private void denied(Identity who, String method, Role needed, String why) {
    log.warn("refused {}: {}", method, why);
    audit.trail().denied(who, method, why);
  }

  public HostPort endpoint() {
    return endpoint;
  }

  /** Where the metrics endpoint listens (the port it got, for port 0); empty when none was asked for. */
  public Optional<HostPort> metricsAddress() {
    return metrics.address();
  }

  public String clusterId() {
    return clusterId;
  }

  /**
   * The audit trail this coordinator writes to, for the access check to record the calls it denies
   * ({@link AuditTrail#denied}); null before {@link #start}.
   */
  public AuditTrail audit() {
    return audit == null ? null : audit.trail();
  }

  /** True while this process is the acting leader and has resolved its predecessor's transactions. */
  public boolean isLeader() {
    CoordinatorCore c = core;
    return c != null && c.acting().isPresent();
  }

  // ---- what it answers: CoordinatorCore's, mutating calls audited ----

  @Override
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(String id, List<MemberSelector> selectors,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, boolean allowMissing,
      TransactionDriver.Progress progress) throws Exception {
    return calls.createGroupSnapshot(id, selectors, freezeTimeout, lease, prepareTimeout, allowMissing, progress);
  }

  @Override
  public CompletableFuture<GroupSnapshot> createGroupSnapshotOfGroup(String id, String group, String runId,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, TransactionDriver.Progress progress)
      throws Exception {
    return calls.createGroupSnapshotOfGroup(id, group, runId, freezeTimeout, lease, prepareTimeout, progress);
  }

  /** The named groups (the group service's calls, mutating ones audited); null before {@link #start}. */
  public GroupCalls groups() {
    return backup == null ? null : backup.groupCalls();
  }

  @Override
  public boolean forgetAgent(String agentId) throws Exception {
    return calls.forgetAgent(agentId);
  }

  @Override
  public CompletableFuture<DeleteGroupSnapshotResponse> deleteGroupSnapshot(String id) throws Exception {
    return calls.deleteGroupSnapshot(id);
  }

  @Override
  public Scrubber.Result checkGroupSnapshot(String id, boolean checksum) throws Exception {
    return calls.checkGroupSnapshot(id, checksum);
  }

  @Override
  public GroupSnapshot getGroupSnapshot(String id) throws Exception {
    return calls.getGroupSnapshot(id);
  }

  @Override
  public Listing<GroupSnapshot> listGroupSnapshots(boolean includeAll) throws Exception {
    return calls.listGroupSnapshots(includeAll);
  }

  @Override
  public Listing<AgentRegistration> listAgents() throws Exception {
    return calls.listAgents();
  }

  @Override
  public List<KnownAgent> missingAgents() throws Exception {
    return calls.missingAgents();
  }

  @Override
  public ClusterStatusResponse clusterStatus() throws Exception {
    return calls.clusterStatus();
  }

  @Override
  public ListAuditResponse listAudit(long sinceMillis, int limit, String pageToken) throws Exception {
    return calls.listAudit(sinceMillis, limit, pageToken);
  }

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    if (server != null) {
      server.awaitTermination();
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    health.close();
    metrics.close();
    if (insecureNotice != null) {
      insecureNotice.close();
    }
    if (zkHealth != null) {
      zkHealth.close();
    }
    if (leadership != null) {
      leadership.close();
    }
    if (roster != null) {
      roster.close();
    }
    Daemons.stop(server);
    if (restores != null) {
      restores.close();
    }
    if (backup != null) {
      backup.close();
    }
    agents.close();
    resolverLane.close();
    scrubTimer.shutdownNow();
    if (audit != null) {
      audit.close();
    }
    serial.close();
    storeWriter.shutdownNow();
    if (zk != null) {
      zk.close();
    }
  }
}
