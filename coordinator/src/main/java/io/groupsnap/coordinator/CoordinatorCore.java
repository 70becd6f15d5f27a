package io.groupsnap.coordinator;

import io.groupsnap.common.GroupSnapshotIds;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.Names;
import io.groupsnap.common.Printable;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.api.MissingAgentsException;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.audit.AuditPages;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.groups.GroupResolver;
import io.groupsnap.coordinator.resolve.Deleter;
import io.groupsnap.coordinator.resolve.LeaderRecords;
import io.groupsnap.coordinator.scrub.Scrubber;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.api.MemberGuard;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorInfo;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.MemberSelector;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a coordinator does when asked ({@link CoordinatorCalls}): it starts group snapshots through the
 * {@link TransactionDriver}, deletes through the {@link Deleter}, checks through the {@link Scrubber} and answers reads
 * from the {@link ClusterStore}. It also knows whether this process may act as leader: it holds a term and has
 * recovered in it ({@link #recovered}). Built by {@link Coordinator}; knows nothing of gRPC. Thread-safe.
 */
final class CoordinatorCore implements CoordinatorCalls {
  private static final SecureRandom RANDOM = new SecureRandom();
  static final Duration MAX_LEASE = Duration.ofHours(1);
  static final Duration MAX_PREPARE = Duration.ofMinutes(30);

  private final CoordinatorConfig config;
  private final String clusterId;
  private final HostPort endpoint;
  private final ClusterStore store;
  private final Roster roster;
  private final Leadership leadership;
  private final TransactionDriver driver;
  private final Deleter deleter;
  private final Scrubber scrubber;
  private final AuditPages audit;
  private final GroupCatalog groups;
  private final MemberGuard held;
  /** The term whose recovery succeeded; only while it is also the acting term may this process act as leader. */
  private final AtomicReference<Leadership.Term> recovered = new AtomicReference<>();

  CoordinatorCore(CoordinatorConfig config, String clusterId, HostPort endpoint, ClusterStore store, Roster roster,
      Leadership leadership, TransactionDriver driver, Deleter deleter, Scrubber scrubber, AuditPages audit,
      GroupCatalog groups, MemberGuard held) {
    this.held = held;
    this.config = config;
    this.clusterId = clusterId;
    this.endpoint = endpoint;
    this.store = store;
    this.roster = roster;
    this.leadership = leadership;
    this.driver = driver;
    this.deleter = deleter;
    this.scrubber = scrubber;
    this.audit = audit;
    this.groups = groups;
  }

  /** The records of {@code term}, its writes fenced by it. */
  LeaderRecords records(Leadership.Term term) {
    return new TermRecords(store, roster, leadership, term);
  }

  /**
   * Recovery in {@code term} succeeded: while it lasts, this process acts as leader. Ignored when {@code term} is no
   * longer the current one (a recovery that finished after its term ended never makes a later term ready).
   */
  void recovered(Leadership.Term term) {
    if (leadership.term().filter(term::equals).isPresent()) {
      recovered.set(term);
    }
  }

  /** The term ended: nothing is acted on until a new one has recovered. */
  void deposed() {
    recovered.set(null);
  }

  /** The acting term, when this process has recovered in it. */
  Optional<Leadership.Term> acting() {
    Leadership.Term done = recovered.get();
    return leadership.term().filter(t -> t.equals(done));
  }

  // ---- mutating calls (leader only) ----

  @Override
  public CompletableFuture<GroupSnapshot> createGroupSnapshot(String id, List<MemberSelector> selectors,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, boolean allowMissing,
      TransactionDriver.Progress progress) throws Exception {
    return start(id, selectors, freezeTimeout, lease, prepareTimeout, allowMissing, null, "", progress);
  }

  @Override
  public CompletableFuture<GroupSnapshot> createGroupSnapshotOfGroup(String id, String group, String runId,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, TransactionDriver.Progress progress)
      throws Exception {
    requireLeader();
    Names.require("group", group);
    if (runId != null && !runId.isEmpty()) {
      Names.require("run_id", runId);
    }
    GroupSpec g = groups.find(group).orElseThrow(() -> new NotFoundException("no group '" + group + "'"));
    return start(id, List.of(), freezeTimeout, lease, prepareTimeout, false, g, runId, progress);
  }

  /**
   * Checks everything, then submits the transaction: of {@code selectors}, or of {@code group}'s members resolved now
   * (its budgets unless given here) when it is not null.
   */
  private CompletableFuture<GroupSnapshot> start(String id, List<MemberSelector> selectors, Duration freezeTimeout,
      Duration lease, Duration prepareTimeout, boolean allowMissing, GroupSpec group, String runId,
      TransactionDriver.Progress progress) throws Exception {
    Leadership.Term term = requireLeader();
    boolean chosen = id != null && !id.isEmpty();
    if (chosen && !GroupSnapshotIds.isWellFormed(id)) {
      throw new IllegalArgumentException("id '" + Printable.value(id) + "' is not of the form "
          + "gs-YYYYMMDD-HHMMSS-xxxxxx (UTC time, six lower-case hex digits)");
    }
    if (chosen) {
      requireUnused(id); // first: a create sent again is told its id is taken, whatever else changed meanwhile
    }
    if (group != null) {
      freezeTimeout = freezeTimeout != null ? freezeTimeout : optionalMillis(group.getFreezeTimeoutMillis());
      lease = lease != null ? lease : optionalMillis(group.getLeaseMillis());
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
    List<String> left = List.of();
    if (group != null) {
      GroupResolver.Resolution r = GroupResolver.resolve(group, registered);
      if (!r.ok()) {
        throw new IllegalArgumentException("group " + group.getName() + ": " + r.describeProblems());
      }
      selectors = r.members();
      left = r.leftOut().stream().map(m -> m.split(":", 2)[0]).distinct().toList(); // optional members not here
    }
    List<Member> members = MemberSelection.resolve(selectors, registered);
    held.requireFree(members.stream().map(Member::agentId).toList()); // not on members under an in-place restore
    AgentLimits.checkLease(l, lease == null ? "the freeze timeout + " + config.thawTimeout().toMillis() + "ms" : null,
        members, registered);
    if (selectors.isEmpty() && group == null) {
      List<KnownAgent> missing = roster.missing(registered, true);
      if (!missing.isEmpty() && !allowMissing) {
        throw new MissingAgentsException(missing, System.currentTimeMillis());
      }
      left = missing.stream().map(KnownAgent::getAgentId).toList();
    }
    // The id is claimed first, atomically, then checked against ZooKeeper: no other create can take it in between,
    // and creates of different ids do not wait for each other's reads (one lock around both did, issue 14).
    String txnId = chosen ? id : GroupSnapshotIds.mint(Instant.now(), RANDOM);
    if (!driver.claim(txnId)) {
      throw exists(txnId);
    }
    boolean submitted = false;
    try {
      if (store.get(txnId).isPresent()) {
        throw exists(txnId);
      }
      TxnSpec spec = new TxnSpec(txnId, clusterId, term.epoch(), endpoint.toString(), members, prepare, freeze, l,
          config.thawTimeout(), config.finishTimeout(), left, group == null ? "" : group.getName(), runId);
      CompletableFuture<GroupSnapshot> result = driver.submit(spec, progress);
      submitted = true;
      return result;
    } finally {
      if (!submitted) {
        driver.unclaim(txnId);
      }
    }
  }

  private static Duration optionalMillis(long ms) {
    return ms > 0 ? Duration.ofMillis(ms) : null;
  }

  private void requireUnused(String id) throws Exception {
    if (driver.isRunning(id) || store.get(id).isPresent()) {
      throw exists(id);
    }
  }

  private static AlreadyExistsException exists(String id) {
    return new AlreadyExistsException("group snapshot " + id + " exists already");
  }

  @Override
  public boolean forgetAgent(String agentId) throws Exception {
    requireLeader();
    Names.require("agent_id", agentId);
    return roster.forget(agentId);
  }

  @Override
  public CompletableFuture<DeleteGroupSnapshotResponse> deleteGroupSnapshot(String id) throws Exception {
    Leadership.Term term = requireLeader();
    GroupSnapshot g = getGroupSnapshot(id);
    return deleter.delete(records(term), g).thenApply(done -> DeleteGroupSnapshotResponse.newBuilder()
        .setSnapshot(done.snapshot()).setDeletedCaptures(done.deletedCaptures()).build());
  }

  @Override
  public Scrubber.Result checkGroupSnapshot(String id, boolean checksum) throws Exception {
    return scrubber.check(id, checksum, requireLeader());
  }

  // ---- reads (any coordinator) ----

  @Override
  public GroupSnapshot getGroupSnapshot(String id) throws Exception {
    Names.require("group snapshot id", id);
    return store.get(id).orElseThrow(() -> new NotFoundException("no group snapshot '" + id + "'"));
  }

  @Override
  public Listing<GroupSnapshot> listGroupSnapshots(boolean includeAll) throws Exception {
    return store.listing(includeAll);
  }

  @Override
  public Listing<AgentRegistration> listAgents() throws Exception {
    return store.agentListing();
  }

  @Override
  public List<KnownAgent> missingAgents() throws Exception {
    return roster.missing(store.agents(), false);
  }

  @Override
  public ClusterStatusResponse clusterStatus() throws Exception {
    ClusterStatusResponse.Builder b = ClusterStatusResponse.newBuilder().setClusterName(config.cluster())
        .setClusterId(clusterId).setEpoch(store.epoch()).setAnsweredBy(endpoint.toString())
        .addAllAgents(store.agents()).addAllDamagedRecords(store.damaged());
    leadership.leaderId().ifPresent(b::setLeader);
    leadership.participants().forEach(p -> b.addCoordinators(CoordinatorInfo.newBuilder().setId(p.getId())
        .setLeader(p.isLeader())));
    return b.build();
  }

  @Override
  public ListAuditResponse listAudit(long sinceMillis, int limit, String pageToken) throws Exception {
    return audit.page(sinceMillis, limit, pageToken);
  }

  /** The acting term, else the refusal a standby (or a leader still recovering) gives mutating calls. */
  Leadership.Term requireLeader() throws NotLeaderException {
    Optional<Leadership.Term> term = leadership.term();
    if (term.isPresent() && term.get().equals(recovered.get())) {
      return term.get();
    }
    if (term.isPresent()) {
      throw new NotLeaderException(null, "the leader is resolving unfinished transactions; retry shortly");
    }
    String leader = leadership.leaderId().orElse(null);
    throw new NotLeaderException(leader, leader == null ? "no coordinator leads yet; retry shortly"
        : "this coordinator is a standby; the leader is " + leader);
  }
}
