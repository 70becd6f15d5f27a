package io.groupsnap.agent.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * One volume the agent captures.
 *
 * @param name unique on the agent; a valid name
 * @param kind the provider: {@code dir} so far
 * @param path the directory (or mount point) to capture, absolute
 * @param options kind-specific settings, validated by the provider
 */
public record VolumeConfig(String name, String kind, Path path, Map<String, String> options) {
  public VolumeConfig {
    options = Map.copyOf(options);
  }
}
