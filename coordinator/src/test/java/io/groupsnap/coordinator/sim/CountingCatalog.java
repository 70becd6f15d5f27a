package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import java.io.IOException;
import java.util.List;

/**
 * The agent's in-memory snapshot catalog, counting its changes so that the invariants re-check the captures of
 * committed group snapshots only after something changed. Survives agent restarts (it stands for the disk).
 */
final class CountingCatalog implements SnapshotCatalog {
  private final SnapshotCatalog inner = SnapshotCatalog.inMemory();
  private long mutations;

  @Override
  public void put(LocalSnapshot s) throws IOException {
    inner.put(s);
    mutations++;
  }

  @Override
  public int markKept(String groupSnapshotId) throws IOException {
    mutations++;
    return inner.markKept(groupSnapshotId);
  }

  @Override
  public void remove(String groupSnapshotId, String volume) throws IOException {
    inner.remove(groupSnapshotId, volume);
    mutations++;
  }

  @Override
  public List<LocalSnapshot> list(String groupSnapshotId) throws IOException {
    return inner.list(groupSnapshotId);
  }

  @Override
  public boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected,
      CaptureFingerprint next) throws IOException {
    mutations++;
    return inner.setFingerprint(groupSnapshotId, volume, expected, next);
  }

  /** The entries of one group snapshot (or all, for ""); the in-memory catalog never fails. */
  List<LocalSnapshot> entries(String groupSnapshotId) {
    try {
      return inner.list(groupSnapshotId);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  long mutations() {
    return mutations;
  }
}
