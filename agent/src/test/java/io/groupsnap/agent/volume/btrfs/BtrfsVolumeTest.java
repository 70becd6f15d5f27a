package io.groupsnap.agent.volume.btrfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BtrfsVolumeTest {
  static final long SIZE = 160L << 20;

  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.BTRFS, LoopFs.Type.EXT4);
  @TempDir Path tmp;
  LoopFs btrfs;
  Path data;
  KindContext context;

  @BeforeEach
  void setUp() throws IOException {
    btrfs = loop.create(LoopFs.Type.BTRFS, SIZE);
    data = btrfs.createSubvolume("data");
    context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
  }

  private Volume volume(Map<String, String> options) throws KindException {
    VolumeConfig c = new VolumeConfig("db", "btrfs", data, options);
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    return setup.create(context);
  }

  @Test
  void capture_isAReadOnlyPointInTimeSnapshot_inTheDefaultDirectoryOnTheSameBtrfs() throws Exception {
    Files.writeString(data.resolve("ledger"), "before");
    Volume v = volume(Map.of());
    assertThat(v.needsHolder()).isFalse();
    Path target = v.captureTarget("gs-1");
    assertThat(target).isEqualTo(btrfs.mountPoint().resolve(".groupsnap/db/gs-1"));
    v.check(target);
    assertThat(v.freeze()).isSameAs(Volume.Frozen.NONE);
    Path captured = v.capture(target);
    Files.writeString(data.resolve("ledger"), "after");
    Files.writeString(data.resolve("later"), "x");

    assertThat(Files.readString(captured.resolve("ledger"))).isEqualTo("before");
    assertThat(captured.resolve("later")).doesNotExist();
    // read-only for root too: the snapshot itself refuses writes
    assertThatThrownBy(() -> Files.writeString(captured.resolve("ledger"), "tampered"))
        .isInstanceOf(IOException.class).hasMessageContaining("Read-only file system");
    assertThatThrownBy(() -> Files.writeString(captured.resolve("new"), "x")).isInstanceOf(IOException.class);
    assertThat(Files.readString(captured.resolve("ledger"))).isEqualTo("before");
  }

  @Test
  void theToolMethod_takesTheSameReadOnlySnapshot() throws Exception {
    Files.writeString(data.resolve("f"), "v1");
    Volume v = volume(Map.of("snapshotMethod", "tool"));
    v.check(v.captureTarget("gs-1"));
    Path captured = v.capture(v.captureTarget("gs-1"));
    Files.writeString(data.resolve("f"), "v2");
    assertThat(Files.readString(captured.resolve("f"))).isEqualTo("v1");
    assertThatThrownBy(() -> Files.writeString(captured.resolve("f"), "x")).isInstanceOf(IOException.class);
  }

  @Test
  void listAndDelete_workOnlyOnThisVolumesSnapshots() throws Exception {
    Volume v = volume(Map.of());
    for (String id : new String[] {"gs-1", "gs-2"}) {
      v.check(v.captureTarget(id));
      v.capture(v.captureTarget(id));
    }
    Path stray = Files.createDirectories(v.captureTarget("gs-1").resolveSibling("not-a-subvolume"));
    assertThat(v.listCaptures()).extracting(Volume.Found::groupSnapshotId).containsExactlyInAnyOrder("gs-1", "gs-2");

    v.delete(v.captureTarget("gs-1"));
    assertThat(v.captureTarget("gs-1")).doesNotExist();
    assertThat(v.listCaptures()).extracting(Volume.Found::groupSnapshotId).containsExactly("gs-2");
    v.delete(v.captureTarget("gs-1")); // already gone: fine

    assertThatThrownBy(() -> v.delete(stray)).hasMessageContaining("not a btrfs subvolume");
    assertThatThrownBy(() -> v.delete(data)).hasMessageContaining("refusing to delete " + data);
    assertThat(v.owns(v.captureTarget("gs-2").resolve("../../escape"))).isFalse();
    assertThatThrownBy(() -> v.capture(data.resolve("gs-3"))).isInstanceOf(VolumeException.class)
        .hasMessageContaining("is not directly in");
    assertThat(data).isDirectory();
  }

  @Test
  void anExplicitSnapshotDirectory_mustBeOnTheSameBtrfs() throws Exception {
    Path snaps = btrfs.createSubvolume("snaps");
    Volume v = volume(Map.of("snapshotDir", snaps.resolve("db").toString()));
    v.check(v.captureTarget("gs-1"));
    assertThat(v.capture(v.captureTarget("gs-1"))).isEqualTo(snaps.resolve("db/gs-1"));

    LoopFs otherBtrfs = loop.create(LoopFs.Type.BTRFS, SIZE);
    KindException e = catchThrowableOfType(KindException.class, () -> volume(Map.of("snapshotDir",
        otherBtrfs.mountPoint().resolve("snaps").toString())));
    assertThat(e.field()).isEqualTo("options.snapshotDir");
    assertThat(e).hasMessageContaining("is on another btrfs");
    e = catchThrowableOfType(KindException.class, () -> volume(Map.of("snapshotDir", tmp.resolve("x").toString())));
    assertThat(e).hasMessageContaining("must be on the same btrfs");
  }

  @Test
  void badPaths_areRefusedAtLoadAndAtPrepare_namingThePath() throws Exception {
    Path plain = Files.createDirectories(btrfs.mountPoint().resolve("plain"));
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
    Map<Path, String> cases = Map.of(
        btrfs.mountPoint().resolve("missing"), "does not exist",
        plain, "is a directory on btrfs but not a subvolume",
        ext4.mountPoint(), "is on ext4, not btrfs");
    for (Map.Entry<Path, String> c : cases.entrySet()) {
      KindException e = catchThrowableOfType(KindException.class, () -> Kinds.setUp(
          new VolumeConfig("db", "btrfs", c.getKey(), Map.of())).validate(context));
      assertThat(e.field()).isEqualTo("path");
      assertThat(e).hasMessageContaining(c.getKey().toString()).hasMessageContaining(c.getValue());
    }
    // a subvolume that disappears after the configuration was loaded is refused at PREPARE
    Volume v = volume(Map.of());
    new CommandRunnerCheck().run("btrfs", "subvolume", "delete", data.toString());
    VolumeException e = catchThrowableOfType(VolumeException.class, () -> v.check(v.captureTarget("gs-1")));
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessageContaining(data + " does not exist");
  }

  @Test
  void unknownOptionValues_areRefused() {
    KindException e = catchThrowableOfType(KindException.class, () -> volume(Map.of("snapshotMethod", "magic")));
    assertThat(e.field()).isEqualTo("options.snapshotMethod");
    assertThat(e).hasMessageContaining("must be ioctl or tool");
    e = catchThrowableOfType(KindException.class, () -> volume(Map.of("minFreePercent", "120")));
    assertThat(e.field()).isEqualTo("options.minFreePercent");
    e = catchThrowableOfType(KindException.class, () -> volume(Map.of("snapshotDir", "relative/dir")));
    assertThat(e.field()).isEqualTo("options.snapshotDir");
  }

  @Test
  void aNearlyFullFileSystem_isRefusedAtPrepare_retryably_withTheNumbers() throws Exception {
    Volume v = volume(Map.of("minFreePercent", "30"));
    v.check(v.captureTarget("gs-1"));
    try (var out = Files.newOutputStream(data.resolve("filler"))) {
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 50; i++) {
        out.write(block);
      }
    }
    new CommandRunnerCheck().run("sync");
    VolumeException e = catchThrowableOfType(VolumeException.class, () -> v.check(v.captureTarget("gs-1")));
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessageMatching(".*btrfs at .* is nearly full: \\d+ MiB free of \\d+ MiB \\(.*%\\), below "
        + "minFreePercent 30%");
    assertThat(v.captureTarget("gs-1")).doesNotExist();
  }

  /** Runs a host command for the test's own setup. */
  static final class CommandRunnerCheck {
    void run(String... argv) throws IOException {
      CommandRunner.Result r = CommandRunner.system().run(java.util.List.of(argv), java.time.Duration.ofSeconds(60));
      assertThat(r.ok()).as(String.join(" ", argv) + ": " + r.lastLine()).isTrue();
    }
  }
}
