package io.groupsnap.coordinator.groupcheck;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The group checks of test restores, from the coordinator's own configuration ({@code groupVerify:}): by group name,
 * or {@link #ANY_GROUP} for every group without an entry of its own, the command the leader runs once every member's
 * copy has passed its own checks, with every member's scratch path. Only commands named here are ever run: a request
 * carries none. Immutable.
 */
public record GroupChecks(Map<String, Check> byGroup) {
  /** The key of the entry that applies to every group without one of its own (and to a bare group snapshot). */
  public static final String ANY_GROUP = "*";
  /** What {@code {paths}} in a command stands for: one argument {@code AGENT:VOLUME=PATH} per member. */
  public static final String PATHS = "{paths}";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  /** No group checks. */
  public static final GroupChecks NONE = new GroupChecks(Map.of());

  /**
   * One group's check.
   *
   * @param key the entry's key: a group name or {@link #ANY_GROUP}
   * @param argv the command, started directly (no shell); one argument is exactly {@link #PATHS}
   * @param timeout how long it may run before it is killed and the verdict is FAILED
   */
  public record Check(String key, List<String> argv, Duration timeout) {
    public Check {
      argv = List.copyOf(argv);
      String at = "groupVerify." + key;
      if (argv.isEmpty() || argv.get(0).isBlank()) {
        throw new IllegalArgumentException(at + ".command: must name a program");
      }
      if (argv.stream().filter(PATHS::equals).count() != 1) {
        throw new IllegalArgumentException(at + ".command: must have " + PATHS
            + " as one whole argument, exactly once (it becomes one AGENT:VOLUME=PATH argument per member)");
      }
      for (int i = 0; i < argv.size(); i++) {
        if (argv.get(i).chars().anyMatch(c -> c == 0)) {
          throw new IllegalArgumentException(at + ".command[" + i + "]: contains a NUL character");
        }
      }
      if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(at + ".timeout: " + io.groupsnap.common.Durations.format(timeout)
            + " is outside 1s..24h");
      }
    }

    /** The command with {@link #PATHS} expanded to {@code members} (each {@code AGENT:VOLUME=PATH}), in order. */
    public List<String> expand(List<String> members) {
      return argv.stream().flatMap(a -> a.equals(PATHS) ? members.stream() : java.util.stream.Stream.of(a)).toList();
    }
  }

  public GroupChecks {
    byGroup = Map.copyOf(new TreeMap<>(byGroup));
    byGroup.forEach((k, c) -> {
      if (!k.equals(c.key())) {
        throw new IllegalArgumentException("groupVerify." + k + ": its check is keyed " + c.key());
      }
    });
  }

  /** The check of {@code group} (empty: a group snapshot not taken by a backup run): its own entry, else "*". */
  public Optional<Check> forGroup(String group) {
    Check own = group.isEmpty() ? null : byGroup.get(group);
    return Optional.ofNullable(own != null ? own : byGroup.get(ANY_GROUP));
  }
}
