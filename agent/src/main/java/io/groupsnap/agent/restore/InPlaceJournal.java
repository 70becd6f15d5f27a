package io.groupsnap.agent.restore;

import io.groupsnap.agent.snapshot.AtomicFiles;
import io.groupsnap.agent.volume.lvm.LvmInPlace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable record of its part of each in-place restore: one file per restore,
 * {@code <stateDir>/in-place/<restoreId>}, replaced atomically (with an fsync) before every change it describes is
 * made — the volumes (name, kind, live path, how it switches, a ZFS volume's dataset, an LVM volume's LV, snapshot
 * size and mount; the staged and replaced paths or datasets follow from those and the id), the last merge each LVM
 * volume started (written before it starts), the plan of each mount point's switch (written before its first
 * rename), which volumes are staged, the writers asked to stop (each written down before it is asked, so that a
 * restarted agent still gives it its {@code postRestore}), and the steps done. Properties text, so that any path
 * survives escaped. A restarted agent reads it back ({@link #load}) to settle a half switch and to keep answering the
 * leader. Not thread-safe: {@link InPlaceRestores} serialises its calls.
 */
final class InPlaceJournal {
  private static final Logger log = LoggerFactory.getLogger(InPlaceJournal.class);
  private static final String FORMAT = "1";

  /**
   * One volume of a restore: its kind, where its live data is, and whether that is a mount point (switched entry by
   * entry, {@link MountSwitch}) rather than a directory (switched by two renames, {@link VolumeSwitch}), or the ZFS
   * dataset switched by renames and a promote ({@link ZfsSwitch}; null for every other volume, and in entries written
   * before ZFS volumes were restored in place, which read as they were written), or the LVM logical volume merged
   * in place ({@link LvmSwitch}; null for every other volume).
   */
  record Vol(String kind, Path live, boolean mount, String dataset, LvmInPlace.Spec lvm) {
    Vol(String kind, Path live, boolean mount, String dataset) {
      this(kind, live, mount, dataset, null);
    }

    Vol(String kind, Path live, boolean mount) {
      this(kind, live, mount, null);
    }

    Vol(String kind, Path live) {
      this(kind, live, false);
    }
  }

  /** One restore as journaled; mutable, saved by {@link #save} after each change. */
  static final class Entry {
    final String restoreId;
    final String groupSnapshotId;
    /** By volume name, in the order asked. */
    final Map<String, Vol> volumes;
    /** The volumes whose capture is completely staged. */
    final Set<String> staged = new TreeSet<>();
    /** Writers asked to stop (preRestore), in the order asked, and not started again yet. */
    final List<String> stopped = new ArrayList<>();
    /** Every writer answered its preRestore with OK. */
    boolean stopComplete;
    /** The steps done, in order (for the operator reading the file). */
    final List<String> steps = new ArrayList<>();
    /** The last plan of each mount point's switch, by volume: written before its first rename. */
    final Map<String, MountSwitch.Plan> plans = new LinkedHashMap<>();
    /** The last merge each LVM volume started ({@code capture:<uuid>}, {@code aside:<uuid>}): written before it. */
    final Map<String, String> merges = new LinkedHashMap<>();

    Entry(String restoreId, String groupSnapshotId, Map<String, Vol> volumes) {
      this.restoreId = restoreId;
      this.groupSnapshotId = groupSnapshotId;
      this.volumes = new LinkedHashMap<>(volumes);
    }

    void did(String step) {
      if (steps.isEmpty() || !steps.get(steps.size() - 1).equals(step)) {
        steps.add(step);
      }
    }
  }

  private final Path dir;

  /** @param dir the journal directory, {@code <stateDir>/in-place} */
  InPlaceJournal(Path dir) {
    this.dir = dir;
  }

  void save(Entry e) throws IOException {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("restore", e.restoreId);
    p.setProperty("groupSnapshot", e.groupSnapshotId);
    p.setProperty("volumes", String.join(",", e.volumes.keySet()));
    e.volumes.forEach((name, v) -> {
      p.setProperty("volume." + name + ".kind", v.kind());
      p.setProperty("volume." + name + ".live", v.live().toString());
      p.setProperty("volume." + name + ".switch", v.dataset() != null ? "zfs" : v.lvm() != null ? "lvm"
          : v.mount() ? "mount" : "beside");
      if (v.dataset() != null) {
        p.setProperty("volume." + name + ".dataset", v.dataset());
      }
      if (v.lvm() != null) {
        p.setProperty("volume." + name + ".vg", v.lvm().vg());
        p.setProperty("volume." + name + ".lv", v.lvm().lv());
        p.setProperty("volume." + name + ".snapshotSize", v.lvm().snapshotSize());
        p.setProperty("volume." + name + ".fsType", v.lvm().fsType());
        p.setProperty("volume." + name + ".mountOptions", v.lvm().mountOptions());
      }
    });
    e.plans.forEach((name, plan) -> {
      putList(p, "volume." + name + ".plan.old", plan.old());
      putList(p, "volume." + name + ".plan.restored", plan.restored());
    });
    e.merges.forEach((name, merge) -> p.setProperty("volume." + name + ".merge", merge));
    p.setProperty("staged", String.join(",", e.staged));
    p.setProperty("writers.stopped", String.join(",", e.stopped));
    p.setProperty("writers.stopComplete", Boolean.toString(e.stopComplete));
    p.setProperty("steps", String.join(",", e.steps));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.store(out, "groupsnap in-place restore " + e.restoreId);
    AtomicFiles.write(dir.resolve(e.restoreId), out.toByteArray());
  }

  /** Deletes the restore's file: the restore is settled here (confirmed or discarded). */
  void forget(String restoreId) throws IOException {
    Files.deleteIfExists(dir.resolve(restoreId));
  }

  /** Every restore journaled; a file that cannot be read is logged and left aside (renamed {@code .damaged}). */
  List<Entry> load() throws IOException {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp") || name.endsWith(".damaged")) {
          continue;
        }
        try {
          out.add(read(f));
        } catch (IOException | RuntimeException ex) {
          log.warn("in-place restore journal {} cannot be read ({}); it is left aside as {}.damaged", f,
              ex.getMessage(), name);
          Files.move(f, f.resolveSibling(name + ".damaged"));
        }
      }
    }
    return out;
  }

  private static Entry read(Path f) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(f)) {
      p.load(in);
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new IOException("format " + p.getProperty("format") + " is not " + FORMAT);
    }
    Map<String, Vol> volumes = new LinkedHashMap<>();
    for (String v : list(p, "volumes")) {
      String sw = p.getProperty("volume." + v + ".switch", "beside");
      if (!sw.equals("beside") && !sw.equals("mount") && !sw.equals("zfs") && !sw.equals("lvm")) {
        throw new IOException("volume." + v + ".switch is '" + sw + "', not beside, mount, zfs or lvm");
      }
      LvmInPlace.Spec lvm = !sw.equals("lvm") ? null : new LvmInPlace.Spec(required(p, "volume." + v + ".vg"),
          required(p, "volume." + v + ".lv"), required(p, "volume." + v + ".snapshotSize"),
          p.getProperty("volume." + v + ".fsType", ""), p.getProperty("volume." + v + ".mountOptions", ""));
      volumes.put(v, new Vol(required(p, "volume." + v + ".kind"), Path.of(required(p, "volume." + v + ".live")),
          sw.equals("mount"), sw.equals("zfs") ? required(p, "volume." + v + ".dataset") : null, lvm));
    }
    Entry e = new Entry(required(p, "restore"), required(p, "groupSnapshot"), volumes);
    if (!e.restoreId.equals(f.getFileName().toString())) {
      throw new IOException("it names restore " + e.restoreId);
    }
    e.staged.addAll(list(p, "staged"));
    e.stopped.addAll(list(p, "writers.stopped"));
    e.stopComplete = Boolean.parseBoolean(p.getProperty("writers.stopComplete"));
    e.steps.addAll(list(p, "steps"));
    for (String v : volumes.keySet()) {
      if (p.getProperty("volume." + v + ".merge") != null) {
        e.merges.put(v, p.getProperty("volume." + v + ".merge"));
      }
      if (p.getProperty("volume." + v + ".plan.old.count") != null) {
        e.plans.put(v, new MountSwitch.Plan(getList(p, "volume." + v + ".plan.old"),
            getList(p, "volume." + v + ".plan.restored")));
      }
    }
    return e;
  }

  private static String required(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null || v.isEmpty()) {
      throw new IOException(key + " is missing");
    }
    return v;
  }

  /** A list of names, any characters in them: a count and one key per item. */
  private static void putList(Properties p, String key, List<String> items) {
    p.setProperty(key + ".count", Integer.toString(items.size()));
    for (int i = 0; i < items.size(); i++) {
      p.setProperty(key + "." + i, items.get(i));
    }
  }

  private static List<String> getList(Properties p, String key) throws IOException {
    int n;
    try {
      n = Integer.parseInt(required(p, key + ".count"));
    } catch (NumberFormatException ex) {
      throw new IOException(key + ".count is not a number");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(required(p, key + "." + i));
    }
    return out;
  }

  private static List<String> list(Properties p, String key) {
    String v = p.getProperty(key, "");
    return v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
  }
}
