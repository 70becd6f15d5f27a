package io.groupsnap.coordinator;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.GroupSnapshotIds;
import io.groupsnap.common.Printable;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.coordinator.rpc.GrpcAgentClient;
import io.groupsnap.coordinator.scrub.Scrubber;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.LeaderTxnStore;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.txn.AbortReason;
import io.groupsnap.coordinator.txn.DecisionRule;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.MemberRecords;
import io.groupsnap.coordinator.txn.Replies;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.coordinator.txn.TxnAction;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorInfo;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.DeleteSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator process: serves CoordinatorService, takes part in the leader election, and — while it is the acting
 * leader — runs group snapshot transactions and resolves those a predecessor, or it itself, left unfinished.
 *
 * <p>Every coordinator answers reads. Mutating calls on a standby fail with {@link NotLeaderException} naming the
 * leader. Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()} is idempotent.
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private enum State { LATENT, STARTED, CLOSED }

  static final Duration MAX_LEASE = Duration.ofHours(1);
  static final Duration MAX_PREPARE = Duration.ofMinutes(30);
  static final Duration RECORD_RETENTION = Duration.ofDays(7);
  static final int RECORDS_KEPT = 2000;
  static final int RECOVERY_ATTEMPTS = 5;

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final Object creating = new Object();
  private final CoordinatorConfig config;
  private final DecisionRule rule;
  private final FaultPoints faults;
  private final ThreadScheduler serial = new ThreadScheduler("groupsnap-txn");
  private final ExecutorService storeWriter = Executors.newSingleThreadExecutor(Daemons.named("groupsnap-zk-writer"));
  private final ScheduledExecutorService resolver =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-resolver"));
  private final ScheduledExecutorService scrubTimer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-scrub"));
  private final GrpcAgentClient agents = new GrpcAgentClient();
  private volatile boolean ready;
  private CuratorFramework zk;
  private ClusterStore store;
  private Roster roster;
  private String clusterId;
  private Server server;
  private HostPort endpoint;
  private Leadership leadership;
  private TransactionDriver driver;
  private Scrubber scrubber;

  public Coordinator(CoordinatorConfig config) {
    this(config, DecisionRule.STRICT);
  }

  /** With another decision rule: for tests that show a weaker rule is caught. */
  public Coordinator(CoordinatorConfig config, DecisionRule rule) {
    this(config, rule, FaultPoints.NONE);
  }

  /**
   * With fault points a test may arm in the transaction driver ({@code coordinator.*}, see {@link FaultPoints}); the
   * daemon passes {@code SystemFaultPoints}.
   */
  public Coordinator(CoordinatorConfig config, DecisionRule rule, FaultPoints faults) {
    this.config = config;
    this.rule = rule;
    this.faults = faults;
  }

  public Coordinator start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("coordinator already started");
    }
    try {
      zk = ZkClients.connect(config.zookeeper(), config.zkWait(), config.zkSessionTimeout());
      store = new ClusterStore(zk, new ZkLayout(config.cluster()));
      clusterId = store.ensureCluster();
      scrubber = new Scrubber(store, agents, clusterId, Scrubber.CALL_DEADLINE, Clock.systemUTC());
      HealthStatusManager health = new HealthStatusManager();
      server = ServerEdge.bounded(
              NettyServerBuilder.forAddress(new InetSocketAddress(config.listen().host(), config.listen().port())))
          .addService(new CoordinatorGrpcService(this))
          .addService(health.getHealthService())
          .build().start();
      endpoint = advertised(server.getPort());
      driver = new TransactionDriver(agents, new LeaderTxnStore(store, () -> leadership.term()
              .map(t -> new LeaderTxnStore.Term(t.epoch(), t.fence())), RECORD_RETENTION, RECORDS_KEPT),
          serial, storeWriter, rule, Clock.systemUTC(), System::nanoTime, faults);
      leadership = new Leadership(zk, store, endpoint.toString(), new Leadership.Listener() {
        @Override
        public void elected(long epoch) {
          recover(epoch);
        }

        @Override
        public void deposed(String why) {
          ready = false;
          driver.leadershipLost(why);
        }
      });
      leadership.start();
      roster = new Roster(zk, store, config.resolveInterval(), config.forgetAgentsAfter(), resolver,
          () -> leadership.term().isPresent()).start();
      long every = config.resolveInterval().toMillis();
      resolver.scheduleWithFixedDelay(this::resolveQuietly, every, every, TimeUnit.MILLISECONDS);
      scrubber.start(scrubTimer, config.scrubInterval(), () -> ready ? leadership.term() : Optional.empty());
      log.info("coordinator serving on {} (cluster {} {})", endpoint, config.cluster(), clusterId);
      return this;
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  private HostPort advertised(int port) throws Exception {
    if (config.advertise() != null) {
      return new HostPort(config.advertise().host(), config.advertise().port() == 0 ? port
          : config.advertise().port());
    }
    String host = config.listen().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = InetAddress.getLocalHost().getHostAddress();
    }
    return new HostPort(host, port);
  }

  public HostPort endpoint() {
    return endpoint;
  }

  public String clusterId() {
    return clusterId;
  }

  /** True while this process is the acting leader and has resolved its predecessor's transactions. */
  public boolean isLeader() {
    return ready && leadership.term().isPresent();
  }

  // ---- mutating calls (leader only) ----

  /** Starts a group snapshot under an id of the coordinator's choosing; see the overload with an id. */
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(List<MemberSelector> selectors, Duration freezeTimeout,
      Duration lease, Duration prepareTimeout, TransactionDriver.Progress progress) throws Exception {
    return createGroupSnapshot(null, selectors, freezeTimeout, lease, prepareTimeout, false, progress);
  }

  /** Starts a group snapshot under an id of the coordinator's choosing; see the overload with an id. */
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(List<MemberSelector> selectors, Duration freezeTimeout,
      Duration lease, Duration prepareTimeout, boolean allowMissing, TransactionDriver.Progress progress)
      throws Exception {
    return createGroupSnapshot(null, selectors, freezeTimeout, lease, prepareTimeout, allowMissing, progress);
  }

  /** Starts a group snapshot that needs every known agent; see the overload with allowMissing. */
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(String id, List<MemberSelector> selectors,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, TransactionDriver.Progress progress)
      throws Exception {
    return createGroupSnapshot(id, selectors, freezeTimeout, lease, prepareTimeout, false, progress);
  }

  /**
   * Starts a group snapshot. Everything is checked before the transaction record is written: bad input leaves no
   * trace.
   *
   * @param id the id the caller chose ({@link GroupSnapshotIds} form), or null/empty for a new one
   * @param selectors the members; empty: every volume of every agent the cluster knows
   * @param freezeTimeout null for the default
   * @param lease null to derive it from the freeze timeout
   * @param allowMissing without selectors: go ahead without known agents that are not registered, naming them in the
   *     record; else such a request is refused
   * @throws IllegalArgumentException for a malformed id, bad selectors or limits, including a lease longer than a
   *     member's registered maxFreezeLease (the message names the field, or the agents and their limit)
   * @throws AlreadyExistsException when {@code id} is recorded already, or queued or running here
   * @throws MissingAgentsException when, without selectors, known agents are not registered and not allowed missing
   * @throws IllegalStateException when no agent is registered
   */
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(String id, List<MemberSelector> selectors,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, boolean allowMissing,
      TransactionDriver.Progress progress)
      throws Exception {
    Leadership.Term term = requireLeader();
    boolean chosen = id != null && !id.isEmpty();
    if (chosen && !GroupSnapshotIds.isWellFormed(id)) {
      throw new IllegalArgumentException("id '" + Printable.value(id) + "' is not of the form "
          + "gs-YYYYMMDD-HHMMSS-xxxxxx (UTC time, six lower-case hex digits)");
    }
    if (chosen) {
      requireUnused(id); // first: a create sent again is told its id is taken, whatever else changed meanwhile
    }
    Duration freeze = freezeTimeout == null ? config.freezeTimeout() : freezeTimeout;
    if (freeze.compareTo(CoordinatorConfig.MIN_FREEZE_TIMEOUT) < 0
        || freeze.compareTo(CoordinatorConfig.MAX_FREEZE_TIMEOUT) > 0) {
      throw new IllegalArgumentException("freeze_timeout " + freeze.toMillis() + "ms is outside 100ms..10m");
    }
    Duration l = lease == null ? freeze.plus(config.thawTimeout()) : lease;
    if (l.compareTo(freeze) <= 0) {
      throw new IllegalArgumentException("lease " + l.toMillis() + "ms must be longer than the freeze timeout "
          + freeze.toMillis() + "ms");
    }
    if (l.compareTo(MAX_LEASE) > 0) {
      throw new IllegalArgumentException("lease " + l.toMillis() + "ms is longer than " + MAX_LEASE.toMinutes() + "m");
    }
    Duration prepare = prepareTimeout == null ? config.prepareTimeout() : prepareTimeout;
    if (prepare.compareTo(MAX_PREPARE) > 0) {
      throw new IllegalArgumentException("prepare_timeout " + prepare.toMillis() + "ms is longer than "
          + MAX_PREPARE.toMinutes() + "m");
    }
    List<AgentRegistration> registered = store.agents();
    List<Member> members = MemberSelection.resolve(selectors, registered);
    AgentLimits.checkLease(l, lease == null ? "the freeze timeout + " + config.thawTimeout().toMillis() + "ms" : null,
        members, registered);
    List<String> left = List.of();
    if (selectors.isEmpty()) {
      List<KnownAgent> missing = roster.missing(registered, true);
      if (!missing.isEmpty() && !allowMissing) {
        throw new MissingAgentsException(missing, System.currentTimeMillis());
      }
      left = missing.stream().map(KnownAgent::getAgentId).toList();
    }
    synchronized (creating) { // the id check and the submit that claims the id, as one step
      String txnId = chosen ? id : newId();
      requireUnused(txnId);
      TxnSpec spec = new TxnSpec(txnId, clusterId, term.epoch(), endpoint.toString(), members, prepare, freeze, l,
          config.thawTimeout(), config.finishTimeout(), left);
      return driver.submit(spec, progress);
    }
  }

  private void requireUnused(String id) throws Exception {
    if (driver.isRunning(id) || store.get(id).isPresent()) {
      throw new AlreadyExistsException("group snapshot " + id + " exists already");
    }
  }

  /**
   * Forgets an agent the cluster knows (a retired host), so that group snapshots of every agent stop waiting for it.
   *
   * @return false when it was not known
   * @throws IllegalStateException while the agent is registered
   */
  public boolean forgetAgent(String agentId) throws Exception {
    requireLeader();
    io.groupsnap.common.Names.require("agent_id", agentId);
    return roster.forget(agentId);
  }

  /**
   * Deletes a committed group snapshot's captures on every member, then its catalog entry. Idempotent: deleting a
   * deleted group snapshot answers with zero captures deleted.
   */
  public DeleteGroupSnapshotResponse deleteGroupSnapshot(String id) throws Exception {
    Leadership.Term term = requireLeader();
    GroupSnapshot g = getGroupSnapshot(id);
    if (g.getState() == GroupSnapshotState.DELETED) {
      return DeleteGroupSnapshotResponse.newBuilder().setSnapshot(g).setDeletedCaptures(0).build();
    }
    if (g.getState() != GroupSnapshotState.COMMITTED && g.getState() != GroupSnapshotState.DELETING) {
      throw new IllegalStateException("group snapshot " + id + " is " + g.getState()
          + "; only committed group snapshots can be deleted");
    }
    if (g.getState() == GroupSnapshotState.COMMITTED) {
      g = store.markDeleting(g, term.fence());
    }
    int deleted = deleteCaptures(g, term);
    return DeleteGroupSnapshotResponse.newBuilder().setSnapshot(store.markDeleted(g, term.fence()))
        .setDeletedCaptures(deleted).build();
  }

  /** Deletes every member's captures of a group snapshot already marked DELETING; throws naming what failed. */
  private int deleteCaptures(GroupSnapshot g, Leadership.Term term) throws Exception {
    Map<String, String> endpoints = store.agents().stream()
        .collect(Collectors.toMap(AgentRegistration::getAgentId, AgentRegistration::getEndpoint));
    Set<String> owners = new LinkedHashSet<>(g.getMembersList().stream().map(MemberRecord::getAgentId).toList());
    TxnHeader header = TxnHeader.newBuilder().setClusterId(clusterId).setEpoch(term.epoch()).setTxnId(g.getId())
        .build();
    List<String> problems = new ArrayList<>();
    int deleted = 0;
    List<CompletableFuture<DeleteSnapshotResponse>> calls = new ArrayList<>();
    List<String> called = new ArrayList<>();
    for (String agent : owners) {
      String ep = endpoints.get(agent);
      if (ep == null) {
        problems.add("agent " + agent + " is not registered");
        continue;
      }
      called.add(agent);
      calls.add(agents.deleteSnapshot(ep, header, config.finishTimeout().multipliedBy(3)));
    }
    for (int i = 0; i < calls.size(); i++) {
      try {
        deleted += calls.get(i).get().getDeleted();
      } catch (ExecutionException e) {
        problems.add("agent " + called.get(i) + ": " + io.grpc.Status.fromThrowable(e.getCause()));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("group snapshot " + g.getId() + " is partly deleted and no longer listed; "
          + "run the delete again to finish (" + String.join("; ", problems) + ")");
    }
    return deleted;
  }

  /**
   * Asks every member whether its capture of a committed group snapshot is still there and unchanged, and records
   * the findings (a missing or altered capture makes it DAMAGED); see {@link Scrubber}.
   */
  public Scrubber.Result checkGroupSnapshot(String id, boolean checksum) throws Exception {
    return scrubber.check(id, checksum, requireLeader());
  }

  // ---- reads (any coordinator) ----

  /** @throws io.groupsnap.coordinator.store.DamagedRecordException when its record cannot be decoded */
  public GroupSnapshot getGroupSnapshot(String id) throws Exception {
    io.groupsnap.common.Names.require("group snapshot id", id);
    return store.get(id).orElseThrow(() -> new NotFoundException("no group snapshot '" + id + "'"));
  }

  /** Group snapshots, and the records among them that cannot be decoded (quarantined), by id. */
  public Listing<GroupSnapshot> listGroupSnapshots(boolean includeAll) throws Exception {
    return store.listing(includeAll);
  }

  /** Registered agents, and the registrations that cannot be decoded (quarantined), by id. */
  public Listing<AgentRegistration> listAgents() throws Exception {
    return store.agentListing();
  }

  /** Agents the cluster knows that are not registered now (and not yet forgotten). */
  public List<KnownAgent> missingAgents() throws Exception {
    return roster.missing(store.agents(), false);
  }

  public ClusterStatusResponse clusterStatus() throws Exception {
    ClusterStatusResponse.Builder b = ClusterStatusResponse.newBuilder().setClusterName(config.cluster())
        .setClusterId(clusterId).setEpoch(store.epoch()).setAnsweredBy(endpoint.toString())
        .addAllAgents(store.agents()).addAllDamagedRecords(store.damaged());
    leadership.leaderId().ifPresent(b::setLeader);
    leadership.participants().forEach(p -> b.addCoordinators(CoordinatorInfo.newBuilder().setId(p.getId())
        .setLeader(p.isLeader())));
    return b.build();
  }

  // ---- leadership ----

  private Leadership.Term requireLeader() throws NotLeaderException {
    Optional<Leadership.Term> term = leadership.term();
    if (term.isPresent() && ready) {
      return term.get();
    }
    if (term.isPresent()) {
      throw new NotLeaderException(null, "the leader is resolving unfinished transactions; retry shortly");
    }
    String leader = leadership.leaderId().orElse(null);
    throw new NotLeaderException(leader, leader == null ? "no coordinator leads yet; retry shortly"
        : "this coordinator is a standby; the leader is " + leader);
  }

  /**
   * A new leader resolves what its predecessors left unfinished (DESIGN.md §4, recovery): an undecided transaction is
   * aborted on every member; a committed one whose members were not all told is finished (COMMIT sent again).
   */
  private void recover(long epoch) {
    Duration backoff = Duration.ofMillis(500);
    for (int attempt = 1; attempt <= RECOVERY_ATTEMPTS; attempt++) {
      Optional<Leadership.Term> term = leadership.term();
      if (term.isEmpty() || term.get().epoch() != epoch) {
        return; // deposed meanwhile
      }
      try {
        recoverOnce(term.get());
        ready = true;
        return;
      } catch (Exception e) {
        log.warn("recovery at epoch {} failed (attempt {} of {}): {}", epoch, attempt, RECOVERY_ATTEMPTS,
            e.toString());
        try {
          TimeUnit.MILLISECONDS.sleep(backoff.toMillis()); // backoff between attempts, not waiting for a condition
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = backoff.multipliedBy(2);
      }
    }
    log.error("recovery at epoch {} kept failing; giving leadership back", epoch);
    leadership.giveBack();
  }

  private void recoverOnce(Leadership.Term term) throws Exception {
    roster.remember();
    resolveOnce(term, id -> false);
    store.pruneRecords(term.fence(), RECORD_RETENTION, RECORDS_KEPT);
  }

  /**
   * While this process leads and has recovered, it finishes every resolveInterval what recovery would: records its
   * own transactions left unfinished (the ABORTED write failed, the commit write's outcome was unknown, a member did
   * not confirm the commit, perhaps because it was down) and deletions that failed half-way. Without this they would
   * wait for the next leader, and an undecided record's captures for ever (an agent's reaper leaves them to the
   * leader). Transactions still queued or running here are left to themselves.
   */
  private void resolveQuietly() {
    Optional<Leadership.Term> term = leadership.term();
    if (!ready || term.isEmpty()) {
      return;
    }
    try {
      roster.remember();
      resolveOnce(term.get(), driver::isRunning);
    } catch (Exception e) {
      log.warn("epoch {}: could not resolve unfinished records: {}", term.get().epoch(), e.toString());
    }
  }

  /**
   * One pass over the unfinished records. Each record is resolved on its own: one that cannot be resolved now (an agent
   * that does not answer, a record this version cannot act on) is reported and retried at the next pass, and never
   * keeps the others waiting. A fenced write ends the pass: this process no longer leads.
   */
  private void resolveOnce(Leadership.Term term, Predicate<String> running) throws Exception {
    Map<String, String> endpoints = store.agents().stream()
        .collect(Collectors.toMap(AgentRegistration::getAgentId, AgentRegistration::getEndpoint));
    int unresolved = 0;
    for (GroupSnapshot listed : store.unfinished()) {
      unresolved += separately(term, listed, "abort", () -> {
        Optional<GroupSnapshot> g = still(listed, running, r -> ClusterStore.undecided(r.getState()));
        if (g.isPresent()) {
          log.info("epoch {}: aborting transaction {} left {} by epoch {}", term.epoch(), listed.getId(),
              g.get().getState(), g.get().getEpoch());
          resolve(g.get(), term, endpoints, true);
        }
      });
    }
    for (GroupSnapshot listed : store.unfinalized()) {
      unresolved += separately(term, listed, "finish the commit of", () -> {
        Optional<GroupSnapshot> g = still(listed, running,
            r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized());
        if (g.isPresent()) {
          log.info("epoch {}: finishing the commit of {}", term.epoch(), listed.getId());
          resolve(g.get(), term, endpoints, false);
        }
      });
    }
    for (GroupSnapshot listed : store.deleting()) {
      unresolved += separately(term, listed, "finish the deletion of", () -> {
        Optional<GroupSnapshot> g = still(listed, id -> false, r -> r.getState() == GroupSnapshotState.DELETING);
        if (g.isPresent()) {
          deleteCaptures(g.get(), term);
          store.markDeleted(g.get(), term.fence());
        }
      });
    }
    if (unresolved > 0) {
      log.warn("epoch {}: {} record(s) left unresolved; retrying every {}", term.epoch(), unresolved,
          io.groupsnap.common.Durations.format(config.resolveInterval()));
    }
  }

  /** Work on one record that may fail without stopping the others. */
  private interface RecordWork {
    void run() throws Exception;
  }

  /** Runs {@code work} for one record; returns 1 when it failed (reported), 0 when it ran; a fenced write ends all. */
  private int separately(Leadership.Term term, GroupSnapshot listed, String what, RecordWork work)
      throws FencedWriteException {
    try {
      work.run();
      return 0;
    } catch (FencedWriteException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      log.warn("epoch {}: could not {} {} now: {}", term.epoch(), what, listed.getId(),
          io.groupsnap.common.Printable.line(String.valueOf(e.getMessage() == null ? e : e.getMessage())));
      return 1;
    }
  }

  /**
   * A listed record as it is now, unless its transaction is running here or it is no longer {@code wanted}: the
   * listing may be old by the time a record's turn comes (each takes calls to agents), and a transaction that was
   * running then may have committed since — it must not be sent ABORT.
   */
  private Optional<GroupSnapshot> still(GroupSnapshot listed, Predicate<String> running,
      Predicate<GroupSnapshot> wanted) throws Exception {
    if (running.test(listed.getId())) {
      return Optional.empty();
    }
    return store.get(listed.getId()).filter(wanted);
  }

  private void resolve(GroupSnapshot g, Leadership.Term term, Map<String, String> endpoints, boolean abort)
      throws Exception {
    Map<String, List<String>> byAgent = g.getMembersList().stream().collect(Collectors.groupingBy(
        MemberRecord::getAgentId, java.util.LinkedHashMap::new,
        Collectors.mapping(MemberRecord::getVolume, Collectors.toList())));
    List<Member> members = new ArrayList<>();
    byAgent.forEach((agent, vols) -> members.add(new Member(agent, endpoints.getOrDefault(agent, ""), vols)));
    TxnSpec spec = new TxnSpec(g.getId(), clusterId, term.epoch(), endpoint.toString(), members,
        config.prepareTimeout(), config.freezeTimeout(), config.freezeTimeout().plusSeconds(1),
        config.thawTimeout(), config.finishTimeout());
    AbortReason lost = AbortReason.leftUndecided(g.getEpoch(), term.epoch());
    String reason = g.getAbortReason().isEmpty() ? lost.sentence() : g.getAbortReason();
    Map<String, Replies.Ack> answers = new HashMap<>();
    boolean allConfirmed = true;
    for (Member m : members) {
      if (m.endpoint().isEmpty()) {
        allConfirmed = false; // the agent is down: its reaper reconciles from the record when it is back
        continue;
      }
      TxnAction.Call call = abort ? TxnAction.Call.ABORT : TxnAction.Call.COMMIT;
      Replies.Ack ack = (abort ? agents.abort(spec, m, reason) : agents.commit(spec, m))
          .get(spec.callDeadline(call).plus(config.finishTimeout()).toMillis(), TimeUnit.MILLISECONDS);
      answers.put(m.agentId(), ack);
      allConfirmed &= ack.ok();
    }
    // written over the record as it is now, only if it is still what was resolved (a deletion may have begun)
    if (abort) {
      store.replaceTxn(g.getId(), r -> ClusterStore.undecided(r.getState()),
          r -> MemberRecords.abortedBySuccessor(r, answers, lost, System.currentTimeMillis()), term.fence());
    } else if (allConfirmed) {
      store.replaceTxn(g.getId(), r -> r.getState() == GroupSnapshotState.COMMITTED && !r.getFinalized(),
          r -> r.toBuilder().setFinalized(true).build(), term.fence());
    }
  }

  private static String newId() {
    return GroupSnapshotIds.mint(java.time.Instant.now(), RANDOM);
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
    if (leadership != null) {
      leadership.close();
    }
    if (roster != null) {
      roster.close();
    }
    Daemons.stop(server);
    agents.close();
    resolver.shutdownNow();
    scrubTimer.shutdownNow();
    serial.close();
    storeWriter.shutdownNow();
    if (zk != null) {
      zk.close();
    }
  }
}
