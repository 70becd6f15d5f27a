package io.groupsnap.coordinator;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkClients;
import io.groupsnap.coordinator.groupcheck.GroupChecks;
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
 * @param scrubInterval how often the leader checks that every committed group snapshot's captures are still there
 *     and unchanged
 * @param forgetAgentsAfter how long an agent the cluster knows may stay unregistered before it is forgotten (until
 *     then a group snapshot of every agent refuses to start without it, unless the request allows missing agents)
 * @param zkSessionTimeout the ZooKeeper session timeout: how long a killed leader keeps its leadership, so most of the
 *     failover time (docs/operations.md); within {@link ZkClients#MIN_SESSION_TIMEOUT} and
 *     {@link ZkClients#MAX_SESSION_TIMEOUT}
 * @param groupChecks the test restores' group checks ({@code groupVerify:} of the settings file), run by the leader
 */
public record CoordinatorConfig(String cluster, String zookeeper, HostPort listen, HostPort advertise,
    Duration prepareTimeout, Duration freezeTimeout, Duration thawTimeout, Duration finishTimeout, Duration zkWait,
    Duration resolveInterval, Duration scrubInterval, Duration forgetAgentsAfter, Duration zkSessionTimeout,
    GroupChecks groupChecks) {
  public static final Duration MIN_FREEZE_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_FREEZE_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_SCRUB_INTERVAL = Duration.ofHours(1);
  /** Below this a scrub would keep agents walking their captures (tests use it). */
  public static final Duration MIN_SCRUB_INTERVAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_FORGET_AGENTS_AFTER = Duration.ofHours(24);

  public CoordinatorConfig {
    Names.require("cluster", cluster);
    if (resolveInterval.isZero() || resolveInterval.isNegative()) {
      throw new IllegalArgumentException("resolveInterval must be positive, not " + resolveInterval);
    }
    if (scrubInterval.compareTo(MIN_SCRUB_INTERVAL) < 0) {
      throw new IllegalArgumentException("scrub interval " + scrubInterval.toMillis() + "ms is shorter than "
          + MIN_SCRUB_INTERVAL.toMillis() + "ms");
    }
    if (forgetAgentsAfter.isZero() || forgetAgentsAfter.isNegative()) {
      throw new IllegalArgumentException("forgetAgentsAfter must be positive, not " + forgetAgentsAfter);
    }
    ZkClients.requireSessionTimeout("zkSessionTimeout", zkSessionTimeout);
    java.util.Objects.requireNonNull(groupChecks, "groupChecks");
  }

  /** Settings without group checks. */
  public CoordinatorConfig(String cluster, String zookeeper, HostPort listen, HostPort advertise,
      Duration prepareTimeout, Duration freezeTimeout, Duration thawTimeout, Duration finishTimeout, Duration zkWait,
      Duration resolveInterval, Duration scrubInterval, Duration forgetAgentsAfter, Duration zkSessionTimeout) {
    this(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout, finishTimeout, zkWait,
        resolveInterval, scrubInterval, forgetAgentsAfter, zkSessionTimeout, GroupChecks.NONE);
  }

  /** Settings with the default ZooKeeper session timeout ({@link ZkClients#SESSION_TIMEOUT}). */
  public CoordinatorConfig(String cluster, String zookeeper, HostPort listen, HostPort advertise,
      Duration prepareTimeout, Duration freezeTimeout, Duration thawTimeout, Duration finishTimeout, Duration zkWait,
      Duration resolveInterval, Duration scrubInterval, Duration forgetAgentsAfter) {
    this(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout, finishTimeout, zkWait,
        resolveInterval, scrubInterval, forgetAgentsAfter, ZkClients.SESSION_TIMEOUT);
  }

  /** Settings that forget unregistered agents after {@link #DEFAULT_FORGET_AGENTS_AFTER}. */
  public CoordinatorConfig(String cluster, String zookeeper, HostPort listen, HostPort advertise,
      Duration prepareTimeout, Duration freezeTimeout, Duration thawTimeout, Duration finishTimeout, Duration zkWait,
      Duration resolveInterval, Duration scrubInterval) {
    this(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout, finishTimeout, zkWait,
        resolveInterval, scrubInterval, DEFAULT_FORGET_AGENTS_AFTER);
  }

  /**
   * Defaults: prepare 30s, freeze 10s, thaw 5s, finish 10s, ZooKeeper wait 15s, resolve every 30s, scrub hourly,
   * forget agents unregistered for 24h.
   */
  public static CoordinatorConfig defaults(String cluster, String zookeeper, HostPort listen) {
    return new CoordinatorConfig(cluster, zookeeper, listen, null, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
        DEFAULT_SCRUB_INTERVAL, DEFAULT_FORGET_AGENTS_AFTER, ZkClients.SESSION_TIMEOUT);
  }

  public CoordinatorConfig withZkWait(Duration wait) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, wait, resolveInterval, scrubInterval, forgetAgentsAfter, zkSessionTimeout, groupChecks);
  }

  public CoordinatorConfig withTimeouts(Duration prepare, Duration freeze, Duration thaw, Duration finish) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepare, freeze, thaw, finish, zkWait,
        resolveInterval, scrubInterval, forgetAgentsAfter, zkSessionTimeout, groupChecks);
  }

  public CoordinatorConfig withResolveInterval(Duration every) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, every, scrubInterval, forgetAgentsAfter, zkSessionTimeout, groupChecks);
  }

  public CoordinatorConfig withScrubInterval(Duration every) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, resolveInterval, every, forgetAgentsAfter, zkSessionTimeout, groupChecks);
  }

  public CoordinatorConfig withForgetAgentsAfter(Duration after) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, resolveInterval, scrubInterval, after, zkSessionTimeout, groupChecks);
  }

  public CoordinatorConfig withZkSessionTimeout(Duration timeout) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, resolveInterval, scrubInterval, forgetAgentsAfter, timeout, groupChecks);
  }

  public CoordinatorConfig withGroupChecks(GroupChecks checks) {
    return new CoordinatorConfig(cluster, zookeeper, listen, advertise, prepareTimeout, freezeTimeout, thawTimeout,
        finishTimeout, zkWait, resolveInterval, scrubInterval, forgetAgentsAfter, zkSessionTimeout, checks);
  }
}
