package io.groupsnap.coordinator;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.Names;
import java.time.Duration;

/**
 * A coordinator's settings.
 *
 * @param cluster the cluster name (ZooKeeper namespace)
 * @param zookeeper ZooKeeper connect string
 * @param listen where the CoordinatorService listens; port 0 picks a free port
 * @param advertise the address others use to reach it, or null to derive it from {@code listen}
 * @param prepareTimeout default deadline for PREPARE
 * @param freezeTimeout default deadline for FROZEN answers
 * @param thawTimeout deadline for THAW answers
 * @param finishTimeout deadline for COMMIT and ABORT acknowledgements
 * @param zkWait how long to wait for ZooKeeper at start
 * @param resolveInterval how often the leader finishes records left unfinished (by itself or a predecessor)
 * @param forgetAgentsAfter how long an agent the cluster knows may stay unregistered before it is forgotten (until
 *     then a group snapshot of every agent refuses to start without it, unless the request allows missing agents)
 */
public record CoordinatorConfig(String cluster, String zookeeper, HostPort listen, HostPort advertise,
    Duration prepareTimeout, Duration freezeTimeout, Duration thawTimeout, Duration finishTimeout, Duration zkWait,
    Duration resolveInterval, Duration forgetAgentsAfter) {
  public static final Duration DEFAULT_FORGET_AGENTS_AFTER = Duration.ofHours(24);
  public static final Duration MIN_FREEZE_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_FREEZE_TIMEOUT = Duration.ofMinutes(10);

  public CoordinatorConfig {
    Names.require("cluster", cluster);
    if (resolveInterval.isZero() || resolveInterval.isNegative()) {
      throw new IllegalArgumentException("resolveInterval must be positive, not " + resolveInterval);
    }
    if (forgetAgentsAfter.isZero() || forgetAgentsAfter.isNegative()) {
      throw new IllegalArgumentException("forgetAgentsAfter must be positive, not " + forgetAgentsAfter);
    }
  }

  /** Settings that forget unregistered agents after {@link #DEFAULT_FORGET_AGENTS_AFTER}. */
  public CoordinatorConfig(String cluster, String zookeeper, HostPort listen, HostPort advertise,
      Duration prepareTimeout, Duration freezeTimeout, Duration thawTimeout, Duration finishTimeout, Duration zkWait,
      Duration resolveInterval) {
    this(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout, finishTimeout, zkWait,
        resolveInterval, DEFAULT_FORGET_AGENTS_AFTER);
  }

  /**
   * Defaults: prepare 30s, freeze 10s, thaw 5s, finish 10s, ZooKeeper wait 15s, resolve every 30s, forget agents
   * unregistered for 24h.
   */
  public static CoordinatorConfig defaults(String cluster, String zookeeper, HostPort listen) {
    return new CoordinatorConfig(cluster, zookeeper, listen, null, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30));
  }

  public CoordinatorConfig withZkWait(Duration wait) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, wait, resolveInterval, forgetAgentsAfter);
  }

  public CoordinatorConfig withTimeouts(Duration prepare, Duration freeze, Duration thaw, Duration finish) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepare, freeze, thaw, finish, zkWait,
        resolveInterval, forgetAgentsAfter);
  }

  public CoordinatorConfig withResolveInterval(Duration every) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, every, forgetAgentsAfter);
  }

  public CoordinatorConfig withForgetAgentsAfter(Duration after) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, resolveInterval, after);
  }
}
