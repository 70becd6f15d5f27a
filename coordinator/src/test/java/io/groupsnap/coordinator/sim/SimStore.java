package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * ZooKeeper as {@code ClusterStore} uses it, in memory and linearizable: the epoch, the leader latch's sequential
 * nodes, transaction records with versions, and the catalog of committed manifests. Writes are fenced as the
 * store's multi-ops are ({@code ClusterStore.Fence}): each first checks that the writer's latch node still exists
 * <em>and</em> that the epoch znode is still at the version the writer's own bump left (here the epoch itself: every
 * bump raises both by one), so a write of an earlier term fails even when the same latch node leads again; an update
 * or commit checks the record's version; a commit writes the record and its manifest atomically, and so does the
 * first step of a deletion (record DELETING, manifest removed). Every write that lands is shown to the
 * {@link Observer} (the invariants) first.
 */
final class SimStore {
  /** A refused operation, as a failed multi-op reports it; nothing was written. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** A transaction record and its znode version. */
  record Versioned(GroupSnapshot record, int version) {}

  /**
   * What a leader's write is checked against: its latch node, and the epoch (version) its own bump left.
   *
   * @param latch the writer's latch node
   * @param epoch the epoch its term began with
   */
  record Fence(long latch, long epoch) {}

  /** Kinds of record writes. */
  enum Write { CREATE, UPDATE, COMMIT, DELETING }

  /** Sees every write that lands, before it is applied. */
  interface Observer {
    void epochRaised(long latch, long epoch);

    void landing(Write kind, GroupSnapshot before, GroupSnapshot after, Fence fence);
  }

  private final Observer observer;
  private final TreeMap<Long, String> latches = new TreeMap<>();
  private final Map<String, Versioned> txns = new TreeMap<>();
  private final Map<String, GroupSnapshot> catalog = new TreeMap<>();
  private final List<LongConsumer> epochWatchers = new ArrayList<>();
  private long nextLatch = 1;
  private long epoch;

  SimStore(Observer observer) {
    this.observer = observer;
  }

  // ---- leader latch ----

  /** Creates a latch node for {@code owner}; returns its sequence number. */
  long createLatch(String owner) {
    long seq = nextLatch++;
    latches.put(seq, owner);
    return seq;
  }

  /** Deletes a latch node (its session ended); false when it was gone already. */
  boolean deleteLatch(long seq) {
    return latches.remove(seq) != null;
  }

  /** The leader's latch node: the lowest. */
  OptionalLong leaderLatch() {
    return latches.isEmpty() ? OptionalLong.empty() : OptionalLong.of(latches.firstKey());
  }

  boolean latchExists(long seq) {
    return latches.containsKey(seq);
  }

  // ---- epoch ----

  long epoch() {
    return epoch;
  }

  /** Raises the epoch, only while {@code latch} exists; watchers (the agents' epoch watch) are told after. */
  long bumpEpoch(long latch) throws Refused {
    requireLatch(latch);
    observer.epochRaised(latch, epoch + 1);
    ++epoch;
    epochWatchers.forEach(wt -> wt.accept(epoch));
    return epoch;
  }

  /** Adds a watch on the epoch znode: called with every new epoch. */
  void watchEpoch(LongConsumer watcher) {
    epochWatchers.add(watcher);
  }

  // ---- records ----

  void create(GroupSnapshot rec, Fence f) throws Refused {
    requireTerm(f);
    if (txns.containsKey(rec.getId())) {
      throw new Refused("NodeExists: txns/" + rec.getId());
    }
    observer.landing(Write.CREATE, null, rec, f);
    txns.put(rec.getId(), new Versioned(rec, 0));
  }

  void update(GroupSnapshot rec, int version, Fence f) throws Refused {
    Versioned now = requireVersion(rec.getId(), version, f);
    observer.landing(Write.UPDATE, now.record(), rec, f);
    txns.put(rec.getId(), new Versioned(rec, version + 1));
  }

  /** The commit point: the record and its manifest in one atomic write. */
  void commit(GroupSnapshot rec, int version, Fence f) throws Refused {
    Versioned now = requireVersion(rec.getId(), version, f);
    if (catalog.containsKey(rec.getId())) {
      throw new Refused("NodeExists: snapshots/" + rec.getId());
    }
    observer.landing(Write.COMMIT, now.record(), rec, f);
    txns.put(rec.getId(), new Versioned(rec, version + 1));
    catalog.put(rec.getId(), rec);
  }

  /** The first step of a deletion: the record says DELETING and the manifest leaves the catalog, atomically. */
  void markDeleting(GroupSnapshot deleting, int version, Fence f) throws Refused {
    Versioned now = requireVersion(deleting.getId(), version, f);
    observer.landing(Write.DELETING, now.record(), deleting, f);
    txns.put(deleting.getId(), new Versioned(deleting, version + 1));
    catalog.remove(deleting.getId());
  }

  Optional<Versioned> txn(String id) {
    return Optional.ofNullable(txns.get(id));
  }

  Collection<Versioned> txns() {
    return txns.values();
  }

  /** Committed manifests. */
  Collection<GroupSnapshot> catalog() {
    return catalog.values();
  }

  boolean committed(String id) {
    return catalog.containsKey(id);
  }

  /** Records that never reached a decision, as {@code ClusterStore#unfinished} reads them (for a leader to abort). */
  List<GroupSnapshot> unfinished() {
    List<GroupSnapshot> out = new ArrayList<>();
    for (Versioned v : txns.values()) {
      switch (v.record().getState()) {
        case COMMITTED, ABORTED, DELETED, DELETING -> { }
        default -> out.add(v.record());
      }
    }
    return out;
  }

  /** Committed records whose members were not all confirmed to keep their captures. */
  List<GroupSnapshot> unfinalized() {
    return txns.values().stream().map(Versioned::record)
        .filter(g -> g.getState() == GroupSnapshotState.COMMITTED && !g.getFinalized()).toList();
  }

  /** Deletions started and not finished. */
  List<GroupSnapshot> deleting() {
    return txns.values().stream().map(Versioned::record)
        .filter(g -> g.getState() == GroupSnapshotState.DELETING).toList();
  }

  /** What an agent's reaper reads of a group snapshot, as {@code Agent#decision} maps it. */
  Reaper.Decision decision(String id) {
    Versioned v = txns.get(id);
    if (v == null) {
      return catalog.containsKey(id) ? Reaper.Decision.COMMITTED : Reaper.Decision.NO_RECORD;
    }
    return switch (v.record().getState()) {
      case COMMITTED -> Reaper.Decision.COMMITTED;
      case ABORTED -> Reaper.Decision.ABORTED;
      case DELETED, DELETING -> Reaper.Decision.DELETED;
      default -> Reaper.Decision.UNDECIDED;
    };
  }

  private void requireLatch(long latch) throws Refused {
    if (!latches.containsKey(latch)) {
      throw new Refused("NoNode: latch node " + latch + " is gone");
    }
  }

  private void requireTerm(Fence f) throws Refused {
    requireLatch(f.latch());
    if (epoch != f.epoch()) {
      throw new Refused("BadVersion: the epoch is at " + epoch + ", not " + f.epoch() + " as this term left it");
    }
  }

  private Versioned requireVersion(String id, int version, Fence f) throws Refused {
    requireTerm(f);
    Versioned now = txns.get(id);
    if (now == null) {
      throw new Refused("NoNode: txns/" + id);
    }
    if (now.version() != version) {
      throw new Refused("BadVersion: txns/" + id + " is at version " + now.version() + ", not " + version);
    }
    return now;
  }
}
