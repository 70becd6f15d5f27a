package io.groupsnap.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints how long the operations inside the freeze window take on this host, per method, so that the defaults
 * (ioctl for both kinds) rest on figures. Prints; never asserts a timing.
 */
class FsKindsBenchmarkTest {
  static final int CYCLES = 50;
  static final int WARMUP = 3;

  @RegisterExtension final LoopFsExtension loop =
      new LoopFsExtension(LoopFs.Type.EXT4, LoopFs.Type.XFS, LoopFs.Type.BTRFS);
  @TempDir Path tmp;

  private Volume volume(String kind, Path path, Map<String, String> options) throws Exception {
    KindContext context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
    VolumeConfig c = new VolumeConfig("bench", kind, path, options);
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    return setup.create(context);
  }

  /** Methods alternate cycle by cycle, so that a busy moment of the host does not favour one. */
  @Test
  void btrfsSnapshot_ioctlVersusTool() throws Exception {
    LoopFs btrfs = loop.create(LoopFs.Type.BTRFS, 256L << 20);
    Path data = btrfs.createSubvolume("data");
    writeTree(data, 10, 20);
    Map<String, Volume> volumes = new LinkedHashMap<>();
    Map<String, List<Long>> took = new LinkedHashMap<>();
    for (String method : List.of("ioctl", "tool")) {
      volumes.put(method, volume("btrfs", data, Map.of("snapshotMethod", method)));
      took.put(method, new ArrayList<>());
    }
    for (int i = 0; i < WARMUP + CYCLES; i++) {
      for (Map.Entry<String, Volume> e : volumes.entrySet()) {
        Volume v = e.getValue();
        Path target = v.captureTarget(e.getKey() + "-" + i);
        v.check(target);
        long start = System.nanoTime();
        v.capture(target);
        long end = System.nanoTime();
        if (i >= WARMUP) {
          took.get(e.getKey()).add(end - start);
        }
        v.delete(target);
      }
    }
    took.forEach((method, nanos) -> print("btrfs snapshot (200 files)", method, nanos));
  }

  @Test
  void freezeAndThaw_ioctlVersusTool_onExt4AndXfs() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 64L << 20);
    LoopFs xfs = loop.create(LoopFs.Type.XFS, 300L << 20);
    for (LoopFs fs : List.of(ext4, xfs)) {
      Map<String, Volume> volumes = new LinkedHashMap<>();
      Map<String, List<Long>> freeze = new LinkedHashMap<>();
      Map<String, List<Long>> thaw = new LinkedHashMap<>();
      for (String method : List.of("ioctl", "tool")) {
        Volume v = volume("fsfreeze", fs.mountPoint(), Map.of("freezeMethod", method));
        v.check(v.captureTarget("gs-0"));
        volumes.put(method, v);
        freeze.put(method, new ArrayList<>());
        thaw.put(method, new ArrayList<>());
      }
      for (int i = 0; i < WARMUP + CYCLES; i++) {
        for (Map.Entry<String, Volume> e : volumes.entrySet()) {
          Files.writeString(fs.mountPoint().resolve("dirty"), "cycle " + i); // something to flush
          long start = System.nanoTime();
          Volume.Frozen frozen = e.getValue().freeze();
          long mid = System.nanoTime();
          frozen.thaw();
          long end = System.nanoTime();
          if (i >= WARMUP) {
            freeze.get(e.getKey()).add(mid - start);
            thaw.get(e.getKey()).add(end - mid);
          }
        }
      }
      for (String method : volumes.keySet()) {
        print(fs.type().fsType() + " freeze", method, freeze.get(method));
        print(fs.type().fsType() + " thaw", method, thaw.get(method));
      }
      assertThat(fs.thawByAnotherProcess()).as("nothing left frozen").isFalse();
    }
  }

  @Test
  void ext4FreezeCopyThaw_ofASmallTree() throws Exception {
    LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 64L << 20);
    writeTree(ext4.mountPoint(), 10, 20);
    Volume v = volume("fsfreeze", ext4.mountPoint(), Map.of());
    List<Long> window = new ArrayList<>();
    for (int i = 0; i < WARMUP + CYCLES / 2; i++) {
      Path target = v.captureTarget("gs-" + i);
      v.check(target);
      long start = System.nanoTime();
      Volume.Frozen frozen = v.freeze();
      try {
        v.capture(target);
      } finally {
        frozen.thaw();
      }
      long end = System.nanoTime();
      if (i >= WARMUP) {
        window.add(end - start);
      }
      v.delete(target);
    }
    print("ext4 freeze+copy+thaw (200 files x 4 KiB)", "ioctl", window);
  }

  private static void writeTree(Path root, int dirs, int files) throws Exception {
    byte[] block = new byte[4096];
    Arrays.fill(block, (byte) 'x');
    for (int d = 0; d < dirs; d++) {
      Path dir = Files.createDirectories(root.resolve("d" + d));
      for (int f = 0; f < files; f++) {
        Files.write(dir.resolve("f" + f), block);
      }
    }
    LoopFs.run("sync");
  }

  private static void print(String what, String method, List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "[bench] %-44s %-5s n=%3d  p50=%8.3f ms  p90=%8.3f ms  max=%8.3f ms%n", what,
        method, sorted.length, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.9)] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }
}
