package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Test-only volume: a btrfs subvolume captured with {@code btrfs subvolume snapshot -r} into a directory of the same
 * file system, one read-only snapshot per group snapshot ({@code <snapshotDir>/<id>}). Atomic on its own, so it needs
 * no holder and never freezes the file system.
 */
final class ReadOnlySnapshotVolume implements Volume {
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private final String name;
  private final Path subvolume;
  private final Path snapshotDir;
  private final CommandRunner commands = CommandRunner.system();

  ReadOnlySnapshotVolume(String name, Path subvolume, Path snapshotDir) {
    this.name = name;
    this.subvolume = subvolume;
    this.snapshotDir = snapshotDir;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "test-btrfs-ro";
  }

  @Override
  public Path path() {
    return subvolume;
  }

  @Override
  public boolean needsHolder() {
    return false;
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return snapshotDir.resolve(groupSnapshotId);
  }

  @Override
  public boolean owns(Path location) {
    return Captures.isChildOf(snapshotDir, location);
  }

  @Override
  public void check(Path target) throws VolumeException {
    if (!Files.isDirectory(subvolume)) {
      throw new VolumeException(subvolume + " does not exist", false);
    }
    if (commands.which("btrfs").isEmpty()) {
      throw new VolumeException("btrfs not found", false);
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException(target + " already exists", false);
    }
    try {
      Files.createDirectories(snapshotDir);
    } catch (IOException e) {
      throw new VolumeException("cannot create " + snapshotDir + ": " + e.getMessage(), false);
    }
  }

  @Override
  public Frozen freeze() {
    return Frozen.NONE;
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    try {
      CommandRunner.Result r = commands.run(List.of("btrfs", "subvolume", "snapshot", "-r", subvolume.toString(),
          target.toString()), TOOL_TIMEOUT);
      if (!r.ok()) {
        throw new VolumeException("btrfs subvolume snapshot: " + r.lastLine(), true);
      }
    } catch (IOException e) {
      throw new VolumeException("btrfs: " + e.getMessage(), true);
    }
    return target;
  }

  @Override
  public void delete(Path capture) throws IOException {
    if (!Files.exists(capture, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    CommandRunner.Result r = commands.run(List.of("btrfs", "subvolume", "delete", capture.toString()), TOOL_TIMEOUT);
    if (!r.ok()) {
      throw new IOException("btrfs subvolume delete " + capture + ": " + r.lastLine());
    }
  }

  @Override
  public List<Found> listCaptures() throws IOException {
    return Captures.listDirectory(snapshotDir);
  }
}
