package io.groupsnap.coordinator.store;

import io.groupsnap.common.ClusterIdentity;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.ZkNodes;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.EpochRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's state in ZooKeeper (DESIGN.md §5): cluster id, epoch, agent registry, transaction records, catalog.
 *
 * <p>Every write a leader makes is a multi-op that first checks the leader's own latch node and the epoch znode's
 * version ({@link Fence}), so a deposed leader's late write fails (G4), and that updates records only at the version
 * it last wrote. Curator retries operations across connection losses, so a write that reports failure may in fact have
 * been applied by an earlier attempt: a failed write is therefore verified by reading the record back before it is
 * reported as failed ({@link FencedWrites}).
 *
 * <p>The directories are persistent nodes ({@link ZkNodes}); a write that needs one recreates it when it is gone (a
 * container an older version made, removed by ZooKeeper once empty). A record that cannot be decoded is quarantined
 * ({@link RecordReader}): listings return it apart as a {@link DamagedRecord}, the lists recovery works from skip it,
 * and a call that needs that very record fails with {@link DamagedRecordException}. Thread-safe.
 */
public final class ClusterStore {
  private static final Comparator<GroupSnapshot> OLDEST_FIRST =
      Comparator.comparingLong(GroupSnapshot::getCreatedAtMillis).thenComparing(GroupSnapshot::getId);

  /**
   * What every write of a leader is checked against: its latch node still exists (it was not deposed) and the epoch
   * znode is still at the version its own bump left (no newer term began, even one won again by this same process).
   */
  public record Fence(String latchPath, int epochVersion) {}

  /** The term a successful {@link #bumpEpoch} began. */
  public record Bump(long epoch, int epochVersion) {}

  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final RecordReader reader;
  private final FencedWrites writes;
  private final Map<String, Integer> txnVersions = new ConcurrentHashMap<>();

  public ClusterStore(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
    this.reader = new RecordReader(zk);
    this.writes = new FencedWrites(zk, layout);
  }

  public ZkLayout layout() {
    return layout;
  }

  /**
   * The cluster id, creating it and the layout's persistent directories on first use. A directory an older version
   * made as a container is recreated persistent by the first write that needs it once ZooKeeper has removed it.
   */
  public String ensureCluster() throws Exception {
    String id = ClusterIdentity.ensure(zk, layout);
    for (String p : layout.directories()) {
      ZkNodes.ensurePersistent(zk, p);
    }
    try {
      zk.create().forPath(layout.epoch(), EpochRecord.getDefaultInstance().toByteArray());
    } catch (KeeperException.NodeExistsException ignored) {
      // another coordinator made it
    }
    return id;
  }

  /** The current epoch, 0 when none was ever bumped. */
  public long epoch() throws Exception {
    return EpochRecord.parseFrom(zk.getData().forPath(layout.epoch())).getEpoch();
  }

  /**
   * Raises the epoch by one, only while {@code latchPath} (this leader's latch node) exists and nobody else raised it
   * in between. Returns the new epoch.
   */
  public Bump bumpEpoch(String latchPath, String leaderId) throws Exception {
    Stat stat = new Stat();
    EpochRecord current = EpochRecord.parseFrom(zk.getData().storingStatIn(stat).forPath(layout.epoch()));
    EpochRecord next = EpochRecord.newBuilder().setEpoch(current.getEpoch() + 1).setLeader(leaderId)
        .setChangedAtMillis(System.currentTimeMillis()).build();
    try {
      zk.transaction().forOperations(
          zk.transactionOp().check().forPath(latchPath),
          zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(layout.epoch(), next.toByteArray()));
    } catch (Exception e) {
      Stat now = new Stat();
      EpochRecord after = EpochRecord.parseFrom(zk.getData().storingStatIn(now).forPath(layout.epoch()));
      if (after.equals(next)) {
        return new Bump(next.getEpoch(), now.getVersion());
      }
      throw new FencedWriteException("could not raise the epoch from " + current.getEpoch() + ": " + e.getMessage(),
          e);
    }
    return new Bump(next.getEpoch(), stat.getVersion() + 1);
  }

  /** The registered agents whose registration decodes, by id; a damaged one is never a member. */
  public List<AgentRegistration> agents() throws Exception {
    return agentListing().records();
  }

  /** Every registration: those that decode, by id, and those quarantined. */
  public Listing<AgentRegistration> agentListing() throws Exception {
    return reader.list(layout.agents(), RecordReader.AGENT).sorted(Comparator.comparing(AgentRegistration::getAgentId));
  }

  /** Creates the record of a new transaction (BEGIN). */
  public void createTxn(GroupSnapshot record, Fence f) throws Exception {
    GroupSnapshot rec = Formats.stamp(record);
    String path = layout.txn(rec.getId());
    writes.write(path, rec, layout.txns(),
        () -> writes.fenced(f, zk.transactionOp().create().forPath(path, rec.toByteArray())));
    txnVersions.put(rec.getId(), 0);
  }

  /** Replaces a transaction record at the version this process last wrote. */
  public void updateTxn(GroupSnapshot record, Fence f) throws Exception {
    GroupSnapshot rec = Formats.stamp(record);
    String path = layout.txn(rec.getId());
    int version = version(rec.getId());
    writes.write(path, rec, null, () -> writes.fenced(f,
        zk.transactionOp().setData().withVersion(version).forPath(path, rec.toByteArray())));
    txnVersions.put(rec.getId(), version + 1);
  }

  /** The commit point: the record becomes COMMITTED and the manifest appears in the catalog, atomically. */
  public void commitTxn(GroupSnapshot record, Fence f) throws Exception {
    GroupSnapshot rec = Formats.stamp(record);
    String path = layout.txn(rec.getId());
    int version = version(rec.getId());
    writes.write(path, rec, layout.snapshots(), () -> writes.fenced(f,
        zk.transactionOp().setData().withVersion(version).forPath(path, rec.toByteArray()),
        zk.transactionOp().create().forPath(layout.snapshot(rec.getId()), rec.toByteArray())));
    txnVersions.put(rec.getId(), version + 1);
  }

  /**
   * Replaces a record on behalf of a writer other than its own transaction (recovery, a deletion): reads it and, if
   * {@code expected} still holds of it, writes {@code change} of it at the version just read, fenced. A write that
   * lands in between — the transaction's own, a deletion, another resolution — makes this one fail instead of being
   * overwritten. The versions this process keeps for its own transactions' writes are left as they are, so a
   * transaction's write still queued at its own version fails in turn rather than land over this one.
   *
   * @return the record written, or empty when there is no record or {@code expected} no longer holds of it
   */
  public Optional<GroupSnapshot> replaceTxn(String id, Predicate<GroupSnapshot> expected,
      UnaryOperator<GroupSnapshot> change, Fence f) throws Exception {
    return replace(id, expected, change, f, false);
  }

  /**
   * The first step of a deletion: the group snapshot leaves the catalog and its record says DELETING, before any
   * capture is touched, so that a half-deleted group snapshot is never listed as restorable. Only a record that is
   * COMMITTED now is marked; one already DELETING is returned as it is.
   */
  public GroupSnapshot markDeleting(GroupSnapshot g, Fence f) throws Exception {
    Optional<GroupSnapshot> marked = replace(g.getId(), r -> r.getState() == GroupSnapshotState.COMMITTED,
        r -> r.toBuilder().setState(GroupSnapshotState.DELETING).build(), f, true);
    return marked.isPresent() ? marked.get() : already(g.getId(), GroupSnapshotState.DELETING);
  }

  /** The last step of a deletion: every capture is gone. A record already DELETED is returned as it is. */
  public GroupSnapshot markDeleted(GroupSnapshot g, Fence f) throws Exception {
    Optional<GroupSnapshot> marked = replace(g.getId(), r -> r.getState() == GroupSnapshotState.DELETING,
        r -> r.toBuilder().setState(GroupSnapshotState.DELETED).setFinishedAtMillis(System.currentTimeMillis())
            .build(), f, false);
    return marked.isPresent() ? marked.get() : already(g.getId(), GroupSnapshotState.DELETED);
  }

  private GroupSnapshot already(String id, GroupSnapshotState wanted) throws Exception {
    GroupSnapshot now = reader.read(layout.txn(id), RecordReader.TRANSACTION)
        .orElseThrow(() -> new IllegalStateException("group snapshot " + id + " has no transaction record"))
        .orThrow();
    if (now.getState() != wanted) {
      throw new IllegalStateException("group snapshot " + id + " is " + now.getState() + ", not "
          + (wanted == GroupSnapshotState.DELETING ? GroupSnapshotState.COMMITTED : GroupSnapshotState.DELETING));
    }
    return now;
  }

  private Optional<GroupSnapshot> replace(String id, Predicate<GroupSnapshot> expected,
      UnaryOperator<GroupSnapshot> change, Fence f, boolean dropManifest) throws Exception {
    String path = layout.txn(id);
    Optional<RecordReader.Read<GroupSnapshot>> read = reader.read(path, RecordReader.TRANSACTION);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    GroupSnapshot now = read.get().orThrow();
    Stat stat = read.get().stat();
    if (!expected.test(now)) {
      return Optional.empty();
    }
    GroupSnapshot next = Formats.stamp(change.apply(now));
    List<CuratorOp> ops = writes.fenced(f,
        zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(path, next.toByteArray()));
    if (dropManifest && zk.checkExists().forPath(layout.snapshot(id)) != null) {
      ops.add(zk.transactionOp().delete().forPath(layout.snapshot(id)));
    }
    writes.write(path, next, null, () -> ops);
    return Optional.of(next);
  }

  /**
   * Removes old transaction records: final ones older than {@code retention}, and the oldest final ones beyond
   * {@code keep}. A committed group snapshot stays in the catalog; only its transaction record goes. Returns how many.
   */
  public int pruneRecords(Fence f, Duration retention, int keep) throws Exception {
    List<GroupSnapshot> finals = list(true).stream().filter(g -> switch (g.getState()) {
      case ABORTED, DELETED -> true;
      case COMMITTED -> g.getFinalized();
      default -> false;
    }).toList();
    long cutoff = System.currentTimeMillis() - retention.toMillis();
    int excess = Math.max(0, finals.size() - keep);
    int removed = 0;
    for (int i = 0; i < finals.size(); i++) {
      GroupSnapshot g = finals.get(i);
      long at = g.getFinishedAtMillis() > 0 ? g.getFinishedAtMillis() : g.getCreatedAtMillis();
      if (i < excess || at < cutoff) {
        try {
          zk.transaction().forOperations(
              writes.fenced(f, zk.transactionOp().delete().forPath(layout.txn(g.getId()))));
          txnVersions.remove(g.getId());
          removed++;
        } catch (KeeperException.NoNodeException e) {
          // gone already
        }
      }
    }
    return removed;
  }

  /**
   * The transaction record (the newest word on it), else the committed manifest: its record expired, or is damaged
   * (a manifest exists only while its group snapshot is COMMITTED, so it is then the truth but for {@code finalized}).
   *
   * @throws DamagedRecordException when the record is damaged and there is no manifest to fall back on
   */
  public Optional<GroupSnapshot> get(String id) throws Exception {
    Optional<RecordReader.Read<GroupSnapshot>> txn = reader.read(layout.txn(id), RecordReader.TRANSACTION);
    if (txn.isPresent() && txn.get().damage() == null) {
      return Optional.of(txn.get().record());
    }
    Optional<RecordReader.Read<GroupSnapshot>> manifest = reader.read(layout.snapshot(id), RecordReader.MANIFEST);
    if (manifest.isPresent() && manifest.get().damage() == null) {
      return Optional.of(manifest.get().record());
    }
    Optional<RecordReader.Read<GroupSnapshot>> damaged = txn.isPresent() ? txn : manifest;
    if (damaged.isPresent()) {
      damaged.get().orThrow();
    }
    return Optional.empty();
  }

  /** Committed group snapshots, oldest first; with {@code includeAll}, every transaction record as well. */
  public List<GroupSnapshot> list(boolean includeAll) throws Exception {
    return listing(includeAll).records();
  }

  /**
   * As {@link #list}, with the records of that directory that cannot be used apart: damaged manifests, or with
   * {@code includeAll} damaged transaction records.
   */
  public Listing<GroupSnapshot> listing(boolean includeAll) throws Exception {
    Listing<GroupSnapshot> l = includeAll ? reader.list(layout.txns(), RecordReader.TRANSACTION)
        : reader.list(layout.snapshots(), RecordReader.MANIFEST);
    return l.sorted(OLDEST_FIRST);
  }

  /** Every quarantined record of the cluster: transaction records, manifests, agent registrations. */
  public List<DamagedRecord> damaged() throws Exception {
    List<DamagedRecord> out = new ArrayList<>(reader.list(layout.txns(), RecordReader.TRANSACTION).damaged());
    out.addAll(reader.list(layout.snapshots(), RecordReader.MANIFEST).damaged());
    out.addAll(reader.list(layout.agents(), RecordReader.AGENT).damaged());
    return out;
  }

  /** Transaction records that never reached a decision (for a new leader to abort). */
  public List<GroupSnapshot> unfinished() throws Exception {
    return list(true).stream().filter(g -> undecided(g.getState())).toList();
  }

  /**
   * A record in this state has no decision yet: a leader aborts it. A state this version does not know (written by a
   * newer one) is never taken for undecided: it is not this version's to abort.
   */
  public static boolean undecided(GroupSnapshotState s) {
    return switch (s) {
      case PREPARING, FREEZING, THAWING, COMMITTING, ABORTING -> true;
      default -> false;
    };
  }

  /** Deletions that were started and not finished (for a new leader to finish). */
  public List<GroupSnapshot> deleting() throws Exception {
    return list(true).stream().filter(g -> g.getState() == GroupSnapshotState.DELETING).toList();
  }

  /** Committed transactions whose members were not all confirmed to keep their captures. */
  public List<GroupSnapshot> unfinalized() throws Exception {
    return list(true).stream().filter(g -> g.getState() == GroupSnapshotState.COMMITTED && !g.getFinalized())
        .toList();
  }

  /**
   * A group snapshot the scrub may check and annotate: in the catalog, and its commit confirmed by every member (its
   * transaction record COMMITTED and finalized, or expired). Returns the record, else the catalog entry.
   */
  public Optional<GroupSnapshot> checkable(String id) throws Exception {
    Optional<RecordReader.Read<GroupSnapshot>> manifest = reader.read(layout.snapshot(id), RecordReader.MANIFEST);
    Optional<RecordReader.Read<GroupSnapshot>> record = reader.read(layout.txn(id), RecordReader.TRANSACTION);
    if (!checkable(manifest, record)) {
      return Optional.empty();
    }
    return Optional.of(record.orElse(manifest.get()).record());
  }

  /**
   * Writes a check's findings onto a group snapshot that is still {@link #checkable}: {@code change} of its catalog
   * entry and, while it has one, of its transaction record, each at the version just read, in one fenced multi-op. A
   * write landing in between (a deletion, another check) makes this one fail rather than be overwritten.
   *
   * @return the record (else the catalog entry) as written, or empty when the group snapshot is no longer checkable
   * @throws FencedWriteException when refused: deposed, a newer term, or a write in between
   */
  public Optional<GroupSnapshot> annotateCommitted(String id, UnaryOperator<GroupSnapshot> change, Fence f)
      throws Exception {
    Optional<RecordReader.Read<GroupSnapshot>> manifest = reader.read(layout.snapshot(id), RecordReader.MANIFEST);
    Optional<RecordReader.Read<GroupSnapshot>> record = reader.read(layout.txn(id), RecordReader.TRANSACTION);
    if (!checkable(manifest, record)) {
      return Optional.empty();
    }
    GroupSnapshot nextManifest = Formats.stamp(change.apply(manifest.get().record()));
    List<CuratorOp> ops = writes.fenced(f, zk.transactionOp().setData()
        .withVersion(manifest.get().stat().getVersion()).forPath(layout.snapshot(id), nextManifest.toByteArray()));
    GroupSnapshot nextRecord = record.map(r -> Formats.stamp(change.apply(r.record()))).orElse(null);
    if (nextRecord != null) {
      ops.add(zk.transactionOp().setData().withVersion(record.get().stat().getVersion()).forPath(layout.txn(id),
          nextRecord.toByteArray()));
    }
    writes.write(layout.snapshot(id), nextManifest, null, () -> ops);
    return Optional.of(nextRecord != null ? nextRecord : nextManifest);
  }

  /**
   * In the catalog, and its commit confirmed by every member (record COMMITTED and finalized, or expired); a
   * quarantined record or manifest is never checked or annotated.
   */
  private static boolean checkable(Optional<RecordReader.Read<GroupSnapshot>> manifest,
      Optional<RecordReader.Read<GroupSnapshot>> record) {
    if (manifest.isEmpty() || manifest.get().damage() != null) {
      return false;
    }
    return record.isEmpty() || (record.get().damage() == null && settledCommit(record.get().record()));
  }

  private static boolean settledCommit(GroupSnapshot record) {
    return record.getState() == GroupSnapshotState.COMMITTED && record.getFinalized();
  }

  /** Adopts an existing record's version, so that this process's {@link #updateTxn} may replace it. */
  public void adopt(String txnId) throws Exception {
    Stat stat = zk.checkExists().forPath(layout.txn(txnId));
    if (stat != null) {
      txnVersions.put(txnId, stat.getVersion());
    }
  }

  private int version(String txnId) {
    Integer v = txnVersions.get(txnId);
    if (v == null) {
      throw new IllegalStateException("transaction " + txnId + " was not created or adopted by this coordinator");
    }
    return v;
  }
}
