package io.groupsnap.agent.testing.postgres;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A btrfs file system on a loop device of its own: a sparse image file, {@code losetup -f --show}, {@code mkfs.btrfs},
 * {@code mount}. {@link #close()} unmounts it, detaches exactly the loop device it attached (never any other) and
 * deletes the image, also after a failed test; whatever still runs on the file system must be stopped first.
 */
public final class LoopBtrfs implements AutoCloseable {
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private final Path image;
  private final Path mountPoint;
  private String device;
  private boolean mounted;
  private boolean closed;

  private LoopBtrfs(Path image, Path mountPoint) {
    this.image = image;
    this.mountPoint = mountPoint;
  }

  /**
   * Makes and mounts a btrfs file system of {@code sizeBytes} (at least 300 MB) in {@code dir}: image
   * {@code dir/btrfs.img}, mounted at {@code dir/mnt}.
   */
  public static LoopBtrfs create(Path dir, long sizeBytes) throws IOException {
    HostRequirements.requireBtrfsOnLoop();
    Files.createDirectories(dir);
    LoopBtrfs fs = new LoopBtrfs(dir.resolve("btrfs.img"), dir.resolve("mnt"));
    try {
      try (RandomAccessFile f = new RandomAccessFile(fs.image.toFile(), "rw")) {
        f.setLength(sizeBytes);
      }
      fs.device = Run.check(TOOL_TIMEOUT, "losetup", "-f", "--show", fs.image.toString()).strip();
      if (!fs.device.startsWith("/dev/loop")) {
        throw new IOException("losetup answered '" + fs.device + "', not a loop device");
      }
      Run.check(TOOL_TIMEOUT, "mkfs.btrfs", "-q", "-f", fs.device);
      Files.createDirectories(fs.mountPoint);
      Run.check(TOOL_TIMEOUT, "mount", "-t", "btrfs", fs.device, fs.mountPoint.toString());
      fs.mounted = true;
      return fs;
    } catch (IOException | RuntimeException e) {
      fs.close();
      throw e;
    }
  }

  public Path mountPoint() {
    return mountPoint;
  }

  public String device() {
    return device;
  }

  /** Creates subvolume {@code name} at the top of the file system. */
  public Path createSubvolume(String name) throws IOException {
    Path p = mountPoint.resolve(name);
    Run.check(TOOL_TIMEOUT, "btrfs", "subvolume", "create", p.toString());
    return p;
  }

  /** True when {@code path} is a read-only btrfs subvolume. */
  public static boolean isReadOnlySubvolume(Path path) throws IOException {
    String out = Run.check(TOOL_TIMEOUT, "btrfs", "property", "get", "-ts", path.toString(), "ro");
    return out.strip().equals("ro=true");
  }

  /** Unmounts, detaches this object's loop device, deletes the image; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    if (mounted) {
      String why = unmount();
      if (why != null) {
        problems.add(why);
      } else {
        mounted = false;
      }
    }
    if (device != null && !mounted) {
      io.groupsnap.agent.kinds.CommandRunner.Result r = Run.quietly(TOOL_TIMEOUT, "losetup", "-d", device);
      if (!r.ok()) {
        problems.add("losetup -d " + device + ": " + r.lastLine());
      }
    }
    if (!mounted) {
      Files.deleteIfExists(image);
      Files.deleteIfExists(mountPoint);
    }
    if (!problems.isEmpty()) {
      throw new IOException("cleaning up " + image + ": " + String.join("; ", problems));
    }
  }

  /** Null when unmounted; retries a busy file system for a while (a server that has just exited). */
  private String unmount() {
    String[] last = {""};
    try {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            io.groupsnap.agent.kinds.CommandRunner.Result r = Run.quietly(TOOL_TIMEOUT, "umount",
                mountPoint.toString());
            last[0] = r.lastLine();
            return r.ok();
          });
      return null;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return "umount " + mountPoint + ": " + last[0];
    }
  }
}
