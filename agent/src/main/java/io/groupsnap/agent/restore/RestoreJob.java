package io.groupsnap.agent.restore;

import io.groupsnap.proto.v1.MemberRestore;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * One restore as {@link RestoreManager} remembers it for GetRestore: its group snapshot, whether it is a test restore
 * that keeps its checked copies, and each volume's status. A plain holder, apart from the manager so that its
 * bookkeeping reads on its own; every mutable field is guarded by the manager's monitor.
 */
final class RestoreJob {
  final String groupSnapshotId;
  final boolean verify;
  final boolean keepScratch;
  /** Each volume's restore as it stands; guarded by the manager. */
  final Map<String, MemberRestore> volumes = new TreeMap<>();
  /** Kept scratch copies by volume (their targets); guarded by the manager. */
  final Map<String, Path> kept = new TreeMap<>();
  /** Discarded: a copy finishing from now on is removed at once. */
  boolean discarded;

  RestoreJob(String groupSnapshotId, boolean verify, boolean keepScratch) {
    this.groupSnapshotId = groupSnapshotId;
    this.verify = verify;
    this.keepScratch = keepScratch;
  }
}
