package io.groupsnap.agent.kinds;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * An application writer: what every writer has, and its kind's settings as text, which the kind reads
 * ({@link WriterKind#parse}).
 *
 * @param name unique on the agent
 * @param kind {@code exec}, {@code cgroup}, …
 * @param tier frozen in ascending tier order, thawed in reverse
 * @param volumes the volumes it writes to; empty means all of the agent's volumes
 * @param timeout limit for each call into the writer (each command of kind {@code exec})
 * @param options the kind's settings: those under {@code options:}, and the writer's own fields that its kind takes
 *     as options ({@link WriterKind#commandFields()}: exec's {@code freeze: [...]} is kept under {@code freeze} as
 *     JSON text)
 */
public record WriterConfig(String name, String kind, int tier, Set<String> volumes, Duration timeout,
    Map<String, String> options) {
  public WriterConfig {
    volumes = Set.copyOf(volumes);
    options = Map.copyOf(options);
  }
}
