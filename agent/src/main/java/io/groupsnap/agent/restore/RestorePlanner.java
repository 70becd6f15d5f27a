package io.groupsnap.agent.restore;

import io.groupsnap.agent.export.ExportException;
import io.groupsnap.agent.export.ExportTarget;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checks of a restore before anything is written, and its plan: which capture (kept here, or an export of it the
 * leader named) each asked volume is restored from, to which target, by which of its kind's restorers, and whether
 * the file systems the targets lie on have room. Apart from {@link RestoreManager} because these checks are shared by
 * every restore that writes a capture somewhere (a restore to new places, a test restore's scratch copy, an in-place
 * restore's staging beside the live data); only the choice of target differs ({@link TargetChoice}). Reads the
 * catalog, the volumes' storage and the file systems, writes nothing and keeps no state of its own, so it is safe from
 * any thread.
 */
final class RestorePlanner {
  private final String agentId;
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final Map<String, ExportTarget> exportTargets = new LinkedHashMap<>();
  private final SnapshotCatalog catalog;
  private final RestoreManager.FreeSpace freeSpace;

  RestorePlanner(String agentId, List<Volume> volumes, List<ExportTarget> exportTargets, SnapshotCatalog catalog,
      RestoreManager.FreeSpace freeSpace) {
    this.agentId = agentId;
    exportTargets.forEach(t -> this.exportTargets.put(t.name(), t));
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.catalog = catalog;
    this.freeSpace = freeSpace;
  }

  /** Where one asked volume is materialized, checked: a refusal names the volume. */
  @FunctionalInterface
  interface TargetChoice {
    Path target(VolumeTarget asked, Volume volume) throws RestoreRefusedException;
  }

  /** How a kept capture is materialized at a target: by its kind's restorer, unless a restore needs another way. */
  @FunctionalInterface
  interface RestorerChoice {
    RestorerChoice KIND = (volume, capture, target) -> volume.restorer(capture, target);

    Restorer restorer(Volume volume, Path capture, Path target) throws VolumeException;
  }

  List<RestorePlan> plan(String groupSnapshotId, List<VolumeTarget> asked, TargetChoice choice)
      throws RestoreRefusedException, IOException {
    return plan(groupSnapshotId, asked, choice, RestorerChoice.KIND);
  }

  /**
   * Checks every asked volume (its capture is kept here or an export of it is named, it is configured, its target as
   * {@code choice} decides it, no two targets overlap, the kind can restore it) and says how each is restored; writes
   * nothing.
   *
   * @param asked empty: every volume captured here
   */
  List<RestorePlan> plan(String groupSnapshotId, List<VolumeTarget> asked, TargetChoice choice,
      RestorerChoice restorers) throws RestoreRefusedException, IOException {
    Map<String, LocalSnapshot> kept = new TreeMap<>();
    catalog.list(groupSnapshotId).forEach(s -> kept.put(s.getVolume(), s));
    if (kept.isEmpty() && asked.stream().allMatch(t -> t.getExportTarget().isEmpty())) {
      throw new RestoreRefusedException("agent " + agentId + " keeps no capture of group snapshot "
          + groupSnapshotId);
    }
    List<VolumeTarget> wanted = asked.isEmpty()
        ? kept.keySet().stream().map(v -> VolumeTarget.newBuilder().setVolume(v).build()).toList() : asked;
    List<RestorePlan> plans = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (VolumeTarget t : wanted) {
      String v = t.getVolume();
      if (!seen.add(v)) {
        throw new RestoreRefusedException("volume " + v + " is asked for twice");
      }
      LocalSnapshot s = kept.get(v);
      if (s != null && s.getState() != LocalSnapshotState.LOCAL_KEPT) {
        throw new RestoreRefusedException("group snapshot " + groupSnapshotId + " is not committed on agent "
            + agentId + ": only kept captures are restored");
      }
      Volume volume = volumes.get(v);
      boolean local = s != null && volume != null && present(volume, s);
      if (!local && t.getExportTarget().isEmpty()) {
        throw new RestoreRefusedException("agent " + agentId + " keeps no capture of volume " + v
            + " of group snapshot " + groupSnapshotId + (s == null ? "" : " (it is gone from its storage)")
            + " and no export of it is known");
      }
      if (volume == null) {
        throw new RestoreRefusedException("volume " + v + " is no longer configured on agent " + agentId);
      }
      Path target = choice.target(t, volume);
      for (RestorePlan other : plans) {
        if (other.target().startsWith(target) || target.startsWith(other.target())) {
          throw new RestoreRefusedException("volume " + v + ": target " + target + " overlaps the target of volume "
              + other.volume());
        }
      }
      try {
        plans.add(local ? new RestorePlan(v, volume.kind(), Path.of(s.getPath()), target,
            restorers.restorer(volume, Path.of(s.getPath()), target))
            : new RestorePlan(v, volume.kind(), null, target, fromExport(v, t)));
      } catch (VolumeException | ExportException e) {
        throw new RestoreRefusedException("volume " + v + ": " + e.getMessage());
      }
    }
    return plans;
  }

  /** Whether the kept capture is still on its volume's storage (a tool failure counts as present: try it). */
  private static boolean present(Volume volume, LocalSnapshot s) {
    try {
      return volume.locate(Path.of(s.getPath())).present();
    } catch (IOException e) {
      return true;
    }
  }

  /** The export of a volume whose local capture is gone, as the leader named it. */
  private Restorer fromExport(String volume, VolumeTarget t) throws RestoreRefusedException, ExportException {
    ExportTarget target = exportTargets.get(t.getExportTarget());
    if (target == null) {
      throw new RestoreRefusedException("volume " + volume + ": the local capture is gone and export target "
          + t.getExportTarget() + " is not configured on agent " + agentId);
    }
    return target.restorer(t.getRepositorySnapshotId(), t.getExportBytes());
  }

  /** Each file system the targets lie on must have room for everything written there. */
  void checkRoom(List<RestorePlan> plans) throws RestoreRefusedException {
    Map<Long, Long> need = new HashMap<>();
    Map<Long, Path> where = new HashMap<>();
    for (RestorePlan p : plans) {
      Path dir = existingAncestor(p.target());
      try {
        long device = CaptureTree.device(dir);
        need.merge(device, p.restorer().bytesNeeded(), Long::sum);
        where.putIfAbsent(device, dir);
      } catch (IOException | UncheckedIOException e) {
        throw new RestoreRefusedException("volume " + p.volume() + ": cannot examine " + dir + ": " + e.getMessage());
      }
    }
    for (Map.Entry<Long, Long> e : need.entrySet()) {
      Path dir = where.get(e.getKey());
      long free;
      try {
        free = freeSpace.usable(dir);
      } catch (IOException ex) {
        throw new RestoreRefusedException("cannot read the free space at " + dir + ": " + ex.getMessage());
      }
      if (e.getValue() > free) {
        throw new RestoreRefusedException("not enough space: the restore needs " + e.getValue() + " bytes on the file"
            + " system of " + dir + ", which has " + free + " free");
      }
    }
  }

  private static Path existingAncestor(Path p) {
    Path d = p;
    while (d != null && !Files.exists(d)) {
      d = d.getParent();
    }
    return d == null ? p.getRoot() : d;
  }
}
