package io.groupsnap.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.TxnRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

/**
 * The real {@link CommandRunner#system} on a host without LVM and ZFS support (this machine: no lvm2 or zfsutils, no
 * device-mapper, no zfs module): PREPARE refuses the volumes with one line naming what is missing, and freezes nothing.
 * Stand-in tools on the search path get past the tool check to show the missing kernel support being named; they
 * record whether they ever ran.
 */
class MissingStorageSupportTest {
  @TempDir Path tmp;
  Path ran;
  ScheduledExecutorService scheduler;

  @BeforeEach
  void setUp() {
    ran = tmp.resolve("ran");
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  private KindContext context(CommandRunner runner) {
    return new KindContext(tmp.resolve("snaps"), tmp.resolve("state"), runner);
  }

  private Volume lvm(CommandRunner runner) throws Exception {
    return Kinds.setUp(new VolumeConfig("db", "lvm", Files.createDirectories(tmp.resolve("db")),
        Map.of("vg", "vg0", "lv", "data", "snapshotSize", "10%ORIGIN"))).create(context(runner));
  }

  private Volume zfs(CommandRunner runner) throws Exception {
    return Kinds.setUp(new VolumeConfig("tank", "zfs", Files.createDirectories(tmp.resolve("tank")),
        Map.of("dataset", "tank/data"))).create(context(runner));
  }

  private static String checkFails(Volume v) {
    VolumeException e = catchThrowableOfType(() -> v.check(v.captureTarget("gs-1")), VolumeException.class);
    assertThat(e).as("check of %s", v.name()).isNotNull();
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).doesNotContain("\n");
    return e.getMessage();
  }

  /** A directory of executables that only note that they ran. */
  private Path standIns(String... tools) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String t : tools) {
      Path p = bin.resolve(t);
      Files.writeString(p, "#!/bin/sh\necho " + t + " >> " + ran + "\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }
    return bin;
  }

  private static void assumeNoDeviceMapper() {
    assumeTrue(!Files.exists(Path.of("/dev/mapper/control")) && !Files.exists(Path.of("/sys/module/dm_mod")),
        "this host has device-mapper");
  }

  private static void assumeNoZfsModule() {
    assumeTrue(!Files.exists(Path.of("/dev/zfs")) && !Files.exists(Path.of("/sys/module/zfs")),
        "this host has the zfs module");
  }

  @Test
  void onThisHost_prepareNamesTheMissingToolAndItsPackage() throws Exception {
    CommandRunner system = CommandRunner.system();
    assumeTrue(system.which("lvcreate").isEmpty() && system.which("zfs").isEmpty(), "lvm2 or zfsutils installed");
    assertThat(checkFails(lvm(system)))
        .isEqualTo("tool lvcreate is not installed (not found on the search path; Debian package lvm2)");
    assertThat(checkFails(zfs(system)))
        .isEqualTo("tool zfs is not installed (not found on the search path; Debian package zfsutils-linux)");
  }

  @Test
  void withAnEmptySearchPath_theToolIsNamed_whateverIsInstalled() throws Exception {
    CommandRunner none = CommandRunner.system(Files.createDirectories(tmp.resolve("empty")).toString());
    assertThat(checkFails(lvm(none))).startsWith("tool lvcreate is not installed").contains("lvm2");
    assertThat(checkFails(zfs(none))).startsWith("tool zfs is not installed").contains("zfsutils-linux");
  }

  @Test
  void withStandInTools_theMissingKernelSupportIsNamed_andNoToolRuns() throws Exception {
    assumeNoDeviceMapper();
    assumeNoZfsModule();
    CommandRunner runner = CommandRunner.system(standIns("lvcreate", "lvremove", "lvs", "vgs", "zfs", "zpool")
        .toString());
    assertThat(checkFails(lvm(runner))).isEqualTo("device-mapper is not available: load the kernel module dm_mod "
        + "(modprobe dm_mod); neither /dev/mapper/control nor /sys/module/dm_mod exists");
    assertThat(checkFails(zfs(runner))).isEqualTo("the ZFS kernel module is not loaded: load the kernel module zfs "
        + "(modprobe zfs); neither /dev/zfs nor /sys/module/zfs exists");
    assertThat(ran).doesNotExist();
  }

  @Test
  void participantPrepare_votesNoNamingTheVolume_andFreezesNothing() throws Exception {
    assumeNoDeviceMapper();
    assumeNoZfsModule();
    List<CommandRunner> runners = List.of(CommandRunner.system(tmp.toString()),
        CommandRunner.system(standIns("lvcreate", "lvremove", "lvs", "vgs", "zfs", "zpool").toString()));
    for (CommandRunner runner : runners) {
      Participant p = new Participant("a1", List.of(lvm(runner), zfs(runner)), List.of(),
          SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), "c-1"),
          tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler, Clock.systemUTC());
      try {
        boolean standIns = runner != runners.get(0);
        PrepareResult db = p.prepare(new TxnRef("c-1", 1, "gs-1"), List.of("db"), Duration.ofSeconds(5));
        assertThat(db.ok()).isFalse();
        assertThat(db.retryable()).isFalse();
        assertThat(db.reason()).startsWith(standIns ? "volume db: device-mapper is not available: load the kernel "
            + "module dm_mod" : "volume db: tool lvcreate is not installed").doesNotContain("\n");
        PrepareResult tank = p.prepare(new TxnRef("c-1", 1, "gs-2"), List.of("tank"), Duration.ofSeconds(5));
        assertThat(tank.ok()).isFalse();
        assertThat(tank.retryable()).isFalse();
        assertThat(tank.reason()).startsWith(standIns ? "volume tank: the ZFS kernel module is not loaded: load the "
            + "kernel module zfs" : "volume tank: tool zfs is not installed").doesNotContain("\n");
        assertThat(p.isHolding()).isFalse();
        assertThat(p.isActive("gs-1")).isFalse();
        assertThat(p.snapshots("")).isEmpty();
      } finally {
        p.releaseAll();
      }
    }
    assertThat(ran).doesNotExist();
  }
}
