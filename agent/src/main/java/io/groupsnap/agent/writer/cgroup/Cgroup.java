package io.groupsnap.agent.writer.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A cgroup whose processes the kernel can freeze: a cgroup v2 directory (with {@code cgroup.freeze}) or a cgroup v1
 * freezer directory (with {@code freezer.state}). Both freeze the whole subtree.
 *
 * <p>Besides freezing and thawing, it reports what a hold needs to be vouched for: whether the kernel says the cgroup
 * is frozen now, which processes are in its subtree, and whether it stayed frozen in between — v1: the run time of its
 * tasks ({@link #runNanos}), v2: the kernel's account of its frozen time ({@link #frozenTime}). (CPU time cannot serve
 * on v2: a v2-frozen task woken by a signal runs a few microseconds in the kernel and sleeps again, still frozen.) Not
 * thread-safe beyond what the kernel files give; every call reads the kernel afresh.
 */
final class Cgroup {
  /** Where cgroup hierarchies are mounted; a configured cgroup must be below it. */
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  /** Which freezer. */
  enum Version { V1, V2 }

  private final Path dir;
  private final Version version;

  private Cgroup(Path dir, Version version) {
    this.dir = dir;
    this.version = version;
  }

  /**
   * The freezable cgroup at {@code dir}.
   *
   * @throws IOException with a one-line reason: missing, outside {@link #ROOT} once links are resolved, or without a
   *     freezer (a root cgroup never has one)
   */
  static Cgroup open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " does not exist");
    }
    Path real = dir.toRealPath();
    if (!real.startsWith(ROOT) || real.equals(ROOT)) {
      throw new IOException(dir + " (really " + real + ") is not a cgroup under " + ROOT);
    }
    if (Files.isRegularFile(real.resolve("cgroup.freeze"))) {
      return new Cgroup(real, Version.V2);
    }
    if (Files.isRegularFile(real.resolve("freezer.state"))) {
      return new Cgroup(real, Version.V1);
    }
    throw new IOException(dir + " has neither cgroup.freeze (cgroup v2) nor freezer.state (cgroup v1 freezer): it "
        + "cannot be frozen (a root cgroup never can)");
  }

  Path dir() {
    return dir;
  }

  Version version() {
    return version;
  }

  /** The file written to freeze and thaw. */
  Path control() {
    return dir.resolve(version == Version.V2 ? "cgroup.freeze" : "freezer.state");
  }

  /** Asks the kernel to freeze; it completes asynchronously (see {@link #frozen}). */
  void requestFreeze() throws IOException {
    write(control(), version == Version.V2 ? "1" : "FROZEN");
  }

  /** Asks the kernel to thaw. Idempotent. */
  void requestThaw() throws IOException {
    write(control(), version == Version.V2 ? "0" : "THAWED");
  }

  /** Whether the kernel reports every task of the subtree frozen (by this cgroup or an ancestor). */
  boolean frozen() throws IOException {
    if (version == Version.V2) {
      return "1".equals(event("frozen"));
    }
    return read("freezer.state").equals("FROZEN");
  }

  /** Whether neither a freeze is asked for nor any task frozen. */
  boolean thawed() throws IOException {
    if (version == Version.V2) {
      return read("cgroup.freeze").equals("0") && "0".equals(event("frozen"));
    }
    return read("freezer.state").equals("THAWED");
  }

  /** The freezer's state in the kernel's words, for messages. */
  String describe() {
    try {
      if (version == Version.V2) {
        return "cgroup.freeze " + read("cgroup.freeze") + ", frozen " + event("frozen");
      }
      return "freezer.state " + read("freezer.state");
    } catch (IOException e) {
      return "state unreadable: " + e.getMessage();
    }
  }

  /** Whether any process is in the subtree. */
  boolean populated() throws IOException {
    if (version == Version.V2) {
      return "1".equals(event("populated"));
    }
    return !members().isEmpty();
  }

  /** The processes of the whole subtree. */
  Set<Long> members() throws IOException {
    return ids("cgroup.procs");
  }

  /**
   * v1 only: CPU time in nanoseconds the tasks of the subtree have run, the sum of their {@code /proc/<tid>/schedstat}
   * run times. A v1-frozen task sleeps in a state no signal wakes, so this stands still while the cgroup stays frozen.
   */
  long runNanos() throws IOException {
    if (version != Version.V1) {
      throw new IllegalStateException("run time is read for v1 freezer cgroups only");
    }
    long sum = 0;
    for (long tid : ids("tasks")) {
      String stat;
      try {
        stat = Files.readString(Path.of("/proc", Long.toString(tid), "schedstat"), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new IOException("task " + tid + " of " + dir + " has exited", e);
      }
      sum += Long.parseLong(stat.trim().split("\\s+")[0]);
    }
    return sum;
  }

  /**
   * A reading of {@code frozen_usec} — how long the cgroup has been asked to be frozen, the current freeze included —
   * between two readings of the monotonic clock the kernel measures it with.
   *
   * @param before {@link System#nanoTime()} just before the read
   * @param micros the value read
   * @param after {@link System#nanoTime()} just after it
   */
  record FrozenTime(long before, long micros, long after) {}

  /** v2 on kernels that account it ({@code cgroup.stat.local}, Linux 6.17+); empty otherwise. */
  java.util.Optional<FrozenTime> frozenTime() throws IOException {
    Path stat = dir.resolve("cgroup.stat.local");
    if (version != Version.V2 || !Files.isRegularFile(stat)) {
      return java.util.Optional.empty();
    }
    long before = System.nanoTime();
    String text = Files.readString(stat, StandardCharsets.US_ASCII);
    long after = System.nanoTime();
    for (String line : text.split("\n")) {
      if (line.startsWith("frozen_usec ")) {
        return java.util.Optional.of(new FrozenTime(before, Long.parseLong(line.substring(12).trim()), after));
      }
    }
    return java.util.Optional.empty();
  }

  private Set<Long> ids(String file) throws IOException {
    Set<Long> out = new TreeSet<>();
    List<Path> dirs;
    try (Stream<Path> walk = Files.walk(dir)) {
      dirs = walk.filter(Files::isDirectory).toList();
    }
    for (Path d : dirs) {
      String text;
      try {
        text = Files.readString(d.resolve(file), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        if (Files.isDirectory(d)) {
          throw e;
        }
        continue; // a child cgroup removed meanwhile
      }
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          out.add(Long.parseLong(line.trim()));
        }
      }
    }
    return out;
  }

  private String event(String key) throws IOException {
    for (String line : read("cgroup.events").split("\n")) {
      String[] kv = line.trim().split("\\s+");
      if (kv.length == 2 && kv[0].equals(key)) {
        return kv[1];
      }
    }
    return null;
  }

  private String read(String file) throws IOException {
    return Files.readString(dir.resolve(file), StandardCharsets.US_ASCII).trim();
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
  }

  /**
   * The cgroup directories that hold this process's threads, in every freezable hierarchy mounted here (cgroup v2 and
   * a v1 freezer), read from {@code /proc/self/task/<tid>/cgroup} and {@code /proc/self/mountinfo}.
   */
  static Set<Path> ofThisProcess() throws IOException {
    List<Mount> mounts = mounts();
    Set<Path> out = new LinkedHashSet<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        String text;
        try {
          text = Files.readString(task.resolve("cgroup"), StandardCharsets.UTF_8);
        } catch (IOException e) {
          if (Files.exists(task)) {
            throw e;
          }
          continue; // the thread ended meanwhile (reading its file then fails with ENOENT or ESRCH)
        }
        for (String line : text.split("\n")) {
          String[] f = line.split(":", 3);
          if (f.length < 3) {
            continue;
          }
          boolean v2 = f[0].equals("0") && f[1].isEmpty();
          boolean freezer = List.of(f[1].split(",")).contains("freezer");
          for (Mount m : mounts) {
            if ((v2 && m.v2) || (freezer && !m.v2)) {
              m.locate(f[2]).ifPresent(out::add);
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The directory of control group {@code path} (as systemd names it: relative to the hierarchy's root) in the first
   * freezable hierarchy that has it: cgroup v2 first, then a v1 freezer.
   */
  static Path locate(String path) throws IOException {
    List<Path> tried = new ArrayList<>();
    for (boolean v2 : new boolean[] {true, false}) {
      for (Mount m : mounts()) {
        if (m.v2 != v2) {
          continue;
        }
        java.util.Optional<Path> d = m.locate(path);
        if (d.isPresent()) {
          tried.add(d.get());
          if (Files.isRegularFile(d.get().resolve(v2 ? "cgroup.freeze" : "freezer.state"))) {
            return d.get();
          }
        }
      }
    }
    throw new IOException("control group " + path + " has no freezer" + (tried.isEmpty()
        ? " (no cgroup v2 or v1 freezer hierarchy is mounted)" : " (tried " + tried + ")"));
  }

  /** A mounted freezable hierarchy: its root inside the hierarchy and where it is mounted. */
  private record Mount(boolean v2, String root, Path mountPoint) {
    java.util.Optional<Path> locate(String cgroupPath) {
      if (!root.equals("/") && !cgroupPath.equals(root) && !cgroupPath.startsWith(root + "/")) {
        return java.util.Optional.empty();
      }
      String rel = cgroupPath.substring(root.equals("/") ? 0 : root.length()).replaceFirst("^/+", "");
      Path d = rel.isEmpty() ? mountPoint : mountPoint.resolve(rel).normalize();
      return d.startsWith(mountPoint) ? java.util.Optional.of(d) : java.util.Optional.empty();
    }
  }

  private static List<Mount> mounts() throws IOException {
    List<Mount> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      int sep = line.indexOf(" - ");
      if (sep < 0) {
        continue;
      }
      String[] pre = line.substring(0, sep).split(" ");
      String[] post = line.substring(sep + 3).split(" ");
      if (pre.length < 5 || post.length < 3) {
        continue;
      }
      boolean v2 = post[0].equals("cgroup2");
      boolean freezer = post[0].equals("cgroup") && List.of(post[2].split(",")).contains("freezer");
      if (v2 || freezer) {
        out.add(new Mount(v2, unescape(pre[3]), Path.of(unescape(pre[4]))));
      }
    }
    return out;
  }

  /** mountinfo writes space, tab, newline and backslash as octal escapes. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
