package io.groupsnap.cli.doctor;

import io.groupsnap.agent.config.AgentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Room in the snapshot root (WARN under {@value #WARN_PERCENT} % free, FAIL under {@value #FAIL_PERCENT} %) and a state
 * directory the agent can write: a temporary file is made in it and removed.
 */
final class StorageChecks {
  static final double WARN_PERCENT = 10;
  static final double FAIL_PERCENT = 2;

  private final HostProbe host;

  StorageChecks(HostProbe host) {
    this.host = host;
  }

  List<Finding> check(AgentConfig config) {
    return List.of(space(config.snapshotRoot()), stateDir(config.stateDir()));
  }

  private Finding space(Path root) {
    Path existing = root.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return Finding.fail("free space", root.toString(), "no part of the path exists");
    }
    HostProbe.Space s;
    try {
      s = host.space(existing);
    } catch (IOException e) {
      return Finding.fail("free space", root.toString(), "cannot be measured: " + e.getMessage());
    }
    String figure = String.format(Locale.ROOT, "%d bytes free of %d (%.1f %%)%s", s.usable(), s.total(),
        s.freePercent(), existing.equals(root) ? "" : ", on " + existing + " (the root does not exist yet)");
    if (s.freePercent() < FAIL_PERCENT) {
      return Finding.fail("free space", root.toString(), figure + "; under " + (int) FAIL_PERCENT + " %");
    }
    if (s.freePercent() < WARN_PERCENT) {
      return Finding.warn("free space", root.toString(), figure + "; under " + (int) WARN_PERCENT + " %");
    }
    return Finding.ok("free space", root.toString(), figure);
  }

  private static Finding stateDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      return parent != null && Files.isWritable(parent)
          ? Finding.ok("state dir", dir.toString(), "does not exist yet; the agent creates it")
          : Finding.fail("state dir", dir.toString(), "does not exist and its parent is not writable");
    }
    try {
      Files.delete(Files.createTempFile(dir, ".doctor-", ".tmp"));
      return Finding.ok("state dir", dir.toString(), "writable");
    } catch (IOException e) {
      return Finding.fail("state dir", dir.toString(), "not writable: " + e.getMessage());
    }
  }
}
