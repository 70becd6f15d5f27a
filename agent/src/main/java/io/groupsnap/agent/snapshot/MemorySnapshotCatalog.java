package io.groupsnap.agent.snapshot;

import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@link SnapshotCatalog} in memory (simulations): same semantics, no durability. */
final class MemorySnapshotCatalog implements SnapshotCatalog {
  private final Map<String, LocalSnapshot> entries = new TreeMap<>();

  private static String key(String groupSnapshotId, String volume) {
    return groupSnapshotId + "/" + volume;
  }

  @Override
  public synchronized void put(LocalSnapshot s) {
    entries.put(key(s.getGroupSnapshotId(), s.getVolume()), s);
  }

  @Override
  public synchronized int markKept(String groupSnapshotId) {
    int n = 0;
    for (LocalSnapshot s : list(groupSnapshotId)) {
      put(s.toBuilder().setState(LocalSnapshotState.LOCAL_KEPT).build());
      n++;
    }
    return n;
  }

  @Override
  public synchronized void remove(String groupSnapshotId, String volume) {
    entries.remove(key(groupSnapshotId, volume));
  }

  @Override
  public synchronized List<LocalSnapshot> list(String groupSnapshotId) {
    List<LocalSnapshot> out = new ArrayList<>();
    for (LocalSnapshot s : entries.values()) {
      if (groupSnapshotId.isEmpty() || s.getGroupSnapshotId().equals(groupSnapshotId)) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public synchronized boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected,
      CaptureFingerprint next) {
    LocalSnapshot s = entries.get(key(groupSnapshotId, volume));
    if (s == null || !s.getFingerprint().equals(expected)) {
      return false;
    }
    put(s.toBuilder().setFingerprint(next).build());
    return true;
  }
}
