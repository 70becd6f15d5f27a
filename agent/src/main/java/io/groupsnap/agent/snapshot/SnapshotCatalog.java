package io.groupsnap.agent.snapshot;

import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The agent's durable record of its captures, one entry per (group snapshot, volume).
 *
 * <p>A capture is recorded as PENDING at prepare, before anything is frozen or written, so that whatever a crash leaves
 * behind is known and can be reaped; it becomes KEPT when the coordinator reports the commit. Beside an entry's
 * fingerprint the catalog can keep the capture's file manifest (one record per file, written in the walk that made
 * the fingerprint); it is removed with the entry. Implementations are thread-safe.
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

  /**
   * As {@link #setFingerprint(String, String, CaptureFingerprint, CaptureFingerprint)}, and in the same step makes
   * {@code manifest} the capture's file manifest, replacing any recorded before; with a null {@code manifest} the
   * capture has none afterwards. The manifest is recorded first, so a crash in between leaves a manifest that does
   * not belong to the entry's fingerprint, which readers ignore. Nothing is recorded when this returns false. The
   * default keeps no manifests.
   */
  default boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected,
      CaptureFingerprint next, ManifestDraft manifest) throws IOException {
    return setFingerprint(groupSnapshotId, volume, expected, next);
  }

  /** A new draft of a capture's file manifest, to be written and then recorded by {@code setFingerprint}. */
  default ManifestDraft draftManifest() throws IOException {
    return ManifestDraft.inMemory();
  }

  /** The recorded file manifest of a capture, for the caller to read and close; empty when it has none. */
  default Optional<InputStream> openManifest(String groupSnapshotId, String volume) throws IOException {
    return Optional.empty();
  }
}
