package io.groupsnap.agent.volume.zfs;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zfs kind against recorded ZFS tools: the exact commands, and how their output and failures are read. */
class ZfsVolumeTest {
  static final String ID = "gs-20261122-010505-a1b2c3";
  static final String OLD = "gs-20261120-101010-abcdef";

  @TempDir Path tmp;
  Path probe;
  Path mnt;
  RecordingCommandRunner zfs;

  static List<String> get(String dataset) {
    return List.of(bin("zfs"), "get", "-H", "-p", "-o", "property,value", "type,mountpoint,mounted,available",
        dataset);
  }

  static List<String> list(String dataset) {
    return List.of(bin("zfs"), "list", "-H", "-t", "snapshot", "-o", "name,creation", "-p", "-d", "1", dataset);
  }

  static List<String> pool(String pool) {
    return List.of(bin("zpool"), "list", "-H", "-p", "-o", "health,free", pool);
  }

  static String props(Path mountpoint) {
    return "type\tfilesystem\nmountpoint\t" + mountpoint + "\nmounted\tyes\navailable\t102005473280\n";
  }

  @BeforeEach
  void setUp() throws IOException {
    probe = tmp.resolve("host");
    Files.createDirectories(probe.resolve("dev"));
    Files.createFile(probe.resolve("dev/zfs"));
    mnt = Files.createDirectories(tmp.resolve("tank/data"));
    zfs = new RecordingCommandRunner().installs("zfs", "zpool")
        .on(get("tank/data"), ok(props(mnt)))
        .on(pool("tank"), ok("ONLINE\t214748364800\n"))
        .on(list("tank/data"), ok("tank/data@daily-2026-11-21\t1795309505\n"
            + "tank/data@gs-" + OLD + "\t1795255810\n"));
  }

  private ZfsVolume volume(String name, Path path, String dataset, boolean allowDegraded) {
    return new ZfsVolume(name, path, dataset, allowDegraded, Duration.ofSeconds(30), zfs, probe);
  }

  private ZfsVolume data() {
    return volume("data", mnt, "tank/data", true);
  }

  private VolumeException checkFails(ZfsVolume v) {
    return catchThrowableOfType(() -> v.check(v.captureTarget(ID)), VolumeException.class);
  }

  @Test
  void check_readsDatasetPoolAndSnapshots_thenCaptureIsOneZfsSnapshot() throws Exception {
    ZfsVolume v = data();
    Path target = v.captureTarget(ID);
    assertThat(target).isEqualTo(mnt.resolve(".zfs/snapshot/gs-" + ID));
    v.check(target);
    assertThat(zfs.calls()).containsExactly(get("tank/data"), pool("tank"), list("tank/data"));
    zfs.clear();
    assertThat(v.freeze()).isSameAs(Volume.Frozen.NONE);
    assertThat(v.capture(target)).isEqualTo(target);
    assertThat(zfs.calls()).containsExactly(List.of(bin("zfs"), "snapshot", "tank/data@gs-" + ID));
    assertThat(v.needsHolder()).isFalse();
  }

  @Test
  void captureBatch_takesEveryDatasetOfAPoolInOneCommand() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("tank/logs"));
    ZfsVolume a = data();
    ZfsVolume b = volume("logs", other, "tank/logs", true);
    ZfsVolume c = volume("backup", tmp, "backup/c", true);
    assertThat(a.batchKey()).isEqualTo(b.batchKey()).isNotEqualTo(c.batchKey());
    Map<Volume, Path> batch = new LinkedHashMap<>();
    batch.put(a, a.captureTarget(ID));
    batch.put(b, b.captureTarget(ID));
    Map<String, Path> made = a.captureBatch(batch);
    assertThat(zfs.calls()).containsExactly(List.of(bin("zfs"), "snapshot", "tank/data@gs-" + ID,
        "tank/logs@gs-" + ID));
    assertThat(made).containsExactly(Map.entry("data", a.captureTarget(ID)), Map.entry("logs", b.captureTarget(ID)));
    assertThatThrownBy(() -> a.captureBatch(Map.of(c, c.captureTarget(ID)))).isInstanceOf(VolumeException.class)
        .hasMessage("volume backup is not a zfs volume of pool tank");
  }

  @Test
  void list_keepsGroupsnapsSnapshots_withTheirCreationTime() throws Exception {
    assertThat(data().listCaptures()).containsExactly(new Volume.Found(OLD,
        mnt.resolve(".zfs/snapshot/gs-" + OLD), 1795255810000L));
    assertThat(zfs.calls()).containsExactly(list("tank/data"));
  }

  @Test
  void list_ofAVanishedDataset_isEmpty_garbageIsAnError() {
    zfs.on(list("tank/data"), exit(1, "cannot open 'tank/data': dataset does not exist\n"));
    assertThat(catchThrowableOfType(() -> assertThat(data().listCaptures()).isEmpty(), IOException.class)).isNull();
    zfs.on(list("tank/data"), ok("tank/data@gs-" + OLD + " 1795255810\n"));
    assertThatThrownBy(() -> data().listCaptures()).isInstanceOf(IOException.class)
        .hasMessageStartingWith("unexpected zfs list output on line 1: 'tank/data@gs-" + OLD + " 1795255810'");
    zfs.on(list("tank/data"), exit(2, "internal error: Permission denied\n"));
    assertThatThrownBy(() -> data().listCaptures()).isInstanceOf(IOException.class)
        .hasMessage("zfs failed (exit code 2): internal error: Permission denied");
  }

  @Test
  void delete_destroysAListedSnapshot_only() throws Exception {
    ZfsVolume v = data();
    v.delete(v.captureTarget(OLD));
    assertThat(zfs.calls()).containsExactly(list("tank/data"), List.of(bin("zfs"), "destroy",
        "tank/data@gs-" + OLD));
    zfs.clear();
    v.delete(v.captureTarget(ID)); // gone already
    assertThat(zfs.calls()).containsExactly(list("tank/data"));
    zfs.clear();
    assertThatThrownBy(() -> v.delete(mnt.resolve(".zfs/snapshot/daily-2026-11-21")))
        .isInstanceOf(IOException.class).hasMessageStartingWith("refusing to delete");
    assertThatThrownBy(() -> v.delete(mnt)).isInstanceOf(IOException.class);
    assertThat(zfs.calls()).isEmpty();
    zfs.on(List.of(bin("zfs"), "destroy"), exit(1, "cannot destroy snapshot tank/data@gs-" + OLD
        + ": dataset is busy\n"));
    assertThatThrownBy(() -> v.delete(v.captureTarget(OLD))).isInstanceOf(IOException.class)
        .hasMessage("zfs failed (exit code 1): cannot destroy snapshot tank/data@gs-" + OLD + ": dataset is busy");
  }

  @Test
  void check_namesAMissingToolAndPackage_thenAMissingModule() throws IOException {
    zfs = new RecordingCommandRunner().installs("zfs");
    assertThat(checkFails(data())).hasMessage("tool zpool is not installed (not found on the search path; Debian "
        + "package zfsutils-linux)");
    zfs.installs("zpool");
    Files.delete(probe.resolve("dev/zfs"));
    VolumeException e = checkFails(data());
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).startsWith("the ZFS kernel module is not loaded: load the kernel module zfs")
        .contains(probe.resolve("sys/module/zfs").toString());
    assertThat(zfs.calls()).isEmpty();
  }

  @Test
  void check_refusesAMissingUnmountedOrMisplacedDataset() throws IOException {
    zfs.on(get("tank/data"), exit(1, "cannot open 'tank/data': dataset does not exist\n"));
    VolumeException e = checkFails(data());
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessage("dataset tank/data does not exist: zfs failed (exit code 1): cannot open 'tank/data': "
        + "dataset does not exist");
    zfs.on(get("tank/data"), ok(props(mnt).replace("mounted\tyes", "mounted\tno")));
    assertThat(checkFails(data())).hasMessage("dataset tank/data is not mounted");
    zfs.on(get("tank/data"), ok(props(tmp.resolve("elsewhere"))));
    assertThat(checkFails(data())).hasMessage("dataset tank/data is mounted at " + tmp.resolve("elsewhere")
        + ", not at the volume's path " + mnt);
    zfs.on(get("tank/data"), ok(props(mnt).replace("filesystem", "volume")));
    assertThat(checkFails(data()).getMessage()).startsWith("dataset tank/data is a volume, not a file system");
    zfs.on(get("tank/data"), ok(props(mnt).replace(mnt.toString(), "none")));
    assertThat(checkFails(data()).getMessage()).startsWith("dataset tank/data has mount point 'none'");
  }

  @Test
  void check_acceptsALegacyMount_onlyWhereTheDatasetsSnapshotDirectoryIs() throws IOException {
    zfs.on(get("tank/data"), ok(props(mnt).replace(mnt.toString(), "legacy")));
    assertThat(checkFails(data()).getMessage()).contains("legacy mount point");
    Files.createDirectories(mnt.resolve(".zfs/snapshot"));
    assertThat(checkFails(data())).isNull();
  }

  @Test
  void check_poolHealth_degradedAllowedUnlessRefused_faultedNever_lowSpaceRetryable() {
    zfs.on(pool("tank"), ok("DEGRADED\t214748364800\n"));
    assertThat(checkFails(data())).isNull();
    VolumeException e = checkFails(volume("data", mnt, "tank/data", false));
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessage("pool tank is DEGRADED (option allowDegraded is false)");
    zfs.on(pool("tank"), ok("FAULTED\t0\n"));
    assertThat(checkFails(data())).hasMessage("pool tank is FAULTED");
    zfs.on(pool("tank"), ok("SUSPENDED\t214748364800\n"));
    assertThat(checkFails(data()).retryable()).isFalse();
    zfs.on(pool("tank"), ok("ONLINE\t4096\n"));
    assertThat(checkFails(data())).hasMessage("pool tank has only 4096 bytes free")
        .satisfies(x -> assertThat(x.retryable()).isTrue());
    zfs.on(pool("tank"), ok("ONLINE\t214748364800\n"))
        .on(get("tank/data"), ok(props(mnt).replace("102005473280", "512")));
    assertThat(checkFails(data()).retryable()).isTrue();
  }

  @Test
  void check_refusesAnExistingCapture_garbageAndTimeouts() {
    zfs.on(list("tank/data"), ok("tank/data@gs-" + ID + "\t1795395905\n"));
    assertThat(checkFails(data())).hasMessage("capture tank/data@gs-" + ID + " already exists");
    zfs.on(list("tank/data"), ok(""));
    zfs.on(pool("tank"), ok("ONLINE 214748364800\n"));
    assertThat(checkFails(data()).getMessage()).startsWith("unexpected zpool list output");
    zfs.on(pool("tank"), ok("ONLINE\tplenty\n"));
    assertThat(checkFails(data())).hasMessage("unexpected zpool list output: 'plenty' is not a number");
    zfs.on(get("tank/data"), ok("type filesystem\n"));
    assertThat(checkFails(data()).getMessage()).startsWith("unexpected zfs get output");
    zfs.on(get("tank/data"), timedOut());
    assertThat(checkFails(data())).hasMessage("zfs timed out after 30.0s and was killed")
        .satisfies(x -> assertThat(x.retryable()).isTrue());
  }

  @Test
  void check_refusesSnapshotNamesBeyondZfsLimit() {
    String longDataset = "tank/" + "d".repeat(200);
    ZfsVolume v = volume("long", mnt, longDataset, true);
    VolumeException e = catchThrowableOfType(() -> v.check(v.captureTarget("x".repeat(60))), VolumeException.class);
    assertThat(e.getMessage()).contains("ZFS's limit is 255");
    assertThat(zfs.calls()).isEmpty();
  }

  @Test
  void capture_failureCarriesZfssLastLine() throws Exception {
    ZfsVolume v = data();
    zfs.on(List.of(bin("zfs"), "snapshot"), exit(1, "cannot create snapshot 'tank/data@gs-" + ID
        + "': out of space\nno snapshots were created\n"));
    assertThatThrownBy(() -> v.capture(v.captureTarget(ID))).isInstanceOf(VolumeException.class)
        .hasMessage("zfs failed (exit code 1): no snapshots were created");
  }

  @Test
  void owns_onlySnapshotDirectoriesNamedByTheScheme() {
    ZfsVolume v = data();
    assertThat(v.owns(mnt.resolve(".zfs/snapshot/gs-" + ID))).isTrue();
    assertThat(v.owns(mnt.resolve(".zfs/snapshot/daily"))).isFalse();
    assertThat(v.owns(mnt.resolve(".zfs/snapshot/gs-" + ID + "/etc"))).isFalse();
    assertThat(v.owns(mnt.resolve(".zfs/snapshot/gs-.."))).isFalse();
    assertThat(v.owns(tmp.resolve(".zfs/snapshot/gs-" + ID))).isFalse();
  }
}
