package io.groupsnap.devkit.bench;

import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.cluster.DevCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The members' volumes of one bench cluster, with their files: {@code dir} volumes are the dev cluster's own
 * directories; for the real kinds ({@link BenchVolume}) this makes file systems on loop devices ({@link LoopFs}: a
 * sparse image in a temporary directory, attached, formatted, mounted) — one btrfs of {@value #BTRFS_MIB} MiB with a
 * subvolume per member, or one ext4 of {@value #EXT4_MIB} MiB per member.
 *
 * <p>{@link #close} undoes all of it: thaws (a member left frozen), unmounts, detaches the loop devices it attached,
 * deletes the images, then deletes the cluster's data directory. So does a shutdown hook registered before anything
 * is made and removed by {@link #close}, so that Ctrl-C (or any other exit of the JVM that runs hooks) leaves nothing
 * mounted, attached or frozen either. Idempotent and thread-safe.
 */
final class BenchVolumes implements AutoCloseable {
  static final long BTRFS_MIB = 256;
  static final long EXT4_MIB = 16;
  private static final long MIB = 1024 * 1024;
  private static final int FILE_BYTES = 4096;

  private final BenchVolume kind;
  private final Path dataDir;
  private final List<LoopFs> made = new ArrayList<>();
  private final Map<String, VolumeConfig> configs = new LinkedHashMap<>();
  private final Thread hook;
  private boolean closed;

  private BenchVolumes(BenchVolume kind, Path dataDir) {
    this.kind = kind;
    this.dataDir = dataDir;
    this.hook = new Thread(this::closeFromHook, "bench-volumes-cleanup");
  }

  /**
   * Checks, before anything is made or frozen, that this host can make the file systems of {@code kind}.
   *
   * @throws DevkitException (bad input, naming {@code --volume}) when not root, without loop devices or without a
   *     program the kind needs ({@code losetup}, {@code mkfs.btrfs}, ...)
   */
  static void check(BenchVolume kind) throws DevkitException {
    if (kind.fileSystem() == null) {
      return;
    }
    Optional<String> missing = LoopFs.missing(kind.fileSystem());
    if (missing.isPresent()) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT, "--volume " + kind.label() + ": needs root and "
          + kind.fileSystem().fsType() + " on loop devices: " + missing.get());
    }
  }

  /**
   * Makes the volumes of {@code members} agents ({@code agent-1} ...) of a dev cluster under {@code dataDir}, each
   * with {@code files} files of 4 KiB; from now on {@code dataDir} belongs to the result, which deletes it when
   * closed. Whatever was made is undone, and {@code dataDir} deleted, when a step fails.
   */
  static BenchVolumes make(BenchVolume kind, Path dataDir, int members, int files) throws IOException {
    BenchVolumes v = new BenchVolumes(kind, dataDir);
    Runtime.getRuntime().addShutdownHook(v.hook);
    try {
      v.fill(members, files);
      return v;
    } catch (IOException | RuntimeException e) {
      try {
        v.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void fill(int members, int files) throws IOException {
    LoopFs btrfs = kind == BenchVolume.BTRFS ? add(LoopFs.create(LoopFs.Type.BTRFS, BTRFS_MIB * MIB, dataDir))
        : null;
    for (int i = 1; i <= members; i++) {
      String id = "agent-" + i;
      Path volume;
      switch (kind) {
        case DIR -> volume = Files.createDirectories(DevCluster.volumeDir(dataDir, id));
        case BTRFS -> {
          volume = btrfs.createSubvolume(id);
          // each member its own snapshot directory: the default one is per volume name, and all are "data"
          Path snapshots = btrfs.mountPoint().resolve("snapshots").resolve(id);
          configs.put(id, new VolumeConfig(DevCluster.VOLUME, "btrfs", volume,
              Map.of("snapshotDir", snapshots.toString())));
        }
        case FSFREEZE -> {
          volume = add(LoopFs.create(LoopFs.Type.EXT4, EXT4_MIB * MIB, dataDir)).mountPoint();
          configs.put(id, new VolumeConfig(DevCluster.VOLUME, "fsfreeze", volume, Map.of("capture", "copy")));
        }
        default -> throw new IllegalStateException(kind.toString());
      }
      for (int f = 0; f < files; f++) {
        Files.write(volume.resolve("file-" + f), new byte[FILE_BYTES]);
      }
    }
  }

  private synchronized LoopFs add(LoopFs fs) throws IOException {
    if (closed) {
      // the shutdown hook ran while this was being made: undo it at once
      fs.close();
      throw new IOException("the bench is shutting down");
    }
    made.add(fs);
    return fs;
  }

  /** Each agent's volume by agent id, for the dev cluster; empty for {@code dir} (its own directories). */
  Map<String, VolumeConfig> configs() {
    return Map.copyOf(configs);
  }

  /**
   * Thaws, unmounts, detaches and deletes every file system made here, newest first, then deletes the data directory;
   * every step is attempted, the first failure thrown at the end.
   */
  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it closes too, and closing twice is harmless
    }
    undo();
  }

  private void closeFromHook() {
    try {
      undo();
    } catch (IOException e) {
      System.err.println("groupsnap: bench cleanup: " + e.getMessage());
    }
  }

  private synchronized void undo() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    for (int i = made.size() - 1; i >= 0; i--) {
      try {
        made.get(i).close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    try {
      deleteDataDir(dataDir);
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Deletes a bench cluster's data directory. An fsfreeze capture that outlived its cluster (a failed run) is
   * immutable ({@code chattr +i}): when the first attempt fails, the attribute is cleared under {@code dir} and the
   * delete tried once more.
   */
  private static void deleteDataDir(Path dir) throws IOException {
    try {
      FileTrees.delete(dir);
    } catch (IOException e) {
      try {
        LoopFs.run("chattr", "-R", "-i", dir.toString());
      } catch (IOException ignored) {
        // some entries cannot carry attributes (symbolic links, sockets): the second delete says what is left
      }
      FileTrees.delete(dir);
    }
  }
}
