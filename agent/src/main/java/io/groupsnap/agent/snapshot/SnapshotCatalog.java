package io.groupsnap.agent.snapshot;

import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's durable record of its captures, one entry per (group snapshot, volume).
 *
 * <p>A capture is recorded as PENDING at prepare, before anything is frozen or written, so that whatever a crash leaves
 * behind is known and can be reaped; it becomes KEPT when the coordinator reports the commit. Implementations are
 * thread-safe.
 */
public interface SnapshotCatalog {
  /** On disk under {@code <stateDir>/snapshots}, each write fsync'd: survives kill -9. */
  static SnapshotCatalog onDisk(Path stateDir) throws IOException {
    return new DiskSnapshotCatalog(stateDir);
  }

  /** In memory, for simulations. */
  static SnapshotCatalog inMemory() {
    return new MemorySnapshotCatalog();
  }

  void put(LocalSnapshot s) throws IOException;

  /** Marks every capture of the group snapshot KEPT; returns how many. */
  int markKept(String groupSnapshotId) throws IOException;

  void remove(String groupSnapshotId, String volume) throws IOException;

  /** The captures of one group snapshot, or of all when {@code groupSnapshotId} is empty, sorted. */
  List<LocalSnapshot> list(String groupSnapshotId) throws IOException;

  /**
   * Records a capture's fingerprint, atomically with respect to the other calls: only when the entry exists and its
   * fingerprint is still {@code expected} ({@link CaptureFingerprint#getDefaultInstance()} for none), so that a
   * fingerprint, once recorded, is never replaced by one of a tree changed since. Returns whether it was recorded.
   */
  boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected, CaptureFingerprint next)
      throws IOException;
}
