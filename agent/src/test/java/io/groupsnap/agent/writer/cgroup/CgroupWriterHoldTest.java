package io.groupsnap.agent.writer.cgroup;

import static io.groupsnap.agent.writer.cgroup.CgroupWriterTest.assertStill;
import static io.groupsnap.agent.writer.cgroup.CgroupWriterTest.awaitRunning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.txn.TxnJournal;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cgroup writer driven by a real {@link Participant}: the hold ends when the lease runs out after the coordinator
 * vanished, and when an agent that was killed while holding restarts. Bad input is refused with one line.
 */
class CgroupWriterHoldTest {
  static final String CLUSTER = "c-1";

  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  Path data;
  Path root;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    root = tmp.resolve("snaps");
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  static TxnRef ref(String txn) {
    return new TxnRef(CLUSTER, 1, txn);
  }

  private Participant participant(Writer w, ScheduledExecutorService watchdog, TxnJournal journal) throws Exception {
    Path state = tmp.resolve("state");
    return new Participant("a1", List.of(new DirVolume("data", data, root)), List.of(w),
        SnapshotCatalog.onDisk(state), new EpochFence(state, CLUSTER), root, Duration.ofSeconds(60), watchdog,
        Clock.systemUTC(), System::nanoTime, journal);
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void aCgroupFrozenByATransaction_isThawedWhenItsLeaseRunsOut_afterTheCoordinatorVanished(Cgroup.Version version)
      throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter);
      awaitRunning(counter);
      Participant p = participant(CgroupWriterTest.writer(cg.dir), scheduler, TxnJournal.inMemory());
      Duration lease = Duration.ofMillis(800);
      assertThat(p.prepare(ref("gs-1"), List.of(), lease).ok()).isTrue();
      long start = System.nanoTime();
      assertThat(p.freeze(ref("gs-1"), lease).frozen()).isTrue();
      assertThat(cg.kernelSaysFrozen()).isTrue();
      // no THAW ever comes: the coordinator is gone
      awaitRunning(counter);
      long releasedAfterMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(cg.kernelSaysThawed()).isTrue();
      assertThat(p.isHolding()).isFalse();
      ThawResult late = p.thaw(ref("gs-1"));
      assertThat(late.unbroken()).isFalse();
      assertThat(late.brokenReason()).contains("freeze lease of 800ms expired before THAW");
      System.out.println("cgroup " + version + ": lease 800ms, processes running again " + releasedAfterMs
          + "ms after FREEZE began");
    }
  }

  @ParameterizedTest
  @EnumSource(Cgroup.Version.class)
  void anAgentKilledWhileHolding_thawsTheCgroupWhenItRestarts(Cgroup.Version version) throws Exception {
    TestCgroup.require(version);
    try (TestCgroup cg = TestCgroup.create(version)) {
      Path counter = TestCgroup.counterFile(tmp);
      cg.startCounter(counter);
      awaitRunning(counter);
      Path state = tmp.resolve("state");
      ScheduledExecutorService dying = Executors.newSingleThreadScheduledExecutor();
      Participant before = participant(CgroupWriterTest.writer(cg.dir), dying, TxnJournal.onDisk(state));
      assertThat(before.prepare(ref("gs-1"), List.of(), Duration.ofSeconds(60)).ok()).isTrue();
      assertThat(before.freeze(ref("gs-1"), Duration.ofSeconds(60)).frozen()).isTrue();
      // kill -9: the watchdog dies with the process, and nothing thaws; the journal on disk remains
      dying.shutdownNow();
      assertThat(cg.kernelSaysFrozen()).isTrue();
      assertStill(counter);
      Participant after = participant(CgroupWriterTest.writer(cg.dir), scheduler, TxnJournal.onDisk(state));
      assertThat(after.recoverAfterRestart()).containsExactly("gs-1");
      assertThat(cg.kernelSaysThawed()).isTrue();
      awaitRunning(counter);
      assertThat(TxnJournal.onDisk(state).entries()).isEmpty();
    }
  }

  @Test
  void aMissingCgroup_isRefusedAtPrepare_withTheWriterAndOptionNamed() throws Exception {
    Path missing = Path.of("/sys/fs/cgroup/groupsnap-no-such-cgroup-" + ProcessHandle.current().pid());
    Participant p = participant(CgroupWriterTest.writer(missing), scheduler, TxnJournal.inMemory());
    PrepareResult r = p.prepare(ref("gs-1"), List.of(), Duration.ofSeconds(10));
    assertThat(r.ok()).isFalse();
    assertThat(r.retryable()).isFalse();
    assertThat(r.reason()).isEqualTo("writer app: options.cgroup: " + missing + " does not exist");
  }

  @Test
  void aUnit_isRefusedAtPrepare_whenSystemdIsNotRunning() throws Exception {
    Path absent = tmp.resolve("no-run-systemd-system");
    CgroupWriter w = CgroupWriterTest.writer(Map.of("unit", "postgresql.service"), Duration.ofSeconds(5),
        CommandRunner.system(), absent);
    PrepareResult r = participant(w, scheduler, TxnJournal.inMemory()).prepare(ref("gs-1"), List.of(),
        Duration.ofSeconds(10));
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).isEqualTo("writer app: options.unit: systemd is not running on this host (no " + absent
        + "), so unit postgresql.service has no cgroup to find; name it with options.cgroup");
  }

  @Test
  void badOptions_areRefusedWhenTheConfigurationIsLoaded() throws Exception {
    String base = "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: data\n    kind: dir\n    path: "
        + data + "\nwriters:\n  - name: app\n    kind: cgroup\n";
    assertThat(ConfigLoader.parse("agent.yaml", base + "    options: {cgroup: /sys/fs/cgroup/unified/app}\n")
        .writers().get(0).kind()).isEqualTo("cgroup");
    assertThat(error(base + "    options: {cgroup: /etc/app}\n")).isEqualTo("agent.yaml: writers[0].options.cgroup: "
        + "must be a cgroup directory under /sys/fs/cgroup (got '/etc/app')");
    assertThat(error(base + "    options: {cgroup: /sys/fs/cgroup/../../etc}\n")).isEqualTo("agent.yaml: "
        + "writers[0].options.cgroup: must be an absolute path without '.' or '..' (got '/sys/fs/cgroup/../../etc')");
    assertThat(error(base + "    options: {cgroup: /sys/fs/cgroup}\n")).startsWith("agent.yaml: "
        + "writers[0].options.cgroup: must be a cgroup directory under /sys/fs/cgroup");
    assertThat(error(base + "    options: {unit: \"--root=/x.service\"}\n")).isEqualTo("agent.yaml: "
        + "writers[0].options.unit: '--root=/x.service' is not a systemd unit name with a cgroup (like app.service; "
        + "also .scope, .slice, .socket, .mount, .swap)");
    assertThat(error(base + "    options: {unit: a.service, cgroup: /sys/fs/cgroup/unified/a}\n")).isEqualTo(
        "agent.yaml: writers[0].options: needs exactly one of cgroup (a cgroup directory under /sys/fs/cgroup) and "
        + "unit (a systemd unit)");
    assertThat(error(base + "    options: {unit: a.service, allowEmpty: maybe}\n")).isEqualTo(
        "agent.yaml: writers[0].options.allowEmpty: must be \"true\" or \"false\"");
    assertThat(error(base + "    freeze: [/bin/true]\n    options: {unit: a.service}\n")).startsWith(
        "agent.yaml: writers[0].freeze: only writers of kind exec take commands");
  }

  private static String error(String yaml) {
    Throwable t = catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    return t.getMessage();
  }
}
