package io.groupsnap.agent.volume.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.volume.loopfs.LoopFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class LoopFsTest {
  @Test
  void aMissingRequirement_failsUnderCi_andSkipsOtherwise() {
    Optional<String> missing = Optional.of("not running as root (uid 1000)");
    assertThatThrownBy(() -> LoopFsExtension.require(missing, true, LoopFs.Type.XFS))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessage("this test needs xfs on loop devices: not running as root (uid 1000) (GROUPSNAP_CI is set, so "
            + "this is a failure, not a skip)");
    assertThatThrownBy(() -> LoopFsExtension.require(missing, false, LoopFs.Type.XFS))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("skipped (set GROUPSNAP_CI to make this a failure)");
    LoopFsExtension.require(Optional.empty(), true, LoopFs.Type.XFS);
  }

  @Test
  void close_undoesEverything_evenWhileFrozen_andOnlyOnce() throws Exception {
    LoopFsExtension.require(LoopFs.Type.EXT4);
    LoopFs fs = LoopFs.create(LoopFs.Type.EXT4, 16L << 20);
    Path device = fs.device();
    try {
      Files.writeString(fs.mountPoint().resolve("f"), "x");
      fs.freezeByAnotherProcess();
    } finally {
      fs.close();
    }
    assertThat(fs.mountPoint()).doesNotExist();
    assertThat(fs.image()).doesNotExist();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(fs.mountPoint().toString());
    String backing = Path.of("/sys/block", device.getFileName().toString(), "loop", "backing_file").toString();
    assertThat(!Files.exists(Path.of(backing)) || !Files.readString(Path.of(backing)).contains(fs.image().toString()))
        .as("its loop device is detached").isTrue();
    fs.close();
  }

  @Test
  void tooSmallAnXfsImage_isRefusedUpFront() {
    assertThatThrownBy(() -> LoopFs.create(LoopFs.Type.XFS, 100L << 20)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("XFS needs an image of at least 300 MiB, not 100 MiB");
  }
}
