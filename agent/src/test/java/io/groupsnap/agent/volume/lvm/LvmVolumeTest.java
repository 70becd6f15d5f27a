package io.groupsnap.agent.volume.lvm;

import static io.groupsnap.agent.fakes.RecordingCommandRunner.bin;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.exit;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.ok;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.timedOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.fakes.RecordingCommandRunner;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lvm kind against recorded LVM tools: the exact commands, and how their output and failures are read. */
class LvmVolumeTest {
  static final String ID = "gs-20261122-010505-a1b2c3";
  static final String OLD = "gs-20261120-101010-abcdef";
  static final List<String> VGS = List.of(bin("vgs"), "--noheadings", "--nosuffix", "--units", "b", "--separator",
      "|", "-o", "vg_name,vg_extent_size,vg_extent_count,vg_free_count", "vg0");
  static final List<String> LVS_CHECK = List.of(bin("lvs"), "--noheadings", "--nosuffix", "--units", "b",
      "--separator", "|", "-o", "lv_name,lv_attr,lv_size,origin", "vg0");
  static final List<String> LVS_LIST = List.of(bin("lvs"), "--noheadings", "--separator", "|", "-o",
      "lv_name,lv_time,origin", "vg0");
  /** A 100 GiB group of 4 MiB extents with 10 GiB free. */
  static final String VGS_OUT = "  vg0|4194304|25599|2560\n";
  /** A 10 GiB origin that already has one snapshot, and an unrelated LV. */
  static final String LVS_CHECK_OUT = """
        data|owi-aos---|10737418240|
        data-gs-gs-20261120-101010-abcdef|swi-a-s---|1073741824|data
        root|-wi-ao----|21474836480|
      """;
  static final String LVS_LIST_OUT = """
        data|2024-01-15 10:23:45 +0100|
        data-gs-gs-20261120-101010-abcdef|2026-11-20 10:10:10 +0000|data
        data-gs-plain|2026-11-20 12:00:00 +0000|
        data-gs-theirs|2026-11-20 12:00:00 +0000|root
        root|2023-05-02 09:14:11 +0000|
      """;

  @TempDir Path tmp;
  Path probe;
  RecordingCommandRunner lvm;

  @BeforeEach
  void setUp() throws IOException {
    probe = tmp.resolve("host");
    Files.createDirectories(probe.resolve("dev/mapper"));
    Files.createFile(probe.resolve("dev/mapper/control"));
    lvm = new RecordingCommandRunner().installs("lvcreate", "lvremove", "lvs", "vgs")
        .on(VGS, ok(VGS_OUT)).on(LVS_CHECK, ok(LVS_CHECK_OUT)).on(LVS_LIST, ok(LVS_LIST_OUT));
  }

  private LvmVolume volume(String size) {
    return new LvmVolume("db", tmp, "vg0", "data", LvmSnapshotSize.parse(size), Duration.ofSeconds(60), lvm, probe);
  }

  private VolumeException checkFails(LvmVolume v) {
    return catchThrowableOfType(() -> v.check(v.captureTarget(ID)), VolumeException.class);
  }

  @Test
  void check_readsTheGroupAndItsVolumes_thenCaptureRunsOneReadOnlyLvcreate() throws Exception {
    LvmVolume v = volume("10%ORIGIN");
    Path target = v.captureTarget(ID);
    assertThat(target).isEqualTo(Path.of("/dev/vg0/data-gs-" + ID));
    v.check(target);
    assertThat(lvm.calls()).containsExactly(VGS, LVS_CHECK);
    lvm.clear();
    assertThat(v.freeze()).isSameAs(Volume.Frozen.NONE);
    assertThat(v.capture(target)).isEqualTo(target);
    // inside the freeze window: lvcreate and nothing else
    assertThat(lvm.calls()).containsExactly(List.of(bin("lvcreate"), "--snapshot", "--permission", "r", "--name",
        "data-gs-" + ID, "--extents", "10%ORIGIN", "vg0/data"));
    assertThat(lvm.timeouts()).containsExactly(Duration.ofSeconds(60));
    assertThat(v.needsHolder()).isFalse();
  }

  @Test
  void capture_withAnAbsoluteSize_passesItAsSize() throws Exception {
    LvmVolume v = volume("2g");
    v.check(v.captureTarget(ID));
    lvm.clear();
    v.capture(v.captureTarget(ID));
    assertThat(lvm.calls()).containsExactly(List.of(bin("lvcreate"), "--snapshot", "--permission", "r", "--name",
        "data-gs-" + ID, "--size", "2G", "vg0/data"));
  }

  @Test
  void list_keepsOnlySnapshotsOfThisLvNamedByTheScheme() throws Exception {
    List<Volume.Found> found = volume("2G").listCaptures();
    assertThat(lvm.calls()).containsExactly(LVS_LIST);
    assertThat(found).containsExactly(new Volume.Found(OLD, Path.of("/dev/vg0/data-gs-" + OLD),
        Instant.parse("2026-11-20T10:10:10Z").toEpochMilli()));
  }

  @Test
  void delete_removesAListedSnapshot_andNothingElse() throws Exception {
    LvmVolume v = volume("2G");
    v.delete(Path.of("/dev/vg0/data-gs-" + OLD));
    assertThat(lvm.calls()).containsExactly(LVS_LIST, List.of(bin("lvremove"), "-y", "vg0/data-gs-" + OLD));
    lvm.clear();
    // gone already: not an error, nothing removed
    v.delete(v.captureTarget(ID));
    // named like a capture but not a snapshot of this LV (a plain LV; a snapshot of another LV)
    v.delete(Path.of("/dev/vg0/data-gs-plain"));
    v.delete(Path.of("/dev/vg0/data-gs-theirs"));
    assertThat(lvm.calls()).containsOnly(LVS_LIST);
    lvm.clear();
    assertThatThrownBy(() -> v.delete(Path.of("/dev/vg0/root"))).isInstanceOf(IOException.class)
        .hasMessageStartingWith("refusing to delete /dev/vg0/root");
    assertThat(lvm.calls()).isEmpty();
  }

  @Test
  void owns_onlyThisVolumesNamingScheme() {
    LvmVolume v = volume("2G");
    assertThat(v.owns(Path.of("/dev/vg0/data-gs-" + ID))).isTrue();
    assertThat(v.owns(Path.of("/dev/vg0/data"))).isFalse();
    assertThat(v.owns(Path.of("/dev/vg1/data-gs-" + ID))).isFalse();
    assertThat(v.owns(Path.of("/dev/vg0/data-gs-" + ID + "/../root"))).isFalse();
    assertThat(v.owns(Path.of("/dev/vg0/data-gs-.."))).isFalse();
    assertThat(v.owns(Path.of("/dev/vg0/other-gs-" + ID))).isFalse();
  }

  @Test
  void check_namesAMissingTool_andItsPackage_beforeRunningAnything() {
    lvm = new RecordingCommandRunner().installs("lvs", "vgs", "lvremove");
    VolumeException e = checkFails(volume("2G"));
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessage("tool lvcreate is not installed (not found on the search path; Debian package lvm2)");
    assertThat(lvm.calls()).isEmpty();
  }

  @Test
  void check_namesTheMissingKernelModule() throws IOException {
    Files.delete(probe.resolve("dev/mapper/control"));
    VolumeException e = checkFails(volume("2G"));
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).startsWith("device-mapper is not available: load the kernel module dm_mod")
        .contains(probe.resolve("sys/module/dm_mod").toString());
    Files.createDirectories(probe.resolve("sys/module/dm_mod"));
    assertThat(checkFails(volume("2G"))).isNull();
  }

  @Test
  void check_aMissingGroupIsFinal_aLockedOneRetryable_withTheToolsLastLine() {
    lvm.on(VGS, exit(5, "  Volume group \"vg0\" not found\n  Cannot process volume group vg0\n"));
    VolumeException e = checkFails(volume("2G"));
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessage("volume group vg0 does not exist: vgs failed (exit code 5): Cannot process volume "
        + "group vg0");
    lvm.on(VGS, exit(5, "  Giving up waiting for lock.\n  Can't get lock for vg0\n"));
    e = checkFails(volume("2G"));
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessage("vgs failed (exit code 5): Can't get lock for vg0");
  }

  @Test
  void check_refusesAMissingInactiveOrSnapshotOrigin_andAnExistingCapture() {
    lvm.on(LVS_CHECK, ok("  root|-wi-ao----|21474836480|\n"));
    assertThat(checkFails(volume("2G"))).hasMessage("logical volume vg0/data does not exist")
        .satisfies(e -> assertThat(e.retryable()).isFalse());
    lvm.on(LVS_CHECK, ok("  data|-wi-------|10737418240|\n"));
    assertThat(checkFails(volume("2G")).getMessage()).contains("is not active");
    lvm.on(LVS_CHECK, ok("  data|swi-a-s---|10737418240|other\n"));
    assertThat(checkFails(volume("2G")).getMessage()).contains("is itself a snapshot");
    lvm.on(LVS_CHECK, ok(LVS_CHECK_OUT + "  data-gs-" + ID + "|swi-a-s---|1073741824|data\n"));
    assertThat(checkFails(volume("2G"))).hasMessage("capture vg0/data-gs-" + ID + " already exists");
  }

  @Test
  void check_tooFewFreeExtents_isRetryable_andSaysHowMany() {
    // 100 free extents of 4 MiB; 10% of a 10 GiB origin needs 256
    lvm.on(VGS, ok("  vg0|4194304|25599|100\n"));
    VolumeException e = checkFails(volume("10%ORIGIN"));
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessage("volume group vg0 has 100 free extents (419430400 bytes), the snapshot (10%ORIGIN) "
        + "needs 256 (1073741824 bytes)");
    assertThat(checkFails(volume("400M"))).isNull();
    assertThat(checkFails(volume("401M")).retryable()).isTrue();
  }

  @Test
  void check_refusesGarbageOutput_andTimeouts() {
    lvm.on(VGS, ok("  vg0|4 MiB|25599|100\n"));
    assertThat(checkFails(volume("2G")).getMessage()).startsWith("unexpected vgs output");
    lvm.on(VGS, ok("Segmentation fault\n"));
    assertThat(checkFails(volume("2G")).getMessage()).startsWith("unexpected vgs output on line 1: "
        + "'Segmentation fault'");
    lvm.on(VGS, ok(VGS_OUT)).on(LVS_CHECK, ok("  data|owi-aos---\n"));
    assertThat(checkFails(volume("2G")).getMessage()).startsWith("unexpected lvs output on line 1");
    lvm.on(LVS_CHECK, timedOut());
    VolumeException e = checkFails(volume("2G"));
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessage("lvs timed out after 1m00s and was killed");
  }

  @Test
  void check_refusesSnapshotNamesBeyondLvmsLimits() {
    LvmVolume v = new LvmVolume("db", tmp, "v-g".repeat(14), "d-a".repeat(8), LvmSnapshotSize.parse("2G"),
        Duration.ofSeconds(5), lvm, probe);
    VolumeException e = catchThrowableOfType(() -> v.check(v.captureTarget("gs-" + "-a".repeat(30))),
        VolumeException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("device-mapper name").contains("limit 127");
    e = checkFails(volume("2G"));
    assertThat(e).isNull();
    LvmVolume plain = volume("2G");
    e = catchThrowableOfType(() -> plain.check(plain.captureTarget("gs-1_mlog")), VolumeException.class);
    assertThat(e.getMessage()).contains("reserves names containing '_mlog'");
    assertThat(lvm.calls()).hasSize(2); // only the passing check ran tools
  }

  @Test
  void capture_failureCarriesLvcreatesLastLine_andATimeoutSaysWhereToLook() throws Exception {
    LvmVolume v = volume("2G");
    v.check(v.captureTarget(ID));
    lvm.on(List.of(bin("lvcreate")), exit(5, "  Insufficient free space: 512 extents needed, but only 100 available\n"));
    VolumeException e = catchThrowableOfType(() -> v.capture(v.captureTarget(ID)), VolumeException.class);
    assertThat(e).hasMessage("lvcreate failed (exit code 5): Insufficient free space: 512 extents needed, but only "
        + "100 available");
    lvm.on(List.of(bin("lvcreate")), timedOut());
    e = catchThrowableOfType(() -> v.capture(v.captureTarget(ID)), VolumeException.class);
    assertThat(e.getMessage()).isEqualTo("lvcreate timed out after 1m00s and was killed; if vg0/data stays "
        + "suspended, see 'dmsetup info vg0-data'");
    lvm.failToStart(List.of(bin("lvcreate")), "Permission denied");
    e = catchThrowableOfType(() -> v.capture(v.captureTarget(ID)), VolumeException.class);
    assertThat(e.getMessage()).isEqualTo("lvcreate could not be started: Permission denied");
  }

  @Test
  void list_refusesGarbage_andReportsFailures() {
    lvm.on(LVS_LIST, ok("  data|2024-01-15 10:23:45 +0100|\n  what is this\n"));
    assertThatThrownBy(() -> volume("2G").listCaptures()).isInstanceOf(IOException.class)
        .hasMessage("unexpected lvs output on line 2: 'what is this' (expected name|time|origin)");
    lvm.on(LVS_LIST, ok("  data-gs-" + ID + "|yesterday|data\n"));
    assertThatThrownBy(() -> volume("2G").listCaptures()).isInstanceOf(IOException.class)
        .hasMessageContaining("cannot read the time 'yesterday'");
    lvm.on(LVS_LIST, exit(5, "  Volume group \"vg0\" not found\n  Cannot process volume group vg0\n"));
    assertThatThrownBy(() -> volume("2G").listCaptures()).isInstanceOf(IOException.class)
        .hasMessage("lvs failed (exit code 5): Cannot process volume group vg0");
    lvm.on(LVS_LIST, ok("  data-gs-" + ID + "|1795395905|data\n"));
    assertThat(catchThrowableOfType(() -> volume("2G").listCaptures(), IOException.class)).isNull();
  }

  @Test
  void delete_reportsLvremovesLastLine() {
    lvm.on(List.of(bin("lvremove")), exit(5, "  Logical volume vg0/data-gs-" + OLD + " in use.\n"));
    assertThatThrownBy(() -> volume("2G").delete(Path.of("/dev/vg0/data-gs-" + OLD)))
        .isInstanceOf(IOException.class)
        .hasMessage("lvremove failed (exit code 5): Logical volume vg0/data-gs-" + OLD + " in use.");
  }
}
