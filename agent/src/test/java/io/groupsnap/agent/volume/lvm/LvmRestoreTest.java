package io.groupsnap.agent.volume.lvm;

import static io.groupsnap.agent.fakes.RecordingCommandRunner.bin;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.exit;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.ok;
import static io.groupsnap.agent.volume.lvm.LvmVolumeTest.LVS_CHECK;
import static io.groupsnap.agent.volume.lvm.LvmVolumeTest.VGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.fakes.RecordingCommandRunner;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.TargetHash;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores of lvm captures against recorded tools: a copy-on-write LV, a device-mapper snapshot over the read-only
 * capture and a mount, the exact commands, what is checked before any is run, and removal.
 */
class LvmRestoreTest {
  static final String ID = LvmVolumeTest.ID;
  static final String CAPTURE = "data-gs-" + ID;
  static final List<String> BLKID = List.of(bin("blkid"), "-o", "value", "-s", "TYPE", "/dev/vg0/" + CAPTURE);
  /** The 10 GiB origin and its capture (whose own size is its 1 GiB copy-on-write space). */
  static final String LVS_OUT = "  data|owi-aos---|10737418240|\n  " + CAPTURE + "|sri-a-s---|1073741824|data\n";

  @TempDir Path tmp;
  Path probe;
  Path target;
  String cow;
  String overlay;
  RecordingCommandRunner tools;

  @BeforeEach
  void setUp() throws IOException {
    probe = tmp.resolve("host");
    Files.createDirectories(probe.resolve("dev/mapper"));
    Files.createFile(probe.resolve("dev/mapper/control"));
    target = tmp.resolve("restores/db");
    Files.createDirectories(target.getParent());
    cow = "data-gr-" + TargetHash.of(target, 12);
    overlay = "vg0-data--gr--" + TargetHash.of(target, 12) + "-rw";
    tools = new RecordingCommandRunner().installs("lvcreate", "lvremove", "lvs", "vgs", "dmsetup", "blkid", "mount",
        "umount").on(VGS, ok("  vg0|4194304|25599|2560\n")).on(LVS_CHECK, ok(LVS_OUT)).on(BLKID, ok("ext4\n"));
  }

  private LvmVolume volume(String size) {
    return new LvmVolume("db", tmp.resolve("live"), "vg0", "data", LvmSnapshotSize.parse(size),
        Duration.ofSeconds(60), tools, probe);
  }

  private Path capture() {
    return Path.of("/dev/vg0/" + CAPTURE);
  }

  @Test
  void restore_checksWithoutWriting_thenMountsAWritableSnapshotOfTheCapture() throws Exception {
    Restorer r = volume("10%ORIGIN").restorer(capture(), target);
    assertThat(tools.calls()).as("checks only").containsExactly(LVS_CHECK, VGS, BLKID);
    assertThat(r.method()).isEqualTo("lvm-snapshot");
    assertThat(r.bytesNeeded()).isZero();
    assertThat(r.atTarget()).isTrue();
    tools.clear();

    assertThat(r.materialize(target)).isEqualTo("lvm-snapshot");

    assertThat(tools.calls()).containsExactly(
        List.of(bin("lvcreate"), "--yes", "--name", cow, "--extents", "256", "vg0"), // 10% of 2560 extents
        List.of(bin("dmsetup"), "create", overlay, "--table",
            "0 20971520 snapshot /dev/vg0/" + CAPTURE + " /dev/vg0/" + cow + " N 8"),
        List.of(bin("mount"), "-t", "ext4", "/dev/mapper/" + overlay, target.toString()));
    assertThat(target).isEmptyDirectory();
  }

  @Test
  void xfsIsMountedWithNouuid_theOverlayHasTheOriginsUuid() throws Exception {
    tools.on(BLKID, ok("xfs\n"));
    volume("2G").restorer(capture(), target).materialize(target);
    assertThat(tools.calls().get(tools.calls().size() - 1)).containsExactly(bin("mount"), "-t", "xfs", "-o",
        "nouuid", "/dev/mapper/" + overlay, target.toString());
    assertThat(tools.calls()).contains(List.of(bin("lvcreate"), "--yes", "--name", cow, "--extents", "512", "vg0"));
  }

  @Test
  void tooFewFreeExtents_isRefusedBeforeAnythingIsWritten() {
    tools.on(VGS, ok("  vg0|4194304|25599|100\n"));
    VolumeException e = catchThrowableOfType(() -> volume("10%ORIGIN").restorer(capture(), target),
        VolumeException.class);
    assertThat(e).hasMessage("volume group vg0 has 100 free extents (419430400 bytes); the restore's copy-on-write"
        + " space (snapshotSize 10%ORIGIN) needs 256 (1073741824 bytes)");
    assertThat(e.retryable()).isTrue();
    assertThat(tools.calls()).noneMatch(c -> c.get(0).equals(bin("lvcreate")) || c.get(0).equals(bin("dmsetup")));
  }

  @Test
  void refusals_nameWhatIsWrong() {
    assertThat(refusal()).as("nothing wrong yet").isNull();
    tools.on(LVS_CHECK, ok("  data|owi-aos---|10737418240|\n"));
    assertThat(refusal()).hasMessage("capture vg0/" + CAPTURE + " of volume db is gone");
    tools.on(LVS_CHECK, ok(LVS_OUT.replace("sri-a-s---", "sri-I-s---")));
    assertThat(refusal()).hasMessageStartingWith("capture vg0/" + CAPTURE + " is not an active snapshot");
    tools.on(LVS_CHECK, ok(LVS_OUT + "  " + cow + "|-wi-a-----|1073741824|\n"));
    assertThat(refusal()).hasMessageContaining("logical volume vg0/" + cow + " already exists")
        .hasMessageContaining("lvremove vg0/" + cow);
    tools.on(LVS_CHECK, ok(LVS_OUT)).on(BLKID, exit(2, ""));
    assertThat(refusal()).hasMessage("blkid finds no file system on capture /dev/vg0/" + CAPTURE);
    tools.on(BLKID, ok("btrfs\n"));
    assertThat(refusal()).hasMessageContaining("holds a btrfs");
    tools.on(BLKID, ok("ext4; rm -rf /\n"));
    assertThat(refusal()).hasMessageContaining("unexpected file system type");
    assertThat(tools.calls()).noneMatch(c -> c.get(0).equals(bin("lvcreate")));

    RecordingCommandRunner noDmsetup = new RecordingCommandRunner().installs("lvcreate", "lvremove", "lvs", "vgs");
    LvmVolume v = new LvmVolume("db", tmp, "vg0", "data", LvmSnapshotSize.parse("2G"), Duration.ofSeconds(60),
        noDmsetup, probe);
    assertThat(catchThrowableOfType(() -> v.restorer(capture(), target), VolumeException.class))
        .hasMessageContaining("tool dmsetup is not installed");
    assertThat(catchThrowableOfType(() -> v.restorer(Path.of("/dev/vg0/root"), target), VolumeException.class))
        .hasMessage("capture /dev/vg0/root is not one of volume db's");
  }

  private VolumeException refusal() {
    return catchThrowableOfType(() -> volume("10%ORIGIN").restorer(capture(), target), VolumeException.class);
  }

  @Test
  void aFailedMount_undoesTheOverlayAndTheCopyOnWriteVolume() throws Exception {
    Restorer r = volume("10%ORIGIN").restorer(capture(), target);
    tools.on(List.of(bin("mount")), exit(32, "mount: wrong fs type, bad option, bad superblock"));
    tools.clear();
    VolumeException e = catchThrowableOfType(() -> r.materialize(target), VolumeException.class);
    assertThat(e).hasMessageContaining("mount failed (exit code 32)");
    assertThat(tools.calls()).endsWith(List.of(bin("dmsetup"), "remove", overlay),
        List.of(bin("lvremove"), "-y", "vg0/" + cow));
    assertThat(target).doesNotExist();
  }

  @Test
  void removal_unmountsRemovesTheOverlayAndTheVolume_andASecondRemovalDoesNothing() throws Exception {
    Files.createDirectories(target);
    List<String> info = List.of(bin("dmsetup"), "info", "-c", "--noheadings", "-o", "open", overlay);
    List<String> names = List.of(bin("lvs"), "--noheadings", "-o", "lv_name", "vg0");
    tools.on(info, ok("1\n")).on(names, ok("  data\n  " + CAPTURE + "\n  " + cow + "\n"));

    volume("2G").removeRestored(target);

    assertThat(tools.calls()).containsExactly(info, List.of(bin("umount"), target.toString()),
        List.of(bin("dmsetup"), "remove", overlay), names, List.of(bin("lvremove"), "-y", "vg0/" + cow));
    assertThat(target).doesNotExist();

    tools.on(info, exit(1, "Device does not exist.\nCommand failed.")).on(names, ok("  data\n  " + CAPTURE + "\n"));
    tools.clear();
    volume("2G").removeRestored(target);
    assertThat(tools.calls()).containsExactly(info, names);
  }

  @Test
  void removal_ofAPlainTree_deletesIt() throws Exception {
    Files.createDirectories(target.resolve("sub"));
    Files.writeString(target.resolve("sub/f"), "restored from an export");
    tools.on(List.of(bin("dmsetup"), "info"), exit(1, "Device does not exist."));
    volume("2G").removeRestored(target);
    assertThat(target).doesNotExist();
  }
}
