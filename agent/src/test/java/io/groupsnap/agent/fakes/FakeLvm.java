package io.groupsnap.agent.fakes;

import static io.groupsnap.agent.fakes.RecordingCommandRunner.bin;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.exit;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.ok;

import io.groupsnap.agent.command.CommandRunner.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One LVM volume group and the mount table, with state, played by a {@link RecordingCommandRunner} (which records
 * every command as usual): logical volumes with their extents, UUID and <em>content</em> (a label standing for the
 * data: a snapshot holds its origin's content of when it was made), old-style snapshots that can be merging or invalid,
 * and file systems mounted at paths. It answers the commands groupsnap runs ({@code lvs}, {@code vgs},
 * {@code lvcreate --snapshot}, {@code lvconvert --merge}, {@code lvchange --activate}, {@code lvremove},
 * {@code findmnt}, {@code mount}, {@code umount}) as LVM and device-mapper do for the cases that matter: a merge of a
 * snapshot into a closed origin completes at once (the origin takes the snapshot's content, the snapshot is gone, its
 * extents free) and waits for the next activation when the origin is open or {@link #deferMerges} is set; the other
 * snapshots keep their content through a merge; an open origin cannot be deactivated; extents run out. A test can
 * make one run of a tool fail ({@link #failOnce}), a crash point. Not for concurrent use beyond the runner's own lock.
 */
public final class FakeLvm {
  private static final class Lv {
    String origin = "";
    String content;
    long extents;
    String uuid;
    boolean merging;
    boolean invalid;
    boolean active = true;
  }

  public final RecordingCommandRunner runner = new RecordingCommandRunner().installs("lvs", "vgs", "lvcreate",
      "lvconvert", "lvchange", "lvremove", "findmnt", "mount", "umount", "dmsetup");
  private final String vg;
  private final long extentBytes;
  private final long extents;
  private final Map<String, Lv> lvs = new LinkedHashMap<>();
  /** Mount point → device mounted there. */
  private final Map<String, String> mounts = new HashMap<>();
  private final Map<String, String> failures = new HashMap<>();
  private final Map<String, Integer> skips = new HashMap<>();
  private boolean deferMerges;
  private int uuids;

  public FakeLvm(String vg, long extentBytes, long extents) {
    this.vg = vg;
    this.extentBytes = extentBytes;
    this.extents = extents;
    for (String tool : List.of("lvs", "vgs", "lvcreate", "lvconvert", "lvchange", "lvremove", "findmnt", "mount",
        "umount")) {
      runner.on(List.of(bin(tool)), argv -> run(tool, argv));
    }
  }

  /** A logical volume of {@code n} extents holding {@code content}, mounted at {@code mountPoint}. */
  public synchronized FakeLvm origin(String name, long n, String content, String mountPoint) {
    Lv l = new Lv();
    l.extents = n;
    l.content = content;
    l.uuid = "uuid-" + uuids++;
    lvs.put(name, l);
    mounts.put(mountPoint, "/dev/mapper/" + vg + "-" + name.replace("-", "--"));
    return this;
  }

  /** A snapshot of {@code origin} of {@code n} extents holding {@code content} (what the origin held when made). */
  public synchronized FakeLvm snapshot(String name, String origin, long n, String content) {
    Lv l = new Lv();
    l.origin = origin;
    l.extents = n;
    l.content = content;
    l.uuid = "uuid-" + uuids++;
    lvs.put(name, l);
    return this;
  }

  /** The origin is written: its content changes, its snapshots keep theirs. */
  public synchronized void write(String lv, String content) {
    lvs.get(lv).content = content;
  }

  /** Removes an LV, as {@code lvremove} by someone else (the reaper deleting a capture). */
  public synchronized void remove(String lv) {
    lvs.remove(lv);
  }

  /** The snapshot's copy-on-write space filled up. */
  public synchronized void invalidate(String snapshot) {
    lvs.get(snapshot).invalid = true;
  }

  /** Every merge waits for the next activation of the origin, even of a closed one. */
  public synchronized void deferMerges(boolean defer) {
    deferMerges = defer;
  }

  /** The next run of {@code tool} fails with {@code stderr}, once. */
  public synchronized void failOnce(String tool, String stderr) {
    failOnce(tool, 0, stderr);
  }

  /** The run of {@code tool} after the next {@code skip} ones fails with {@code stderr}, once. */
  public synchronized void failOnce(String tool, int skip, String stderr) {
    failures.put(tool, stderr);
    skips.put(tool, skip);
  }

  public synchronized Set<String> lvs() {
    return new TreeSet<>(lvs.keySet());
  }

  public synchronized String content(String lv) {
    return lvs.get(lv).content;
  }

  public synchronized String uuid(String lv) {
    return lvs.get(lv).uuid;
  }

  public synchronized long extents(String lv) {
    return lvs.get(lv).extents;
  }

  public synchronized boolean merging(String lv) {
    return lvs.values().stream().anyMatch(l -> l.merging && (l.origin.equals(lv)));
  }

  public synchronized boolean mounted(String mountPoint) {
    return mounts.containsKey(mountPoint);
  }

  public synchronized long freeExtents() {
    return extents - lvs.values().stream().mapToLong(l -> l.extents).sum();
  }

  private Result run(String tool, List<String> argv) {
    int skip = skips.getOrDefault(tool, 0);
    if (skip > 0) {
      skips.put(tool, skip - 1);
    } else if (failures.containsKey(tool)) {
      return exit(5, failures.remove(tool));
    }
    List<String> a = argv.subList(1, argv.size());
    return switch (tool) {
      case "lvs" -> lvsReport(a);
      case "vgs" -> ok(vg + "|" + extentBytes + "|" + extents + "|" + freeExtents() + "\n");
      case "lvcreate" -> lvcreate(a);
      case "lvconvert" -> lvconvert(a);
      case "lvchange" -> lvchange(a);
      case "lvremove" -> {
        String name = lvName(a.get(a.size() - 1));
        Lv l = lvs.get(name);
        if (l == null) {
          yield exit(5, "Failed to find logical volume \"" + vg + "/" + name + "\"");
        }
        if (l.origin.isEmpty() && lvs.values().stream().anyMatch(s -> s.origin.equals(name))) {
          yield exit(5, "Logical volume " + name + " has snapshots");
        }
        lvs.remove(name);
        yield ok("");
      }
      case "findmnt" -> {
        String dev = mounts.get(a.get(a.size() - 1));
        yield dev == null ? exit(1, "") : ok(dev + " ext4 rw,noatime\n");
      }
      case "mount" -> {
        String at = a.get(a.size() - 1);
        String dev = a.get(a.size() - 2);
        String name = dev.substring(dev.lastIndexOf('/') + 1);
        if (mounts.containsKey(at)) {
          yield exit(32, "mount: " + at + ": already mounted");
        }
        if (!lvs.containsKey(name) || !lvs.get(name).active) {
          yield exit(32, "mount: " + dev + ": special device does not exist");
        }
        mounts.put(at, "/dev/mapper/" + vg + "-" + name.replace("-", "--"));
        yield ok("");
      }
      case "umount" -> mounts.remove(a.get(0)) == null ? exit(32, "umount: " + a.get(0) + ": not mounted") : ok("");
      default -> exit(127, tool + ": not faked");
    };
  }

  private String lvName(String vgSlashLv) {
    return vgSlashLv.substring(vgSlashLv.indexOf('/') + 1);
  }

  private boolean open(String lv) {
    String dev = "/dev/mapper/" + vg + "-" + lv.replace("-", "--");
    return mounts.containsValue(dev);
  }

  private Result lvsReport(List<String> a) {
    List<String> fields = List.of(a.get(a.indexOf("-o") + 1).split(","));
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Lv> e : lvs.entrySet()) {
      Lv l = e.getValue();
      List<String> row = new ArrayList<>();
      for (String f : fields) {
        row.add(switch (f) {
          case "lv_name" -> e.getKey();
          case "lv_attr" -> attr(e.getKey(), l);
          case "lv_size" -> Long.toString(l.extents * extentBytes);
          case "origin" -> l.origin;
          case "lv_uuid" -> l.uuid;
          case "lv_merging" -> l.merging || merging(e.getKey()) ? "merging" : "";
          case "lv_snapshot_invalid" -> l.invalid ? "snapshot invalid" : "";
          case "snap_percent" -> l.origin.isEmpty() ? "" : l.invalid ? "100.00" : "3.50";
          case "lv_time" -> "1764806400";
          default -> "?";
        });
      }
      out.append("  ").append(String.join("|", row)).append('\n');
    }
    return ok(out.toString());
  }

  private String attr(String name, Lv l) {
    boolean snapshot = !l.origin.isEmpty();
    char type = snapshot ? (l.merging ? 'S' : 's') : merging(name) ? 'O'
        : lvs.values().stream().anyMatch(s -> s.origin.equals(name)) ? 'o' : '-';
    char state = l.invalid ? 'I' : l.active ? 'a' : '-';
    return type + "wi-" + state + (open(name) ? "o" : "-") + "----";
  }

  private Result lvcreate(List<String> a) {
    String name = a.get(a.indexOf("--name") + 1);
    String origin = lvName(a.get(a.size() - 1));
    Lv o = lvs.get(origin);
    if (o == null) {
      return exit(5, "Failed to find logical volume \"" + a.get(a.size() - 1) + "\"");
    }
    if (lvs.containsKey(name)) {
      return exit(5, "Logical Volume \"" + name + "\" already exists in volume group \"" + vg + "\"");
    }
    long n;
    int at = a.indexOf("--extents");
    if (at >= 0) {
      String pct = a.get(at + 1);
      int p = Integer.parseInt(pct.substring(0, pct.indexOf('%')));
      long base = pct.endsWith("ORIGIN") ? o.extents : pct.endsWith("VG") ? extents : freeExtents();
      n = Math.max(1, (base * p + 99) / 100);
    } else {
      String size = a.get(a.indexOf("--size") + 1);
      n = (Long.parseLong(size.substring(0, size.length() - 1)) << 20) / extentBytes; // M only
    }
    if (n > freeExtents()) {
      return exit(5, "Volume group \"" + vg + "\" has insufficient free space (" + freeExtents() + " extents): " + n
          + " required.");
    }
    snapshot(name, origin, n, o.content);
    return ok("  Logical volume \"" + name + "\" created.\n");
  }

  private Result lvconvert(List<String> a) {
    String name = lvName(a.get(a.size() - 1));
    Lv s = lvs.get(name);
    if (s == null || s.origin.isEmpty()) {
      return exit(5, "\"" + a.get(a.size() - 1) + "\" is not a snapshot");
    }
    if (s.invalid) {
      return exit(5, "Unable to merge invalidated snapshot LV \"" + name + "\".");
    }
    if (merging(s.origin)) {
      return exit(5, "Cannot merge snapshot \"" + name + "\" into the origin \"" + s.origin + "\" with merging "
          + "snapshot");
    }
    s.merging = true;
    if (!deferMerges && !open(s.origin)) {
      completeMerges(s.origin);
      return ok("  Merging of volume " + name + " started.\n  " + s.origin + ": Merged: 100.00%\n");
    }
    return ok("  Delaying merge since origin is open.\n  Merging of snapshot " + name + " will occur on next "
        + "activation of " + s.origin + ".\n");
  }

  private Result lvchange(List<String> a) {
    String name = lvName(a.get(a.size() - 1));
    Lv l = lvs.get(name);
    if (l == null) {
      return exit(5, "Failed to find logical volume \"" + a.get(a.size() - 1) + "\"");
    }
    boolean on = a.get(a.indexOf("--activate") + 1).equals("y");
    if (!on && open(name)) {
      return exit(5, "Logical volume " + vg + "/" + name + " in use.");
    }
    l.active = on;
    lvs.values().stream().filter(s -> s.origin.equals(name)).forEach(s -> s.active = on);
    if (on) {
      completeMerges(name);
    }
    return ok("");
  }

  /** The merging snapshot's content goes to the origin; the other snapshots keep theirs (dm copies first). */
  private void completeMerges(String origin) {
    lvs.entrySet().removeIf(e -> {
      Lv s = e.getValue();
      if (s.origin.equals(origin) && s.merging) {
        lvs.get(origin).content = s.content;
        return true;
      }
      return false;
    });
  }
}
