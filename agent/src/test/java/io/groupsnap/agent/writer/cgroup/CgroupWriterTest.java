package io.groupsnap.agent.writer.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The cgroup writer on real cgroups (v1 freezer and v2) with real processes. */
class CgroupWriterTest {
  /** Long enough for the counter (a line every 10 ms) to move many times if it were running. */
  static final Duration STILL = Duration.ofMillis(300);

  @TempDir Path tmp;
  final Writer.TxnContext txn = new Writer.TxnContext("gs-1", 1, Set.of("data"));

  static CgroupWriter writer(Map<String, String> options) {
    return writer(options, Duration.ofSeconds(5), CommandRunner.system(), CgroupTarget.SYSTEMD_RUNNING);
  }

  /** A writer built as the agent builds a configured one: its options read by the kind. */
  static CgroupWriter writer(Map<String, String> options, Duration timeout, CommandRunner commands,
      Path systemdRunning) {
    WriterConfig config = new WriterConfig("app", "cgroup", 0, Set.of(), timeout, options);
    try {
      return new CgroupWriter(config, new CgroupWriterKind().parse(config), commands, systemdRunning);
    } catch (KindException e) {
      throw new IllegalArgumentException(e.field() + ": " + e.getMessage(), e);
    }
  }

  static CgroupWriter writer(Path cgroup) {
    return writer(Map.of("cgroup", cgroup.toString()));
  }

  static long size(Path f) throws IOException {
    return Files.exists(f) ? Files.size(f) : 0;
  }

  /** Awaits that the counter moves: its process runs. */
  static void awaitRunning(Path counter) throws IOException {
    long before = size(counter);
    await().atMost(Duration.ofSeconds(10)).until(() -> size(counter) > before);
  }

  /**
   * Shows the counter does not move for {@link #STILL}: a bounded observation window, polled, that fails the moment the
   * file grows. A stopped process can only be shown by watching it not move for a while; 300 ms is thirty periods of
   * the counter.
   */
  static void assertStill(Path counter) throws IOException {
    long frozenAt = size(counter);
    await().during(STILL).atMost(STILL.plusSeconds(2)).pollInterval(Duration.ofMillis(10))
        .until(() -> size(counter) == frozenAt);
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void freeze_stopsTheProcesses_andThaw_letsThemRunAgain(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter);
      awaitRunning(counter);
      CgroupWriter w = writer(cg.dir);
      assertThat(w.prepare(txn)).isEqualTo(WriterResult.OK);
      long start = System.nanoTime();
      WriterResult frozen = w.freeze(txn, Instant.now().plusSeconds(30));
      long freezeMicros = (System.nanoTime() - start) / 1000;
      assertThat(frozen).isEqualTo(WriterResult.OK);
      assertThat(cg.kernelSaysFrozen()).isTrue();
      assertStill(counter);
      start = System.nanoTime();
      assertThat(w.thaw(txn)).isEqualTo(WriterResult.OK);
      long thawMicros = (System.nanoTime() - start) / 1000;
      assertThat(cg.kernelSaysThawed()).isTrue();
      awaitRunning(counter);
      // idempotent: a second thaw answers the same and leaves it thawed
      assertThat(w.thaw(txn)).isEqualTo(WriterResult.OK);
      awaitRunning(counter);
      System.out.println("cgroup " + version + ": freeze call " + freezeMicros + "µs (until the kernel reported it "
          + "frozen), thaw call " + thawMicros + "µs");
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void aChildCgroup_isFrozenWithItsParent(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter, cg.child("worker"));
      awaitRunning(counter);
      CgroupWriter w = writer(cg.dir);
      assertThat(w.prepare(txn)).as("the processes are in a child: populated all the same").isEqualTo(WriterResult.OK);
      assertThat(w.freeze(txn, Instant.now().plusSeconds(30))).isEqualTo(WriterResult.OK);
      assertStill(counter);
      assertThat(w.thaw(txn)).isEqualTo(WriterResult.OK);
      awaitRunning(counter);
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void thaw_isNotOk_whenSomeoneElseThawedTheCgroupMeanwhile(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter);
      CgroupWriter w = writer(cg.dir);
      assertThat(w.prepare(txn)).isEqualTo(WriterResult.OK);
      assertThat(w.freeze(txn, Instant.now().plusSeconds(30))).isEqualTo(WriterResult.OK);
      cg.setFrozen(false);
      awaitRunning(counter);
      WriterResult r = w.thaw(txn);
      assertThat(r.ok()).isFalse();
      assertThat(r.reason()).isEqualTo("options.cgroup: " + cg.dir + " was thawed by someone else while held ("
          + (version == Cgroup.Version.V2 ? "cgroup.freeze 0, frozen 0" : "freezer.state THAWED") + ")");
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void thaw_isNotOk_whenSomeoneElseThawedAndFrozeItAgainMeanwhile(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter);
      awaitRunning(counter);
      CgroupWriter w = writer(cg.dir);
      assertThat(w.prepare(txn)).isEqualTo(WriterResult.OK);
      assertThat(w.freeze(txn, Instant.now().plusSeconds(30))).isEqualTo(WriterResult.OK);
      cg.setFrozen(false);
      awaitRunning(counter);
      cg.freezeAndWait();
      WriterResult r = w.thaw(txn);
      assertThat(r.ok()).isFalse();
      // the counter forks a sleep every 10 ms, so its processes may have changed; else: v1, its tasks ran; v2, the
      // kernel counted less frozen time than passed
      assertThat(r.reason()).containsAnyOf("its processes changed while held", "its processes ran for",
          "was not frozen for at least");
      assertThat(cg.kernelSaysThawed()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void aSignalToAFrozenProcess_doesNotBreakTheHold(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      Process p = cg.startCounter(counter);
      awaitRunning(counter);
      CgroupWriter w = writer(cg.dir);
      assertThat(w.prepare(txn)).isEqualTo(WriterResult.OK);
      assertThat(w.freeze(txn, Instant.now().plusSeconds(30))).isEqualTo(WriterResult.OK);
      // SIGCONT is never ignored or blocked: it wakes a v2-frozen task, which runs in the kernel and sleeps again
      for (int i = 0; i < 5; i++) {
        assertThat(new ProcessBuilder("kill", "-s", "CONT", Long.toString(p.pid())).start().waitFor()).isZero();
      }
      assertStill(counter);
      assertThat(w.thaw(txn)).isEqualTo(WriterResult.OK);
      awaitRunning(counter);
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void prepare_refusesACgroupAlreadyFrozen_andAnEmptyOne_unlessAllowed(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      WriterResult empty = writer(cg.dir).prepare(txn);
      assertThat(empty.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
      assertThat(empty.reason()).isEqualTo("options.cgroup: " + cg.dir + " has no process (is the application "
          + "running? set options.allowEmpty: \"true\" to take snapshots without it)");
      CgroupWriter allowed = writer(Map.of("cgroup", cg.dir.toString(), "allowEmpty", "true"));
      assertThat(allowed.prepare(txn)).isEqualTo(WriterResult.OK);
      assertThat(allowed.freeze(txn, Instant.now().plusSeconds(30))).isEqualTo(WriterResult.OK);
      assertThat(allowed.thaw(txn)).isEqualTo(WriterResult.OK);

      cg.startCounter(TestCgroup.counterFile(tmp));
      cg.freezeAndWait();
      WriterResult held = writer(cg.dir).prepare(txn);
      assertThat(held.outcome()).isEqualTo(WriterResult.Outcome.RETRYABLE);
      assertThat(held.reason()).startsWith("options.cgroup: " + cg.dir + " is already frozen (")
          .endsWith("): another tool holds it");
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void prepare_refusesTheCgroupThatHoldsTheAgentItself(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    Path hierarchy = TestCgroup.hierarchy(version).orElseThrow();
    Path home = Cgroup.ofThisProcess().stream().filter(p -> p.startsWith(hierarchy)).findFirst().orElseThrow();
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path child = cg.child("agent");
      long pid = ProcessHandle.current().pid();
      TestCgroup.write(child.resolve("cgroup.procs"), Long.toString(pid));
      try {
        WriterResult r = writer(cg.dir).prepare(txn);
        assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
        assertThat(r.reason()).isEqualTo("options.cgroup: " + cg.dir + " holds this agent itself (its cgroup "
            + child + "): the agent would freeze itself");
      } finally {
        TestCgroup.write(home.resolve("cgroup.procs"), Long.toString(pid));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void aFreezeThatCannotComplete_failsAtItsTimeout_andIsThawed(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (StuckDevice dev = StuckDevice.create(tmp); TestCgroup cg = TestCgroup.create(version)) {
      // a direct write to a loop device whose backing file is on a frozen file system waits for its I/O in
      // uninterruptible sleep: no freezer can stop a task there
      Process stuck = new ProcessBuilder("dd", "if=/dev/zero", "of=" + dev.device, "bs=4096", "count=1",
          "oflag=direct").redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try {
        TestCgroup.write(cg.dir.resolve("cgroup.procs"), Long.toString(stuck.pid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(Path.of("/proc/" + stuck.pid()
            + "/status")).contains("State:\tD"));
        CgroupWriter w = writer(Map.of("cgroup", cg.dir.toString()), Duration.ofMillis(500), CommandRunner.system(),
            CgroupTarget.SYSTEMD_RUNNING);
        assertThat(w.prepare(txn)).isEqualTo(WriterResult.OK);
        WriterResult r = w.freeze(txn, Instant.now().plusSeconds(30));
        assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
        assertThat(r.reason()).startsWith("options.cgroup: " + cg.dir + " did not freeze within 500ms (")
            .endsWith("; a process may be in uninterruptible sleep)");
        assertThat(cg.kernelSaysThawed()).as("thawed after the failed freeze").isTrue();
        assertThat(w.thaw(txn)).as("the agent's undo step afterwards").isEqualTo(WriterResult.OK);
      } finally {
        cg.setFrozen(false);
        dev.unfreeze(); // the stuck write completes, and dd ends, only after that
        if (!stuck.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          stuck.destroyForcibly().waitFor();
        }
      }
    }
  }

  /**
   * A loop device whose backing file is on a small ext4 file system (itself on a loop device) that is frozen with
   * fsfreeze: writes to the device hang until {@link #unfreeze}. Both loop devices and the mount are our own, undone
   * in reverse by {@link #close}.
   */
  static final class StuckDevice implements AutoCloseable {
    String device;
    private final Path mount;
    private String outer;
    private boolean mounted;
    private boolean frozen;

    private StuckDevice(Path mount) {
      this.mount = mount;
    }

    static StuckDevice create(Path tmp) throws Exception {
      for (String tool : List.of("mkfs.ext4", "losetup", "fsfreeze", "mount", "umount", "truncate", "dd")) {
        if (CommandRunner.system().which(tool).isEmpty()) {
          io.groupsnap.agent.testing.HostRequirement.unmet("needs " + tool + " to make a device whose writes hang");
        }
      }
      StuckDevice d = new StuckDevice(Files.createDirectory(tmp.resolve("mnt")));
      try {
        Path image = tmp.resolve("outer.img");
        run("truncate", "-s", "32M", image.toString());
        run("mkfs.ext4", "-q", image.toString());
        d.outer = run("losetup", "-f", "--show", image.toString()).strip();
        run("mount", d.outer, d.mount.toString());
        d.mounted = true;
        Path inner = d.mount.resolve("inner.img");
        run("truncate", "-s", "8M", inner.toString());
        d.device = run("losetup", "-f", "--show", inner.toString()).strip();
        run("fsfreeze", "-f", d.mount.toString());
        d.frozen = true;
        return d;
      } catch (Exception e) {
        d.close();
        throw e;
      }
    }

    void unfreeze() throws IOException {
      if (frozen) {
        run("fsfreeze", "-u", mount.toString());
        frozen = false;
      }
    }

    @Override
    public void close() throws Exception {
      List<String> failures = new ArrayList<>();
      if (frozen) {
        tryRun(failures, "fsfreeze", "-u", mount.toString());
        frozen = false;
      }
      if (device != null) {
        tryRun(failures, "losetup", "-d", device);
        device = null;
      }
      if (mounted) {
        // detaching the inner device completes asynchronously: umount waits until it lets go of its file
        try {
          await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            run("umount", mount.toString());
            return true;
          });
          mounted = false;
        } catch (RuntimeException e) {
          failures.add("umount " + mount + ": " + e.getMessage());
        }
      }
      if (outer != null && !mounted) {
        tryRun(failures, "losetup", "-d", outer);
        outer = null;
      }
      if (!failures.isEmpty()) {
        throw new IOException(String.join("; ", failures));
      }
    }

    private static void tryRun(List<String> failures, String... argv) {
      try {
        run(argv);
      } catch (IOException e) {
        failures.add(e.getMessage());
      }
    }

    private static String run(String... argv) throws IOException {
      CommandRunner.Result r = CommandRunner.system().run(List.of(argv), Duration.ofSeconds(30));
      if (!r.ok()) {
        throw new IOException(String.join(" ", argv) + ": " + r.lastLine());
      }
      return r.stdout();
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void aUnit_isResolvedToItsCgroupAtPrepare(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter);
      awaitRunning(counter);
      // systemd is stood in for: its marker directory, and a systemctl that names the test cgroup
      Path running = Files.createDirectories(tmp.resolve("run-systemd-system"));
      List<List<String>> asked = new ArrayList<>();
      String group = "/" + TestCgroup.hierarchy(version).orElseThrow().relativize(cg.dir);
      CommandRunner systemctl = new CommandRunner() {
        @Override
        public Result run(List<String> argv, Duration timeout) {
          asked.add(argv);
          return new Result(0, group + "\n", "", false);
        }

        @Override
        public Optional<Path> which(String tool) {
          return Optional.of(Path.of("/usr/bin", tool));
        }
      };
      CgroupWriter w = writer(Map.of("unit", "app.service"), Duration.ofSeconds(5), systemctl, running);
      assertThat(w.prepare(txn)).isEqualTo(WriterResult.OK);
      assertThat(asked).containsExactly(List.of("/usr/bin/systemctl", "show", "-p", "ControlGroup", "--value",
          "app.service"));
      assertThat(w.freeze(txn, Instant.now().plusSeconds(30))).isEqualTo(WriterResult.OK);
      assertThat(asked).as("nothing is run inside the freeze window").hasSize(1);
      assertThat(cg.kernelSaysFrozen()).isTrue();
      assertStill(counter);
      assertThat(w.thaw(txn)).isEqualTo(WriterResult.OK);
      awaitRunning(counter);
    }
  }
}
