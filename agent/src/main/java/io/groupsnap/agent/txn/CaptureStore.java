package io.groupsnap.agent.txn;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's captures and their catalog: the PENDING entries written at PREPARE, KEPT at COMMIT, and deletion. A
 * capture is deleted only where its volume says captures live ({@link Volume#owns}), or, for a volume no longer
 * configured, only under the snapshot root; anything else is refused.
 *
 * <p>No lock of its own: thread-safe as far as the catalog and the volumes are.
 */
final class CaptureStore {
  private static final Logger log = LoggerFactory.getLogger(CaptureStore.class);

  private final Map<String, Volume> volumes;
  private final SnapshotCatalog catalog;
  private final Path snapshotRoot;
  private final Clock clock;

  CaptureStore(Map<String, Volume> volumes, SnapshotCatalog catalog, Path snapshotRoot, Clock clock) {
    this.volumes = volumes;
    this.catalog = catalog;
    this.snapshotRoot = snapshotRoot.toAbsolutePath().normalize();
    this.clock = clock;
  }

  /** Where the transaction's capture of {@code v} goes. */
  static Path target(Volume v, String txnId) {
    return v.captureTarget(txnId);
  }

  /** A PENDING entry for each capture the transaction will make, before anything is frozen. */
  void recordPending(LocalTxn txn) throws IOException {
    for (Volume v : txn.volumes) {
      catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(txn.ref.txnId()).setVolume(v.name())
          .setPath(target(v, txn.ref.txnId()).toString()).setState(LocalSnapshotState.LOCAL_PENDING)
          .setCreatedAtMillis(clock.millis()).build());
    }
  }

  /** The group snapshot was committed: its captures here are kept; returns how many. */
  int markKept(String groupSnapshotId) throws IOException {
    return catalog.markKept(groupSnapshotId);
  }

  List<LocalSnapshot> list(String groupSnapshotId) throws IOException {
    return catalog.list(groupSnapshotId);
  }

  /** Deletes the transaction's pending captures; a failure is logged (the reaper retries) and counts as none. */
  int deletePending(String txnId) {
    try {
      return delete(txnId, true);
    } catch (IOException | WrongPhaseException e) {
      log.warn("could not delete captures of {}: {}", txnId, e.getMessage());
      return 0;
    }
  }

  /**
   * Deletes every capture of a group snapshot and its catalog entries; returns how many.
   *
   * @param pendingOnly refuse (before deleting a kept one) when a capture is kept: the transaction committed here
   */
  int delete(String groupSnapshotId, boolean pendingOnly) throws IOException, WrongPhaseException {
    int n = 0;
    for (LocalSnapshot s : catalog.list(groupSnapshotId)) {
      if (pendingOnly && s.getState() == LocalSnapshotState.LOCAL_KEPT) {
        throw new WrongPhaseException("group snapshot " + groupSnapshotId + " is committed on this agent");
      }
      Path p = Path.of(s.getPath()).toAbsolutePath().normalize();
      Volume v = volumes.get(s.getVolume());
      if (v != null && v.owns(p)) {
        v.delete(p);
      } else if (v == null && p.startsWith(snapshotRoot) && !p.equals(snapshotRoot)) {
        // a volume since removed from the configuration: only copies under the snapshot root can be removed
        Captures.deleteTree(p);
      } else {
        throw new IOException("refusing to delete " + p + ": not a capture location of volume "
            + Names.printable(s.getVolume()));
      }
      catalog.remove(groupSnapshotId, s.getVolume());
      n++;
    }
    return n;
  }
}
