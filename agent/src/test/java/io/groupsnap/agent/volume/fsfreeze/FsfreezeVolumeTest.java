package io.groupsnap.agent.volume.fsfreeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.testing.AppendingProcess;
import io.groupsnap.agent.volume.testing.BackgroundWrite;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FsfreezeVolumeTest {
  static final long EXT4_SIZE = 48L << 20;
  static final long XFS_SIZE = 300L << 20;

  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.EXT4, LoopFs.Type.XFS, LoopFs.Type.BTRFS);
  @TempDir Path tmp;
  LoopFs ext4;
  KindContext context;
  final List<Volume> made = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    ext4 = loop.create(LoopFs.Type.EXT4, EXT4_SIZE);
    context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
  }

  private Volume volume(Path path, Map<String, String> options) throws KindException {
    VolumeConfig c = new VolumeConfig("db", "fsfreeze", path, options);
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    Volume v = setup.create(context);
    made.add(v);
    return v;
  }

  /** Captures are immutable: only their volume can remove them (before the file systems and temp dirs go). */
  @AfterEach
  void deleteCaptures() throws IOException {
    for (Volume v : made) {
      for (Volume.Found f : v.listCaptures()) {
        v.delete(f.location());
      }
    }
  }

  private static KindException refusal(Path path, Map<String, String> options, KindContext context) {
    return catchThrowableOfType(KindException.class, () -> Kinds.setUp(
        new VolumeConfig("db", "fsfreeze", path, options)).validate(context));
  }

  /** Writes a file on another thread: a write to a frozen file system blocks until the thaw. */
  static CompletableFuture<Void> writeInBackground(Path file, String text) {
    return BackgroundWrite.start(file, text);
  }

  /** A copy captured while frozen: read-only even for root, with the data from before and nothing from after. */
  private void assertCopyCapture(Volume v, Path mount) throws Exception {
    Files.createDirectories(mount.resolve("dir/sub"));
    Files.writeString(mount.resolve("dir/sub/ledger"), "before");
    Files.createSymbolicLink(mount.resolve("dir/link"), Path.of("/etc/passwd"));
    Path target = v.captureTarget("gs-1");
    v.check(target);
    Volume.Frozen frozen = v.freeze();
    Path captured;
    try {
      captured = v.capture(target);
    } finally {
      frozen.thaw();
    }
    Files.writeString(mount.resolve("dir/sub/ledger"), "after");
    Files.writeString(mount.resolve("later"), "x");

    assertThat(captured).isEqualTo(target);
    assertThat(Files.readString(captured.resolve("dir/sub/ledger"))).isEqualTo("before");
    assertThat(captured.resolve("later")).doesNotExist();
    assertThat(Files.readSymbolicLink(captured.resolve("dir/link"))).isEqualTo(Path.of("/etc/passwd"));
    assertThat(target.resolveSibling("gs-1.partial")).doesNotExist();
    assertThatThrownBy(() -> Files.writeString(captured.resolve("dir/sub/ledger"), "tampered"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Files.writeString(captured.resolve("dir/new"), "x")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Files.delete(captured.resolve("dir/sub/ledger"))).isInstanceOf(IOException.class);
    assertThat(Files.readString(captured.resolve("dir/sub/ledger"))).isEqualTo("before");
  }

  @Test
  void copyCapture_onExt4_isReadOnlyAndPointInTime_onAnotherFileSystem() throws Exception {
    Volume v = volume(ext4.mountPoint(), Map.of());
    assertThat(v.needsHolder()).isFalse();
    assertThat(v.captureTarget("gs-1")).isEqualTo(tmp.resolve("snaps/db/gs-1"));
    assertCopyCapture(v, ext4.mountPoint());
  }

  @Test
  void copyCapture_onXfs_withTheToolFreezeMethod() throws Exception {
    LoopFs xfs = loop.create(LoopFs.Type.XFS, XFS_SIZE);
    assertCopyCapture(volume(xfs.mountPoint(), Map.of("freezeMethod", "tool")), xfs.mountPoint());
  }

  @Test
  void listAndDelete_removeReadOnlyCaptures_andNothingElse() throws Exception {
    Files.writeString(ext4.mountPoint().resolve("f"), "v1");
    Volume v = volume(ext4.mountPoint(), Map.of());
    for (String id : List.of("gs-1", "gs-2")) {
      v.check(v.captureTarget(id));
      Volume.Frozen f = v.freeze();
      try {
        v.capture(v.captureTarget(id));
      } finally {
        f.thaw();
      }
    }
    assertThat(v.listCaptures()).extracting(Volume.Found::groupSnapshotId).containsExactlyInAnyOrder("gs-1", "gs-2");
    v.delete(v.captureTarget("gs-1"));
    assertThat(v.captureTarget("gs-1")).doesNotExist();
    assertThat(v.listCaptures()).extracting(Volume.Found::groupSnapshotId).containsExactly("gs-2");
    v.delete(v.captureTarget("gs-1"));
    assertThatThrownBy(() -> v.delete(ext4.mountPoint())).hasMessageContaining("refusing to delete");
    assertThatThrownBy(() -> v.delete(tmp.resolve("snaps/db/../other"))).hasMessageContaining("refusing to delete");
    assertThat(Files.readString(ext4.mountPoint().resolve("f"))).isEqualTo("v1");
  }

  @Test
  void aWriterProcess_makesNoProgressWhileFrozen_andContinuesAfterTheThaw() throws Exception {
    Volume v = volume(ext4.mountPoint(), Map.of());
    Path file = ext4.mountPoint().resolve("appended");
    v.check(v.captureTarget("gs-1"));
    try (AppendingProcess writer = AppendingProcess.start(file, ext4::thawByAnotherProcess)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> writer.count() >= 5);
      Volume.Frozen frozen = v.freeze();
      long atFreeze;
      try {
        atFreeze = writer.count();
        // at most the append already past the file system when the freeze began is still reported
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
            .until(() -> writer.count() <= atFreeze + 1);
        assertThat(writer.isAlive()).isTrue();
        long held = writer.count();
        List<String> lines = Files.readAllLines(file); // reading a frozen file system works
        assertThat(Long.parseLong(lines.get(lines.size() - 1))).isEqualTo(held);
        Path captured = v.capture(v.captureTarget("gs-1"));
        assertThat(Files.readAllLines(captured.resolve("appended"))).isEqualTo(lines);
      } finally {
        frozen.thaw();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> writer.count() > atFreeze + 10);
    }
  }

  @Test
  void thawAfterRestart_thawsAFreezeMadeByAnotherProcess_andIsHarmlessWhenNothingIsFrozen() throws Exception {
    Volume v = volume(ext4.mountPoint(), Map.of());
    v.thawAfterRestart();
    ext4.freezeByAnotherProcess();
    CompletableFuture<Void> write;
    try {
      write = writeInBackground(ext4.mountPoint().resolve("probe"), "x");
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !write.isDone());
      v.thawAfterRestart();
      await().atMost(Duration.ofSeconds(5)).until(write::isDone);
    } finally {
      ext4.thawByAnotherProcess();
    }
    assertThat(write).isCompleted();
    assertThat(ext4.thawByAnotherProcess()).as("nothing left frozen").isFalse();
  }

  @Test
  void aThawAfterSomeoneElseThawed_reportsTheHoldAsBroken_andAFrozenFileSystemIsNotFrozenTwice() throws Exception {
    Volume v = volume(ext4.mountPoint(), Map.of());
    Volume.Frozen frozen = v.freeze();
    try {
      VolumeException busy = catchThrowableOfType(VolumeException.class, v::freeze);
      assertThat(busy).hasMessageContaining("is already frozen");
      assertThat(ext4.thawByAnotherProcess()).isTrue();
      assertThatThrownBy(frozen::thaw).isInstanceOf(VolumeException.class)
          .hasMessageContaining("was no longer frozen at thaw");
      frozen.thaw(); // idempotent: the second call does nothing
    } finally {
      ext4.thawByAnotherProcess();
    }
  }

  @Test
  void badInput_isRefusedWithTheReason() throws Exception {
    Path sub = Files.createDirectories(ext4.mountPoint().resolve("sub"));
    KindException e = refusal(sub, Map.of(), context);
    assertThat(e.field()).isEqualTo("path");
    assertThat(e).hasMessageContaining(sub + " is not a mount point (it is inside the ext4 file system mounted at "
        + ext4.mountPoint() + ")");

    e = refusal(ext4.mountPoint().resolve("missing"), Map.of(), context);
    assertThat(e).hasMessageContaining("missing does not exist");

    LoopFs btrfs = loop.create(LoopFs.Type.BTRFS, 128L << 20);
    e = refusal(btrfs.mountPoint(), Map.of(), context);
    assertThat(e.field()).isEqualTo("path");
    assertThat(e).hasMessageContaining("is a btrfs file system").hasMessageContaining("use kind btrfs");

    KindContext onFrozen = KindContext.of(ext4.mountPoint().resolve("snaps"), tmp.resolve("state"));
    e = refusal(ext4.mountPoint(), Map.of(), onFrozen);
    assertThat(e.field()).isEqualTo("options.capture");
    assertThat(e).hasMessageContaining("is on " + ext4.mountPoint() + ", the file system this volume freezes");

    e = refusal(ext4.mountPoint(), Map.of("capture", "snapshot"), context);
    assertThat(e.field()).isEqualTo("options.capture");
    assertThat(e).hasMessage("unknown capture 'snapshot' (known: copy, reflink, command)");
    e = refusal(ext4.mountPoint(), Map.of("freezeMethod", "magic"), context);
    assertThat(e.field()).isEqualTo("options.freezeMethod");
    e = refusal(ext4.mountPoint(), Map.of("capture", "reflink"), context);
    assertThat(e).hasMessageContaining("ext4, which cannot reflink");
    e = refusal(ext4.mountPoint(), Map.of("command", "[\"/bin/true\"]"), context);
    assertThat(e.field()).isEqualTo("options.command");
    assertThat(e).hasMessageContaining("applies only to capture: command");
  }

  @Test
  void aCaptureLocationMovedOntoTheFrozenFileSystem_isRefusedAtPrepare_beforeAnythingFreezes() throws Exception {
    Path snaps = tmp.resolve("snaps");
    Volume v = volume(ext4.mountPoint(), Map.of());
    // the snapshot root is replaced by a mount of the very file system the volume freezes
    Files.createDirectories(snaps);
    LoopFs.run("mount", "--bind", ext4.mountPoint().toString(), snaps.toString());
    try {
      VolumeException e = catchThrowableOfType(VolumeException.class, () -> v.check(v.captureTarget("gs-1")));
      assertThat(e.retryable()).isFalse();
      assertThat(e).hasMessageContaining("the file system this volume freezes");
    } finally {
      LoopFs.run("umount", snaps.toString());
    }
    assertThat(ext4.thawByAnotherProcess()).as("nothing frozen").isFalse();
  }

  @Test
  void copyCapture_isRefusedAtPrepare_whenTheTargetFileSystemHasNoRoom() throws Exception {
    LoopFs small = loop.create(LoopFs.Type.EXT4, 16L << 20);
    byte[] mib = new byte[1 << 20];
    for (int i = 0; i < 24; i++) {
      Files.write(ext4.mountPoint().resolve("blob-" + i), mib);
    }
    KindContext smallRoot = KindContext.of(small.mountPoint().resolve("snaps"), tmp.resolve("state"));
    VolumeConfig c = new VolumeConfig("db", "fsfreeze", ext4.mountPoint(), Map.of());
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(smallRoot);
    Volume v = setup.create(smallRoot);
    VolumeException e = catchThrowableOfType(VolumeException.class, () -> v.check(v.captureTarget("gs-1")));
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessageMatching("insufficient space for a copy of .*: it needs 25165824 bytes \\(24 MiB\\), "
        + "\\d+ bytes \\(\\d+ MiB\\) are free under .*");
  }

  @Test
  void commandCapture_runsTheOperatorsCommandWhileFrozen_withWholeArgumentPlaceholders() throws Exception {
    Files.writeString(ext4.mountPoint().resolve("f"), "v1");
    Volume v = volume(ext4.mountPoint(), Map.of("capture", "command",
        "command", "[\"/bin/cp\", \"-a\", \"{path}\", \"{target}\"]"));
    Path target = v.captureTarget("gs-1");
    v.check(target);
    Volume.Frozen frozen = v.freeze();
    try {
      CompletableFuture<Void> write = writeInBackground(ext4.mountPoint().resolve("f"), "v2");
      assertThat(v.capture(target)).isEqualTo(target);
      assertThat(write).isNotDone();
    } finally {
      frozen.thaw();
    }
    assertThat(Files.readString(target.resolve("f"))).isEqualTo("v1");
    await().atMost(Duration.ofSeconds(5))
        .until(() -> Files.readString(ext4.mountPoint().resolve("f")).equals("v2"));
    v.delete(target);
    assertThat(target).doesNotExist();
  }

  @Test
  void commandCapture_isRefusedWithEmbeddedOrUnknownPlaceholders_andFailsWhenItMakesNothing() throws Exception {
    KindException e = refusal(ext4.mountPoint(), Map.of("capture", "command",
        "command", "[\"/bin/cp\", \"-a\", \"{path}\", \"--target-directory={target}\"]"), context);
    assertThat(e.field()).isEqualTo("options.command");
    assertThat(e).hasMessageContaining("placeholders are replaced as whole arguments only");
    e = refusal(ext4.mountPoint(), Map.of("capture", "command", "command", "[\"/bin/cp\", \"{source}\"]"), context);
    assertThat(e).hasMessageContaining("unknown placeholder");
    e = refusal(ext4.mountPoint(), Map.of("capture", "command", "command", "[\"cp\", \"{path}\"]"), context);
    assertThat(e).hasMessageContaining("must be an absolute path");

    Volume v = volume(ext4.mountPoint(), Map.of("capture", "command", "command", "[\"/bin/true\", \"{target}\"]"));
    v.check(v.captureTarget("gs-1"));
    Volume.Frozen frozen = v.freeze();
    try {
      assertThatThrownBy(() -> v.capture(v.captureTarget("gs-1"))).isInstanceOf(VolumeException.class)
          .hasMessageContaining("succeeded but left nothing at");
    } finally {
      frozen.thaw();
    }
  }

  /**
   * The finding behind capture: reflink never freezing: a clone into a frozen XFS waits for the thaw (so does
   * {@code cp --reflink}, which first creates its target). If this ever stops holding, reflink could freeze.
   */
  @Test
  void aCloneOnAFrozenXfs_waitsForTheThaw() throws Exception {
    LoopFs xfs = loop.create(LoopFs.Type.XFS, XFS_SIZE);
    Path src = Files.writeString(xfs.mountPoint().resolve("src"), "data");
    Path dst = Files.createFile(xfs.mountPoint().resolve("dst"));
    LoopFs.run("sync");
    xfs.freezeByAnotherProcess();
    CompletableFuture<Void> clone = new CompletableFuture<>();
    try {
      Thread t = new Thread(() -> {
        try {
          io.groupsnap.agent.volume.linux.FsIoctl.clone(src, dst);
          clone.complete(null);
        } catch (IOException e) {
          clone.completeExceptionally(e);
        }
      }, "clone-on-frozen");
      t.setDaemon(true);
      t.start();
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !clone.isDone());
    } finally {
      xfs.thawByAnotherProcess();
    }
    assertThat(clone).succeedsWithin(Duration.ofSeconds(10));
    assertThat(Files.readString(dst)).isEqualTo("data");
  }

  @Test
  void reflinkCapture_onXfs_neverFreezes_needsAHolder_andIsReadOnlyPointInTime() throws Exception {
    LoopFs xfs = loop.create(LoopFs.Type.XFS, XFS_SIZE);
    Path mount = xfs.mountPoint();
    Files.createDirectories(mount.resolve("dir"));
    Files.write(mount.resolve("dir/big"), new byte[8 << 20]);
    Files.writeString(mount.resolve("dir/ledger"), "before");
    Volume v = volume(mount, Map.of("capture", "reflink"));
    assertThat(v.needsHolder()).as("a reflink capture is only as consistent as its writers' hold").isTrue();
    assertThat(volume(mount, Map.of("capture", "reflink", "allowUnheld", "true")).needsHolder()).isFalse();
    Path target = v.captureTarget("gs-1");
    assertThat(target).isEqualTo(mount.resolve(".groupsnap/db/gs-1"));
    v.check(target);
    assertThat(v.freeze()).isSameAs(Volume.Frozen.NONE);
    long freeBefore = Files.getFileStore(mount).getUsableSpace();
    Path captured = v.capture(target);
    long used = freeBefore - Files.getFileStore(mount).getUsableSpace();
    Files.writeString(mount.resolve("dir/ledger"), "after");

    assertThat(Files.readString(captured.resolve("dir/ledger"))).isEqualTo("before");
    assertThat(Files.size(captured.resolve("dir/big"))).isEqualTo(8 << 20);
    assertThat(used).as("clones share extents: far less than the 8 MiB copied").isLessThan(4 << 20);
    assertThat(captured.resolve(".groupsnap")).as("captures are not captured").doesNotExist();
    assertThatThrownBy(() -> Files.writeString(captured.resolve("dir/ledger"), "x")).isInstanceOf(IOException.class);
    v.check(v.captureTarget("gs-2"));
    assertThat(v.capture(v.captureTarget("gs-2")).resolve(".groupsnap")).doesNotExist();
    assertThat(v.listCaptures()).extracting(Volume.Found::groupSnapshotId).containsExactlyInAnyOrder("gs-1", "gs-2");
  }

  @Test
  void reflink_refusesASnapshotDirOnAnotherFileSystem() throws Exception {
    LoopFs xfs = loop.create(LoopFs.Type.XFS, XFS_SIZE);
    KindException e = refusal(xfs.mountPoint(), Map.of("capture", "reflink", "snapshotDir",
        tmp.resolve("elsewhere").toString()), context);
    assertThat(e.field()).isEqualTo("options.snapshotDir");
    assertThat(e).hasMessageContaining("reflink clones only within one file system");
    e = refusal(xfs.mountPoint(), Map.of("capture", "reflink", "freezeMethod", "tool"), context);
    assertThat(e).hasMessageContaining("never freezes");
  }
}
