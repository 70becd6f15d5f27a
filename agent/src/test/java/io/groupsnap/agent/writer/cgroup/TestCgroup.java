package io.groupsnap.agent.writer.cgroup;

import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.testing.HostRequirement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh cgroup for one test — a cgroup v1 freezer child or a cgroup v2 child — with real processes in it, removed
 * again by {@link #close}: thawed first (a frozen process cannot die), its processes killed (everything in a cgroup
 * made here was started here), then the directory removed, children first.
 *
 * <p>Tests need root and the hierarchy: without them they fail when {@code GROUPSNAP_CI} is set and are skipped
 * otherwise.
 */
final class TestCgroup implements AutoCloseable {
  /** Appends a growing counter to the file given as $1, a hundred times a second. Fixed text: nothing is spliced in. */
  static final String COUNTER = "i=0; while :; do i=$((i+1)); echo \"$i\" >> \"$1\"; sleep 0.01; done";
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final Map<Cgroup.Version, Optional<String>> MISSING = new ConcurrentHashMap<>();

  final Cgroup.Version version;
  final Path dir;
  private final List<Process> started = new ArrayList<>();
  private final List<Path> made = new ArrayList<>();
  private final List<Path> counters = new ArrayList<>();

  private TestCgroup(Cgroup.Version version, Path dir) {
    this.version = version;
    this.dir = dir;
  }

  /** Skips (locally) or fails (under CI) the current test when this flavour of cgroup cannot be used here. */
  static void require(Cgroup.Version version) {
    Optional<String> why = MISSING.computeIfAbsent(version, v -> Optional.ofNullable(probe(v)));
    if (why.isEmpty()) {
      return;
    }
    String message = "the cgroup " + version + " tests need root and a " + (version == Cgroup.Version.V1
        ? "cgroup v1 freezer hierarchy" : "cgroup v2 hierarchy whose children have cgroup.freeze") + ": " + why.get();
    HostRequirement.unmet(message);
  }

  /** A new empty cgroup of this flavour (call {@link #require} first). */
  static TestCgroup create(Cgroup.Version version) throws IOException {
    Path parent = hierarchy(version).orElseThrow(() -> new IOException("no " + version + " hierarchy"));
    Path dir = parent.resolve("groupsnap-test-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
    Files.createDirectory(dir);
    TestCgroup cg = new TestCgroup(version, dir);
    cg.made.add(dir);
    return cg;
  }

  /** A child cgroup of this one, removed with it. */
  Path child(String name) throws IOException {
    Path c = Files.createDirectory(dir.resolve(name));
    made.add(c);
    return c;
  }

  /**
   * Where a counter appends: a file in {@code /dev/shm} when it is a tmpfs, named after the test's temporary directory
   * (whose cleanup does not reach it, so it is removed by {@link #close}); {@code dir/counter} otherwise. On tmpfs a
   * write never waits for the disk, where a busy machine's writeback could hold the counter in uninterruptible sleep
   * and keep any freezer from stopping it.
   */
  static Path counterFile(Path dir) {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return shm.resolve("groupsnap-counter-" + dir.getFileName() + "-" + SEQ.incrementAndGet());
    }
    return dir.resolve("counter-" + SEQ.incrementAndGet());
  }

  /** Starts the counter script appending to {@code file} and moves it into this cgroup (or {@code into}). */
  Process startCounter(Path file, Path into) throws IOException {
    Process p = new ProcessBuilder("sh", "-c", COUNTER, "sh", file.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    started.add(p);
    counters.add(file);
    write(into.resolve("cgroup.procs"), Long.toString(p.pid()));
    return p;
  }

  Process startCounter(Path file) throws IOException {
    return startCounter(file, dir);
  }

  /** What the kernel says, read directly (not through the code under test). */
  boolean kernelSaysFrozen() throws IOException {
    if (version == Cgroup.Version.V2) {
      return Files.readString(dir.resolve("cgroup.events")).contains("frozen 1");
    }
    return Files.readString(dir.resolve("freezer.state")).strip().equals("FROZEN");
  }

  boolean kernelSaysThawed() throws IOException {
    if (version == Cgroup.Version.V2) {
      return Files.readString(dir.resolve("cgroup.events")).contains("frozen 0")
          && Files.readString(dir.resolve("cgroup.freeze")).strip().equals("0");
    }
    return Files.readString(dir.resolve("freezer.state")).strip().equals("THAWED");
  }

  /**
   * Freezes directly, as another tool would, and waits (bounded) until the kernel says the whole cgroup is frozen. On
   * v1 a freeze can stay FREEZING when a task forked at the wrong moment (the counter forks a {@code sleep} a hundred
   * times a second), and only asking again retries the stragglers — what the writer under test does too — so the
   * request is repeated while waiting.
   */
  void freezeAndWait() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      setFrozen(true);
      return kernelSaysFrozen();
    });
  }

  /** Freezes or thaws directly, as another tool would. */
  void setFrozen(boolean frozen) throws IOException {
    write(dir.resolve(version == Cgroup.Version.V2 ? "cgroup.freeze" : "freezer.state"),
        version == Cgroup.Version.V2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED"));
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    try {
      setFrozen(false);
    } catch (IOException e) {
      first = e;
    }
    started.forEach(Process::destroyForcibly);
    for (int i = made.size() - 1; i >= 0; i--) {
      Path d = made.get(i);
      try {
        // stray children of the counter (a sleep) end by themselves within 10 ms; anything else here is ours to kill
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
          for (String pid : readLines(d.resolve("cgroup.procs"))) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
          return readLines(d.resolve("cgroup.procs")).isEmpty();
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
            .until(() -> {
              Files.deleteIfExists(d);
              return true;
            });
      } catch (RuntimeException e) {
        if (first == null) {
          first = new IOException("could not remove test cgroup " + d + ": " + e.getMessage(), e);
        }
      }
    }
    for (Path c : counters) {
      Files.deleteIfExists(c);
    }
    if (first != null) {
      throw first;
    }
  }

  private static List<String> readLines(Path p) throws IOException {
    try {
      return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
  }

  /** Where children of this flavour are made: the v1 freezer mount, or the cgroup v2 mount. */
  static Optional<Path> hierarchy(Cgroup.Version version) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      int sep = line.indexOf(" - ");
      if (sep < 0) {
        continue;
      }
      String[] pre = line.substring(0, sep).split(" ");
      String[] post = line.substring(sep + 3).split(" ");
      boolean v2 = post[0].equals("cgroup2");
      boolean freezer = post[0].equals("cgroup") && List.of(post[2].split(",")).contains("freezer");
      if ((version == Cgroup.Version.V2 && v2) || (version == Cgroup.Version.V1 && freezer)) {
        return Optional.of(Path.of(pre[4]));
      }
    }
    return Optional.empty();
  }

  private static String probe(Cgroup.Version version) {
    try {
      String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
          .findFirst().orElse("Uid: ?");
      if (!uid.split("\\s+")[2].equals("0")) {
        return "not running as root (" + uid.replaceAll("\\s+", " ") + ")";
      }
      Optional<Path> h = hierarchy(version);
      if (h.isEmpty()) {
        return "no such hierarchy is mounted";
      }
      Path probe = h.get().resolve("groupsnap-probe-" + ProcessHandle.current().pid() + "-" + version);
      Files.createDirectory(probe);
      try {
        String control = version == Cgroup.Version.V2 ? "cgroup.freeze" : "freezer.state";
        if (!Files.isRegularFile(probe.resolve(control))) {
          return "a child cgroup of " + h.get() + " has no " + control;
        }
      } finally {
        Files.delete(probe);
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }
}
