package io.groupsnap.agent.export;

import java.util.List;

/**
 * The agent's export configuration: its targets ({@code exports:}) and how many exports it runs at once
 * ({@code exportConcurrency:}). Immutable.
 */
public record ExportsConfig(List<ExportTargetConfig> targets, int concurrency) {
  /** No targets, one export at a time. */
  public static final ExportsConfig NONE = new ExportsConfig(List.of(), 1);
  public static final int MAX_CONCURRENCY = 64;

  public ExportsConfig {
    targets = List.copyOf(targets);
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new IllegalArgumentException("exportConcurrency must be within 1.." + MAX_CONCURRENCY);
    }
  }

  /** The target named {@code name}, or null. */
  public ExportTargetConfig target(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }
}
