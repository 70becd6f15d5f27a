package io.groupsnap.agent.volume.zfs;

import static io.groupsnap.agent.fakes.RecordingCommandRunner.bin;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.exit;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.fakes.RecordingCommandRunner;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.TargetHash;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores of zfs captures against recorded tools: a clone mounted at the target, its checks and its removal. */
class ZfsRestoreTest {
  static final String ID = ZfsVolumeTest.ID;
  static final String SNAPSHOT = "tank/data@gs-" + ID;

  @TempDir Path tmp;
  Path probe;
  Path mnt;
  Path target;
  String clone;
  RecordingCommandRunner zfs;
  List<String> snapshotList;
  List<String> parentList;
  List<String> cloneList;

  @BeforeEach
  void setUp() throws IOException {
    probe = tmp.resolve("host");
    Files.createDirectories(probe.resolve("dev"));
    Files.createFile(probe.resolve("dev/zfs"));
    mnt = Files.createDirectories(tmp.resolve("tank/data"));
    target = tmp.resolve("restores/data");
    clone = "tank/restores/data-restore-" + TargetHash.of(target, 12);
    snapshotList = List.of(bin("zfs"), "list", "-H", "-p", "-t", "snapshot", "-o", "name,logicalreferenced",
        SNAPSHOT);
    parentList = List.of(bin("zfs"), "list", "-H", "-p", "-o", "name,available", "tank/restores");
    cloneList = List.of(bin("zfs"), "list", "-H", "-o", "name", clone);
    zfs = new RecordingCommandRunner().installs("zfs", "zpool")
        .on(snapshotList, ok(SNAPSHOT + "\t5368709120\n"))
        .on(parentList, ok("tank/restores\t102005473280\n"))
        .on(cloneList, exit(1, "cannot open '" + clone + "': dataset does not exist"))
        .on(List.of(bin("zfs"), "get", "-H", "-o", "value", "mounted", clone), ok("yes\n"));
  }

  private ZfsVolume volume() {
    return new ZfsVolume("data", mnt, "tank/data", true, Duration.ofSeconds(30), "tank/restores", zfs, probe);
  }

  private Path capture() {
    return mnt.resolve(".zfs/snapshot/gs-" + ID);
  }

  @Test
  void restore_checksWithoutWriting_thenClonesTheSnapshotMountedAtTheTarget() throws Exception {
    Restorer r = volume().restorer(capture(), target);
    assertThat(zfs.calls()).as("checks only").containsExactly(snapshotList, parentList, cloneList);
    assertThat(r.method()).isEqualTo("zfs-clone");
    assertThat(r.bytesNeeded()).isZero();
    assertThat(r.bytes()).isEqualTo(5368709120L);
    assertThat(r.atTarget()).isTrue();
    zfs.clear();

    assertThat(r.materialize(target)).isEqualTo("zfs-clone");

    assertThat(zfs.calls()).containsExactly(
        List.of(bin("zfs"), "clone", "-o", "mountpoint=" + target, "-o", "readonly=off", "-o", "canmount=on",
            SNAPSHOT, clone),
        List.of(bin("zfs"), "get", "-H", "-o", "value", "mounted", clone));
  }

  @Test
  void aCloneNotMounted_isDestroyedAgain() throws Exception {
    Restorer r = volume().restorer(capture(), target);
    zfs.on(List.of(bin("zfs"), "get", "-H", "-o", "value", "mounted", clone), ok("no\n"))
        .on(cloneList, ok(clone + "\n"));
    zfs.clear();
    assertThatThrownBy(() -> r.materialize(target)).isInstanceOf(VolumeException.class)
        .hasMessage("clone " + clone + " of " + SNAPSHOT + " was made but is not mounted at " + target
            + " (mounted: 'no')");
    assertThat(zfs.calls()).endsWith(cloneList, List.of(bin("zfs"), "destroy", clone));
  }

  @Test
  void refusals_nameWhatIsWrong() {
    zfs.on(cloneList, ok(clone + "\n"));
    assertThat(refusal()).hasMessageStartingWith("dataset " + clone + " already exists (an earlier restore to "
        + target + "?)");
    zfs.on(parentList, exit(1, "cannot open 'tank/restores': dataset does not exist"));
    assertThat(refusal()).hasMessage("dataset tank/restores, where restores clone captures (option restoreParent),"
        + " does not exist: create it with 'zfs create tank/restores'");
    zfs.on(parentList, ok("tank/restores\t4096\n"));
    assertThat(refusal()).hasMessageContaining("has only 4096 bytes available").returns(true,
        VolumeException::retryable);
    zfs.on(snapshotList, exit(1, "cannot open '" + SNAPSHOT + "': dataset does not exist"));
    assertThat(refusal()).hasMessage("capture " + SNAPSHOT + " of volume data is gone");
    assertThat(zfs.calls()).noneMatch(c -> c.contains("clone") || c.contains("destroy"));
    assertThat(catchThrowableOfType(() -> volume().restorer(mnt.resolve(".zfs/snapshot/daily"), target),
        VolumeException.class)).hasMessageContaining("is not one of volume data's");
  }

  private VolumeException refusal() {
    return catchThrowableOfType(() -> volume().restorer(capture(), target), VolumeException.class);
  }

  @Test
  void removal_destroysTheClone_andASecondRemovalDoesNothing() throws Exception {
    Files.createDirectories(target);
    List<String> origin = List.of(bin("zfs"), "list", "-H", "-o", "name,origin", clone);
    zfs.on(origin, ok(clone + "\t" + SNAPSHOT + "\n"));
    volume().removeRestored(target);
    assertThat(zfs.calls()).containsExactly(origin, List.of(bin("zfs"), "destroy", clone));
    assertThat(target).doesNotExist();

    zfs.on(origin, exit(1, "cannot open '" + clone + "': dataset does not exist"));
    zfs.clear();
    volume().removeRestored(target);
    assertThat(zfs.calls()).containsExactly(origin);
  }

  @Test
  void removal_refusesADatasetThatIsNoCloneOfACapture() throws Exception {
    Files.createDirectories(target);
    zfs.on(List.of(bin("zfs"), "list", "-H", "-o", "name,origin", clone), ok(clone + "\ttank/other@mine\n"));
    assertThatThrownBy(() -> volume().removeRestored(target)).isInstanceOf(IOException.class)
        .hasMessageContaining("is no capture of volume data");
    assertThat(zfs.calls()).noneMatch(c -> c.contains("destroy"));
    assertThat(target).exists();
  }

  @Test
  void restoreParent_defaultsToTheDatasetsParent_andMustBeInItsPool() throws Exception {
    assertThat(ZfsOptions.parse(new KindOptions("zfs", Map.of("dataset", "tank/db/main"))).restoreParent())
        .isEqualTo("tank/db");
    assertThat(ZfsOptions.parse(new KindOptions("zfs", Map.of("dataset", "tank"))).restoreParent())
        .isEqualTo("tank");
    assertThatThrownBy(() -> ZfsOptions.parse(new KindOptions("zfs", Map.of("dataset", "tank/db",
        "restoreParent", "other/restores")))).isInstanceOf(KindException.class)
        .hasMessageContaining("is not in pool tank");
    assertThatThrownBy(() -> ZfsOptions.parse(new KindOptions("zfs", Map.of("dataset", "tank/db",
        "restoreParent", "tank/re stores")))).isInstanceOf(KindException.class).hasMessageContaining("contains ' '");
  }
}
