package io.groupsnap.agent.kinds;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An application writer. The command fields are those of {@code kind: exec} (argument vectors run without a shell);
 * other kinds take their settings from {@code options}, validated by the kind.
 *
 * @param name unique on the agent
 * @param kind {@code exec}, {@code cgroup}, …
 * @param tier frozen in ascending tier order, thawed in reverse
 * @param volumes the volumes it writes to; empty means all of the agent's volumes
 * @param prepare optional command run at prepare (slow work such as a checkpoint belongs here)
 * @param freeze command that returns once the application holds its writes
 * @param thaw command that releases the hold
 * @param abort optional command run when the transaction aborts
 * @param timeout limit for each command
 * @param retryableExitCodes exit codes that mean "try again later"; other non-zero codes are final
 * @param options kind-specific settings
 */
public record WriterConfig(
    String name,
    String kind,
    int tier,
    Set<String> volumes,
    List<String> prepare,
    List<String> freeze,
    List<String> thaw,
    List<String> abort,
    Duration timeout,
    Set<Integer> retryableExitCodes,
    java.util.Map<String, String> options) {
  public WriterConfig {
    volumes = Set.copyOf(volumes);
    prepare = List.copyOf(prepare);
    freeze = List.copyOf(freeze);
    thaw = List.copyOf(thaw);
    abort = List.copyOf(abort);
    retryableExitCodes = Set.copyOf(retryableExitCodes);
    options = java.util.Map.copyOf(options);
  }

  /** The writer's configuration without kind-specific settings (kinds other than {@code exec}). */
  public static WriterConfig of(String name, String kind, int tier, Set<String> volumes, Duration timeout,
      java.util.Map<String, String> options) {
    return new WriterConfig(name, kind, tier, volumes, List.of(), List.of(), List.of(), List.of(), timeout, Set.of(75),
        options);
  }
}
