package io.groupsnap.agent.snapshot;

import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@link SnapshotCatalog} in memory (simulations): same semantics, no durability. */
final class MemorySnapshotCatalog implements SnapshotCatalog {
  private final Map<String, LocalSnapshot> entries = new TreeMap<>();
  private final Map<String, byte[]> manifests = new HashMap<>();

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
    manifests.remove(key(groupSnapshotId, volume));
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

  @Override
  public synchronized boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected,
      CaptureFingerprint next, ManifestDraft manifest) {
    LocalSnapshot s = entries.get(key(groupSnapshotId, volume));
    if (s == null || !s.getFingerprint().equals(expected)) {
      return false;
    }
    if (manifest == null) {
      manifests.remove(key(groupSnapshotId, volume));
    } else if (manifest instanceof ManifestDraft.InMemory m) {
      manifests.put(key(groupSnapshotId, volume), m.bytes());
    } else {
      throw new IllegalArgumentException("a draft of another catalog");
    }
    put(s.toBuilder().setFingerprint(next).build());
    return true;
  }

  @Override
  public synchronized Optional<InputStream> openManifest(String groupSnapshotId, String volume) {
    byte[] m = manifests.get(key(groupSnapshotId, volume));
    return m == null ? Optional.empty() : Optional.of(new ByteArrayInputStream(m));
  }
}
