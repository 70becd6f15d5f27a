package io.groupsnap.devkit.cluster;

import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dev and demo agents on a real btrfs: each agent's volume is a subvolume of its own under
 * {@code <mount>/groupsnap-dev-<pid>/}, captured by the {@code btrfs} volume kind as read-only snapshots into a
 * directory of its own on the same file system. Needs root (creating and snapshotting subvolumes). {@link #close}
 * deletes every subvolume and directory it made, snapshots first; nothing else on the file system is touched.
 */
public final class BtrfsDemoVolumes implements AutoCloseable {
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private final Path btrfsTool;
  private final Path base;
  private final Map<String, VolumeConfig> volumes = new LinkedHashMap<>();
  private final List<Path> subvolumes = new ArrayList<>();

  private BtrfsDemoVolumes(Path base, Path btrfsTool) {
    this.base = base;
    this.btrfsTool = btrfsTool;
  }

  /**
   * Makes one subvolume per agent on the btrfs mounted at {@code mount}.
   *
   * @throws DevkitException (bad input, naming {@code --btrfs}) when {@code mount} is not a btrfs, the process is not
   *     root or the tool is missing
   */
  public static BtrfsDemoVolumes create(Path mount, int agents) throws IOException, DevkitException {
    Path m = mount.toAbsolutePath().normalize();
    if (!Files.isDirectory(m, LinkOption.NOFOLLOW_LINKS)) {
      throw badInput("--btrfs: " + m + " is not a directory");
    }
    String type = Files.getFileStore(m).type();
    if (!"btrfs".equals(type)) {
      throw badInput("--btrfs: " + m + " is on a " + type + " file system, not btrfs");
    }
    if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
      throw badInput("--btrfs: creating and snapshotting subvolumes needs root");
    }
    Path tool = Tools.which("btrfs")
        .orElseThrow(() -> badInput("--btrfs: the btrfs tool is not installed (package btrfs-progs)"));
    BtrfsDemoVolumes v = new BtrfsDemoVolumes(m.resolve("groupsnap-dev-" + ProcessHandle.current().pid()), tool);
    try {
      Files.createDirectory(v.base);
      for (int i = 1; i <= agents; i++) {
        String id = "agent-" + i;
        Path sub = v.base.resolve(id);
        v.btrfs("subvolume", "create", sub.toString());
        v.subvolumes.add(sub);
        Path snapshots = Files.createDirectory(v.base.resolve("snapshots-" + id));
        v.volumes.put(id, new VolumeConfig(DevCluster.VOLUME, "btrfs", sub,
            Map.of("snapshotDir", snapshots.toString())));
      }
      return v;
    } catch (IOException | RuntimeException e) {
      v.close();
      throw e;
    }
  }

  private static DevkitException badInput(String message) {
    return new DevkitException(DevkitException.Kind.BAD_INPUT, message);
  }

  /** Each agent's volume, by agent id. */
  public Map<String, VolumeConfig> volumes() {
    return Map.copyOf(volumes);
  }

  private void btrfs(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of(btrfsTool.toString()));
    argv.addAll(List.of(args));
    try {
      Tools.run(argv, TOOL_TIMEOUT);
    } catch (IOException e) {
      throw new IOException("btrfs " + String.join(" ", args) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> doomed = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "snapshots-*")) {
      for (Path d : dirs) {
        try (DirectoryStream<Path> snaps = Files.newDirectoryStream(d)) {
          snaps.forEach(doomed::add);
        }
      }
    } catch (IOException e) {
      System.err.println("groupsnap: could not list snapshots under " + base + ": " + e.getMessage());
    }
    doomed.addAll(subvolumes);
    for (Path p : doomed) {
      try {
        btrfs("subvolume", "delete", p.toString());
      } catch (IOException e) {
        System.err.println("groupsnap: could not delete subvolume " + p + ": " + e.getMessage());
      }
    }
    try {
      FileTrees.delete(base);
    } catch (IOException e) {
      System.err.println("groupsnap: could not remove " + base + ": " + e.getMessage());
    }
  }
}
