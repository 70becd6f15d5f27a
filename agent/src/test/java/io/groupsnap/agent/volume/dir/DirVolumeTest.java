package io.groupsnap.agent.volume.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.volume.VolumeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirVolumeTest {
  @TempDir Path tmp;

  @Test
  void capture_isAPointInTimeCopy_thatLaterWritesDoNotChange() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data/sub"));
    Files.writeString(data.resolve("a.txt"), "before");
    DirVolume v = new DirVolume("data", tmp.resolve("data"), tmp.resolve("snaps"));
    Path target = tmp.resolve("snaps/data/gs-1");
    v.check(target);
    Path captured = v.capture(target);
    Files.writeString(data.resolve("a.txt"), "after");
    assertThat(Files.readString(captured.resolve("sub/a.txt"))).isEqualTo("before");
    assertThat(tmp.resolve("snaps/data/gs-1.partial")).doesNotExist();
  }

  @Test
  void capture_hardLinksReadOnlyFilesOnlyWhenAskedTo_andKeepsSymlinksAsLinks() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path frozen = Files.writeString(data.resolve("segment-001"), "sealed");
    Files.setPosixFilePermissions(frozen, PosixFilePermissions.fromString("r--r--r--"));
    Files.createSymbolicLink(data.resolve("escape"), Path.of("/etc"));
    Path copied = new DirVolume("data", data, tmp.resolve("snaps")).capture(tmp.resolve("snaps/data/gs-0"));
    assertThat(Files.isSameFile(copied.resolve("segment-001"), frozen)).as("copied by default").isFalse();
    DirVolume v = new DirVolume("data", data, tmp.resolve("snaps"), false, true);
    Path captured = v.capture(tmp.resolve("snaps/data/gs-1"));
    assertThat(Files.isSameFile(captured.resolve("segment-001"), frozen)).isTrue();
    assertThat(Files.isSymbolicLink(captured.resolve("escape"))).isTrue();
    assertThat(Files.readSymbolicLink(captured.resolve("escape"))).isEqualTo(Path.of("/etc"));
  }

  @Test
  void refuses_capturesAndDeletesOutsideTheSnapshotRoot() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("keep"), "x");
    DirVolume v = new DirVolume("data", data, tmp.resolve("snaps"));
    assertThatThrownBy(() -> v.capture(tmp.resolve("snaps/../victim/x"))).isInstanceOf(VolumeException.class)
        .hasMessageContaining("this volume's part of the snapshot root");
    assertThatThrownBy(() -> v.delete(victim)).hasMessageContaining("this volume's part of the snapshot root");
    assertThat(victim.resolve("keep")).exists();
  }

  @Test
  void check_refusesAMissingDirectory_andAnExistingTarget() throws Exception {
    DirVolume missing = new DirVolume("data", tmp.resolve("gone"), tmp.resolve("snaps"));
    assertThatThrownBy(() -> missing.check(tmp.resolve("snaps/data/gs-1")))
        .isInstanceOf(VolumeException.class).hasMessageContaining("is not a directory");
    Path data = Files.createDirectories(tmp.resolve("data"));
    DirVolume v = new DirVolume("data", data, tmp.resolve("snaps"));
    Files.createDirectories(tmp.resolve("snaps/data/gs-1"));
    assertThatThrownBy(() -> v.check(tmp.resolve("snaps/data/gs-1"))).hasMessageContaining("already exists");
  }
}
