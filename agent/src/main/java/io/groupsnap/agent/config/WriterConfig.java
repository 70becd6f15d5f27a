package io.groupsnap.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An application writer run through commands ({@code kind: exec}). Commands are argument vectors run without a shell.
 *
 * @param name unique on the agent
 * @param kind {@code exec}
 * @param tier frozen in ascending tier order, thawed in reverse
 * @param volumes the volumes it writes to; empty means all of the agent's volumes
 * @param prepare optional command run at prepare (slow work such as a checkpoint belongs here)
 * @param freeze command that returns once the application holds its writes
 * @param thaw command that releases the hold
 * @param abort optional command run when the transaction aborts
 * @param timeout limit for each command
 * @param retryableExitCodes exit codes that mean "try again later"; other non-zero codes are final
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
    Set<Integer> retryableExitCodes) {
  public WriterConfig {
    volumes = Set.copyOf(volumes);
    prepare = List.copyOf(prepare);
    freeze = List.copyOf(freeze);
    thaw = List.copyOf(thaw);
    abort = List.copyOf(abort);
    retryableExitCodes = Set.copyOf(retryableExitCodes);
  }
}
