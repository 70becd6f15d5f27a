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
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@code zfs} with state, played by a {@link RecordingCommandRunner} (which records every command as usual): file
 * systems with their origin, {@code canmount}, mount state, mount point (local, or inherited from the parent) and
 * local properties, and snapshots in creation order. It answers the commands groupsnap runs ({@code list}, {@code get},
 * {@code snapshot}, {@code clone}, {@code rename}, {@code promote}, {@code set}, {@code mount}, {@code unmount},
 * {@code destroy}) as ZFS does, for the cases that matter: a promote moves the origin's snapshots up to the clone's
 * origin, a rename carries the origins naming it, a destroy refuses a dataset with snapshots or children and a
 * snapshot with clones, a mount refuses a mount point another dataset is mounted at. A test can make one command fail
 * once ({@link #failOnce}). Not for concurrent use beyond the runner's own lock.
 */
public final class FakeZfs {
  private static final class Dataset {
    String origin = "-";
    String canmount = "on";
    boolean mounted;
    String mountpoint; // local; null: inherited
    final Map<String, String> props = new TreeMap<>();
  }

  private record Snap(String dataset, String name, long txg, long bytes) {
    String full() {
      return dataset + "@" + name;
    }
  }

  public final RecordingCommandRunner runner = new RecordingCommandRunner().installs("zfs", "zpool");
  private final Map<String, Dataset> datasets = new TreeMap<>();
  private final List<Snap> snaps = new ArrayList<>();
  private final Map<String, String> failures = new HashMap<>();
  private long txg = 100;

  public FakeZfs() {
    runner.on(List.of(bin("zfs")), this::zfs);
  }

  /** A mounted file system; {@code mountpoint} null inherits its parent's. */
  public FakeZfs filesystem(String name, String mountpoint) {
    Dataset d = new Dataset();
    d.mountpoint = mountpoint;
    d.mounted = true;
    datasets.put(name, d);
    return this;
  }

  public FakeZfs property(String dataset, String property, String value) {
    datasets.get(dataset).props.put(property, value);
    return this;
  }

  public FakeZfs snapshot(String full, long bytes) {
    int at = full.indexOf('@');
    snaps.add(new Snap(full.substring(0, at), full.substring(at + 1), txg++, bytes));
    return this;
  }

  /** The next {@code zfs <subcommand>} fails with {@code stderr}, once. */
  public void failOnce(String subcommand, String stderr) {
    failures.put(subcommand, stderr);
  }

  public synchronized Set<String> datasets() {
    return new TreeSet<>(datasets.keySet());
  }

  /** Full names of {@code dataset}'s snapshots, oldest first. */
  public synchronized List<String> snapshots(String dataset) {
    return snaps.stream().filter(s -> s.dataset().equals(dataset)).map(Snap::full).toList();
  }

  public synchronized String origin(String dataset) {
    return datasets.get(dataset).origin;
  }

  public synchronized String canmount(String dataset) {
    return datasets.get(dataset).canmount;
  }

  public synchronized boolean mounted(String dataset) {
    return datasets.get(dataset).mounted;
  }

  public synchronized Map<String, String> localProperties(String dataset) {
    return Map.copyOf(datasets.get(dataset).props);
  }

  /** Where the dataset mounts: its own mount point, or its parent's and its name. */
  public synchronized String mountpoint(String dataset) {
    Dataset d = datasets.get(dataset);
    if (d.mountpoint != null) {
      return d.mountpoint;
    }
    int slash = dataset.lastIndexOf('/');
    return slash < 0 ? "/" + dataset : mountpoint(dataset.substring(0, slash)) + dataset.substring(slash);
  }

  private Result zfs(List<String> argv) {
    String sub = argv.get(1);
    String failure = failures.remove(sub);
    if (failure != null) {
      return exit(1, failure);
    }
    List<String> a = argv.subList(2, argv.size());
    return switch (sub) {
      case "list" -> list(a);
      case "get" -> get(a);
      case "snapshot" -> {
        for (String s : a) {
          if (!datasets.containsKey(s.substring(0, s.indexOf('@')))) {
            yield missing(s);
          }
        }
        a.forEach(s -> snapshot(s, 0));
        yield ok("");
      }
      case "clone" -> clone(a);
      case "rename" -> rename(a.get(0), a.get(1));
      case "promote" -> promote(a.get(0));
      case "set" -> {
        Dataset d = datasets.get(a.get(1));
        if (d == null) {
          yield missing(a.get(1));
        }
        String[] kv = a.get(0).split("=", 2);
        if (kv[0].equals("canmount")) {
          d.canmount = kv[1];
        } else if (kv[0].equals("mountpoint")) {
          d.mountpoint = kv[1];
        } else {
          d.props.put(kv[0], kv[1]);
        }
        yield ok("");
      }
      case "mount" -> mount(a.get(0));
      case "unmount" -> {
        Dataset d = datasets.get(a.get(0));
        if (d == null || !d.mounted) {
          yield d == null ? missing(a.get(0)) : exit(1, "cannot unmount '" + a.get(0) + "': not currently mounted");
        }
        d.mounted = false;
        yield ok("");
      }
      case "destroy" -> destroy(a.get(a.size() - 1));
      default -> exit(2, "fake zfs: unknown command " + String.join(" ", argv));
    };
  }

  private static Result missing(String name) {
    return exit(1, "cannot open '" + name + "': dataset does not exist");
  }

  private Result list(List<String> a) {
    Map<String, String> opts = options(a, Set.of("-o", "-t", "-d", "-s"));
    String target = a.get(a.size() - 1);
    List<String> fields = List.of(opts.getOrDefault("-o", "name").split(","));
    String types = opts.getOrDefault("-t", "filesystem");
    List<String> rows = new ArrayList<>();
    if (target.contains("@")) {
      Snap s = snap(target);
      if (s == null) {
        return missing(target);
      }
      rows.add(row(fields, s.full()));
    } else {
      if (!datasets.containsKey(target)) {
        return missing(target);
      }
      if (types.contains("filesystem")) {
        rows.add(row(fields, target));
        if (opts.containsKey("-d")) {
          datasets.keySet().stream().filter(n -> n.startsWith(target + "/")
              && n.indexOf('/', target.length() + 1) < 0).forEach(n -> rows.add(row(fields, n)));
        }
      }
      if (types.contains("snapshot")) {
        snaps.stream().filter(s -> s.dataset().equals(target)).forEach(s -> rows.add(row(fields, s.full())));
      }
    }
    return ok(rows.isEmpty() ? "" : String.join("\n", rows) + "\n");
  }

  private String row(List<String> fields, String name) {
    List<String> out = new ArrayList<>();
    Dataset d = datasets.get(name);
    Snap s = d == null ? snap(name) : null;
    for (String f : fields) {
      out.add(switch (f) {
        case "name" -> name;
        case "origin" -> d == null ? "-" : d.origin;
        case "canmount" -> d == null ? "-" : d.canmount;
        case "mounted" -> d == null ? "-" : d.mounted ? "yes" : "no";
        case "logicalreferenced" -> Long.toString(s == null ? 4096 : s.bytes());
        case "creation" -> Long.toString(s == null ? 1795000000L : 1795000000L + s.txg());
        case "available" -> "102005473280";
        default -> throw new IllegalArgumentException("fake zfs list: no field " + f);
      });
    }
    return String.join("\t", out);
  }

  private Result get(List<String> a) {
    Map<String, String> opts = options(a, Set.of("-o", "-s"));
    String target = a.get(a.size() - 1);
    String wanted = a.get(a.size() - 2);
    Dataset d = datasets.get(target);
    if (d == null) {
      return missing(target);
    }
    boolean withName = opts.getOrDefault("-o", "property,value").startsWith("property");
    Map<String, String> values = new LinkedHashMap<>();
    if (wanted.equals("all")) {
      if (d.mountpoint != null) {
        values.put("mountpoint", d.mountpoint);
      }
      values.putAll(d.props);
    } else {
      for (String p : wanted.split(",")) {
        values.put(p, switch (p) {
          case "type" -> "filesystem";
          case "mountpoint" -> mountpoint(target);
          case "mounted" -> d.mounted ? "yes" : "no";
          case "canmount" -> d.canmount;
          case "available" -> "102005473280";
          default -> d.props.getOrDefault(p, "-");
        });
      }
    }
    StringBuilder out = new StringBuilder();
    values.forEach((k, v) -> out.append(withName ? k + "\t" + v : v).append('\n'));
    return ok(out.toString());
  }

  private Result clone(List<String> a) {
    Map<String, String> props = new LinkedHashMap<>();
    for (int i = 0; i < a.size() - 2; i += 2) {
      String[] kv = a.get(i + 1).split("=", 2);
      props.put(kv[0], kv[1]);
    }
    String from = a.get(a.size() - 2);
    String to = a.get(a.size() - 1);
    if (snap(from) == null) {
      return missing(from);
    }
    if (datasets.containsKey(to)) {
      return exit(1, "cannot create '" + to + "': dataset already exists");
    }
    Dataset d = new Dataset();
    d.origin = from;
    d.canmount = props.getOrDefault("canmount", "on");
    d.mountpoint = props.get("mountpoint");
    props.forEach((k, v) -> {
      if (!k.equals("canmount") && !k.equals("mountpoint")) {
        d.props.put(k, v);
      }
    });
    datasets.put(to, d);
    if (d.canmount.equals("on")) {
      Result r = mount(to);
      if (r.exitCode() != 0) {
        return r;
      }
    }
    return ok("");
  }

  private Result rename(String from, String to) {
    Dataset d = datasets.get(from);
    if (d == null) {
      return missing(from);
    }
    if (datasets.containsKey(to)) {
      return exit(1, "cannot rename to '" + to + "': dataset already exists");
    }
    datasets.remove(from);
    datasets.put(to, d);
    snaps.replaceAll(s -> s.dataset().equals(from) ? new Snap(to, s.name(), s.txg(), s.bytes()) : s);
    datasets.values().forEach(o -> {
      if (o.origin.startsWith(from + "@")) {
        o.origin = to + o.origin.substring(from.length());
      }
    });
    return ok("");
  }

  private Result promote(String name) {
    Dataset d = datasets.get(name);
    if (d == null) {
      return missing(name);
    }
    if (d.origin.equals("-")) {
      return exit(1, "cannot promote '" + name + "': not a cloned filesystem");
    }
    Snap at = snap(d.origin);
    String from = at.dataset();
    Dataset o = datasets.get(from);
    List<Snap> moved = snaps.stream().filter(s -> s.dataset().equals(from) && s.txg() <= at.txg()).toList();
    for (Snap s : moved) {
      if (snap(name + "@" + s.name()) != null) {
        return exit(1, "cannot promote '" + name + "': snapshot name '" + s.name() + "' conflicts");
      }
    }
    snaps.replaceAll(s -> moved.contains(s) ? new Snap(name, s.name(), s.txg(), s.bytes()) : s);
    d.origin = o.origin;
    datasets.forEach((n, other) -> {
      for (Snap s : moved) {
        if (other.origin.equals(s.full())) {
          other.origin = name + "@" + s.name();
        }
      }
    });
    o.origin = name + "@" + at.name();
    return ok("");
  }

  private Result mount(String name) {
    Dataset d = datasets.get(name);
    if (d == null) {
      return missing(name);
    }
    if (d.mounted) {
      return exit(1, "cannot mount '" + name + "': filesystem already mounted");
    }
    String mp = mountpoint(name);
    for (Map.Entry<String, Dataset> e : datasets.entrySet()) {
      if (e.getValue().mounted && mountpoint(e.getKey()).equals(mp)) {
        return exit(1, "cannot mount '" + name + "': mountpoint " + mp + " is in use by " + e.getKey());
      }
    }
    d.mounted = true;
    return ok("");
  }

  private Result destroy(String name) {
    if (name.contains("@")) {
      Snap s = snap(name);
      if (s == null) {
        return missing(name);
      }
      if (datasets.values().stream().anyMatch(d -> d.origin.equals(name))) {
        return exit(1, "cannot destroy '" + name + "': snapshot has dependent clones");
      }
      snaps.remove(s);
      return ok("");
    }
    if (!datasets.containsKey(name)) {
      return missing(name);
    }
    if (snaps.stream().anyMatch(s -> s.dataset().equals(name))
        || datasets.keySet().stream().anyMatch(n -> n.startsWith(name + "/"))) {
      return exit(1, "cannot destroy '" + name + "': filesystem has children");
    }
    datasets.remove(name);
    return ok("");
  }

  private Snap snap(String full) {
    return snaps.stream().filter(s -> s.full().equals(full)).findFirst().orElse(null);
  }

  /** The options that take a value, by flag; flags without one ({@code -H -p -r}) are skipped. */
  private static Map<String, String> options(List<String> a, Set<String> withValue) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < a.size() - 1; i++) {
      if (withValue.contains(a.get(i))) {
        out.put(a.get(i), a.get(i + 1));
        i++;
      }
    }
    return out;
  }
}
