package io.groupsnap.agent.volume.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.fakes.FakeZfs;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zfs in-place switch on its own, against a fake zfs: names, the refusals of its check, and its states. */
class ZfsInPlaceTest {
  static final String CAPTURE = "tank/data@gs-gs-1";

  @TempDir Path tmp;
  Path probe;
  FakeZfs zfs;

  @BeforeEach
  void setUp() throws IOException {
    probe = tmp.resolve("host");
    Files.createDirectories(probe.resolve("dev"));
    Files.createFile(probe.resolve("dev/zfs"));
    zfs = new FakeZfs().filesystem("tank", "/tank").filesystem("tank/data", null).snapshot(CAPTURE, 10);
  }

  private ZfsVolume volume(String dataset) {
    return new ZfsVolume("data", tmp.resolve("data"), dataset, true, Duration.ofSeconds(30), zfs.runner, probe);
  }

  @Test
  void siblingNames_areDeterministicFromTheDatasetAndRestoreId() {
    assertThat(ZfsNames.inPlaceStaged("tank/db/main", "r-7")).isEqualTo("tank/db/main.gs-staged-r-7");
    assertThat(ZfsNames.inPlaceReplaced("tank/db/main", "r-7")).isEqualTo("tank/db/main.gs-replaced-r-7");
    assertThat(ZfsNames.datasetProblem(ZfsNames.inPlaceReplaced("tank/db/main", "r-7"))).isNull();
    assertThat(ZfsNames.inPlaceProblem("tank", "r-7", "gs-1")).contains("root of its pool");
    String longDataset = "tank/" + "d".repeat(220);
    assertThat(ZfsNames.inPlaceProblem(longDataset, "r-7", "gs-20261122-010505-a1b2c3"))
        .contains("ZFS's limit is 255");
  }

  @Test
  void thePoolRoot_andALegacyMountPoint_areRefusedBeforeAnythingIsWritten() throws Exception {
    zfs.snapshot("tank@gs-gs-1", 10);
    assertThatThrownBy(() -> volume("tank").inPlaceStager(tmp.resolve("data/.zfs/snapshot/gs-gs-1"), "r-1", false))
        .isInstanceOf(VolumeException.class).hasMessageContaining("root of its pool");
    FakeZfs legacy = new FakeZfs().filesystem("tank", "/tank").filesystem("tank/data", "legacy")
        .snapshot(CAPTURE, 10);
    ZfsVolume v = new ZfsVolume("data", tmp.resolve("data"), "tank/data", true, Duration.ofSeconds(30),
        legacy.runner, probe);
    assertThatThrownBy(() -> v.inPlaceStager(v.captureTarget("gs-1"), "r-1", false))
        .isInstanceOf(VolumeException.class).hasMessageContaining("has mount point 'legacy'");
    assertThat(zfs.runner.calls()).noneMatch(c -> !c.get(1).equals("list") && !c.get(1).equals("get"));
    assertThat(legacy.runner.calls()).noneMatch(c -> !c.get(1).equals("list") && !c.get(1).equals("get"));
  }

  @Test
  void states_areReadFromTheNamesAndTheLiveDataset_andANameSetNoSwitchMakesIsAnError() throws Exception {
    ZfsInPlace sw = ZfsInPlace.of("data", "tank/data", "r-1", zfs.runner);
    assertThat(sw.where()).isEqualTo(ZfsInPlace.Where.SETTLED);
    zfs.runner.run(java.util.List.of("/usr/sbin/zfs", "clone", "-o", "canmount=noauto", CAPTURE, sw.staged()),
        Duration.ofSeconds(1));
    assertThat(sw.where()).isEqualTo(ZfsInPlace.Where.OLD);
    zfs.runner.run(java.util.List.of("/usr/sbin/zfs", "clone", "-o", "canmount=noauto", CAPTURE, sw.replaced()),
        Duration.ofSeconds(1));
    assertThatThrownBy(sw::where).isInstanceOf(IOException.class).hasMessageContaining("in no state it can leave");
    assertThatThrownBy(() -> ZfsInPlace.of("data", "tank/da ta", "r-1", zfs.runner))
        .isInstanceOf(IOException.class).hasMessageContaining("volume data: dataset");
  }
}
