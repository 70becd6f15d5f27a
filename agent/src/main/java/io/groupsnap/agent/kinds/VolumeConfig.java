package io.groupsnap.agent.kinds;

import java.nio.file.Path;
import java.util.Map;

/**
 * One volume the agent captures.
 *
 * @param name unique on the agent; a valid name
 * @param kind the provider: {@code dir}, {@code lvm}, {@code zfs}, {@code exec}, …
 * @param path the directory (or mount point) to capture, absolute
 * @param options kind-specific settings, validated by the provider; a list-valued option (an argument vector) is
 *     kept as its JSON array text
 */
public record VolumeConfig(String name, String kind, Path path, Map<String, String> options) {
  public VolumeConfig {
    options = Map.copyOf(options);
  }
}
