package io.groupsnap.coordinator.sim;

import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * ZooKeeper as {@code ClusterStore} uses it, in memory and linearizable: the epoch, the leader latch's sequential
 * nodes, transaction records with versions, and the catalog of committed manifests. Writes are fenced as the
 * store's multi-ops are: each first checks that the writer's latch node still exists, an update or commit checks the
 * record's version, a commit writes the record and its manifest atomically. Every write that lands is shown to the
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

  /** Kinds of record writes. */
  enum Write { CREATE, UPDATE, COMMIT }

  /** Sees every write that lands, before it is applied. */
  interface Observer {
    void epochRaised(long latch, long epoch);

    void landing(Write kind, GroupSnapshot before, GroupSnapshot after, long latch, long writerEpoch);
  }

  private final Observer observer;
  private final TreeMap<Long, String> latches = new TreeMap<>();
  private final Map<String, Versioned> txns = new TreeMap<>();
  private final Map<String, GroupSnapshot> catalog = new TreeMap<>();
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

  /** Raises the epoch, only while {@code latch} exists. */
  long bumpEpoch(long latch) throws Refused {
    requireLatch(latch);
    observer.epochRaised(latch, epoch + 1);
    return ++epoch;
  }

  // ---- records ----

  void create(GroupSnapshot rec, long latch, long writerEpoch) throws Refused {
    requireLatch(latch);
    if (txns.containsKey(rec.getId())) {
      throw new Refused("NodeExists: txns/" + rec.getId());
    }
    observer.landing(Write.CREATE, null, rec, latch, writerEpoch);
    txns.put(rec.getId(), new Versioned(rec, 0));
  }

  void update(GroupSnapshot rec, int version, long latch, long writerEpoch) throws Refused {
    Versioned now = requireVersion(rec.getId(), version, latch);
    observer.landing(Write.UPDATE, now.record(), rec, latch, writerEpoch);
    txns.put(rec.getId(), new Versioned(rec, version + 1));
  }

  /** The commit point: the record and its manifest in one atomic write. */
  void commit(GroupSnapshot rec, int version, long latch, long writerEpoch) throws Refused {
    Versioned now = requireVersion(rec.getId(), version, latch);
    if (catalog.containsKey(rec.getId())) {
      throw new Refused("NodeExists: snapshots/" + rec.getId());
    }
    observer.landing(Write.COMMIT, now.record(), rec, latch, writerEpoch);
    txns.put(rec.getId(), new Versioned(rec, version + 1));
    catalog.put(rec.getId(), rec);
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

  /** Records not yet COMMITTED, ABORTED or DELETED, as a new leader reads them. */
  List<GroupSnapshot> unfinished() {
    List<GroupSnapshot> out = new ArrayList<>();
    for (Versioned v : txns.values()) {
      switch (v.record().getState()) {
        case COMMITTED, ABORTED, DELETED -> { }
        default -> out.add(v.record());
      }
    }
    return out;
  }

  private void requireLatch(long latch) throws Refused {
    if (!latches.containsKey(latch)) {
      throw new Refused("NoNode: latch node " + latch + " is gone");
    }
  }

  private Versioned requireVersion(String id, int version, long latch) throws Refused {
    requireLatch(latch);
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
