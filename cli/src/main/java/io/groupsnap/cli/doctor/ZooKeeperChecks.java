package io.groupsnap.cli.doctor;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.common.Durations;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.ZkAuth;
import io.groupsnap.common.zkauth.ZkCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * ZooKeeper reached with the agent's configured credentials (the shared {@code agents} user; the agent's own secret is
 * not needed to read), the cluster's record read, and this host's clock compared with ZooKeeper's.
 *
 * <p><b>Clock offset.</b> ZooKeeper shows its time only as the {@code mtime} it stamps on a write; no read reveals it.
 * The one write an agent's credentials allow inside the cluster's tree is a registration under {@code agents/}, which
 * coordinators would take for an agent, so the probe is written outside the cluster's tree: an ephemeral, empty node
 * {@code /groupsnap-doctor-<random>} at the top of the connect string's root, deleted at once (and by ZooKeeper with
 * the session, should the doctor die). The offset is its {@code mtime} minus the middle of the local times before and
 * after the create, give or take half that round trip. When ZooKeeper's ACL refuses the node, the check is SKIPPED with
 * the reason. The group snapshot protocol needs no clock agreement; a clock off by more than {@link #CLOCK_WARN} only
 * makes the freeze window figures and capture times agents report disagree, hence WARN and never FAIL.
 */
final class ZooKeeperChecks {
  static final Duration CLOCK_WARN = Duration.ofSeconds(1);
  static final String PROBE_PREFIX = "/groupsnap-doctor-";

  private final Duration wait;
  private final Clock clock;

  ZooKeeperChecks(Duration wait, Clock clock) {
    this.wait = wait;
    this.clock = clock;
  }

  List<Finding> check(AgentConfig config) {
    String subject = config.zookeeper();
    ZkAuth auth = null;
    if (config.zookeeperAuth() != null) {
      try {
        auth = new ZkAuth(ZkCredentials.load(config.zookeeperAuth()).require(ZkCredentials.AGENTS, "an agent"), null);
      } catch (CredentialsFileException e) {
        return List.of(Finding.fail("zookeeper", subject, "zookeeperAuth: " + e.getMessage()));
      }
    }
    CuratorFramework zk;
    try {
      zk = ZkClients.connect(config.zookeeper(), wait, config.zookeeperSessionTimeout(), auth);
    } catch (ZkClients.UnreachableException e) {
      return List.of(Finding.fail("zookeeper", subject, e.getMessage()),
          Finding.skipped("clock offset", subject, "ZooKeeper not reached"));
    }
    try (zk) {
      List<Finding> out = new ArrayList<>();
      out.add(cluster(zk, new ZkLayout(config.cluster()), subject, auth != null));
      out.add(clockOffset(zk, subject));
      return out;
    }
  }

  private Finding cluster(CuratorFramework zk, ZkLayout layout, String subject, boolean authenticated) {
    String how = authenticated ? "as agents" : "anonymously";
    try {
      zk.sync().forPath(layout.base());
      if (zk.checkExists().forPath(layout.cluster()) == null) {
        return Finding.warn("zookeeper", subject, "reached " + how + ", but " + layout.cluster() + " does not exist: "
            + "no coordinator has set cluster " + layout.base() + " up yet");
      }
      zk.getData().forPath(layout.cluster());
      return Finding.ok("zookeeper", subject, "reached " + how + "; " + layout.cluster() + " readable");
    } catch (KeeperException.NoAuthException e) {
      return Finding.fail("zookeeper", subject, "reached " + how + ", but refused reading " + layout.cluster()
          + ": check zookeeperAuth holds this cluster's agents password");
    } catch (Exception e) {
      return Finding.fail("zookeeper", subject, "reached " + how + ", but reading " + layout.cluster() + " failed: "
          + e.getMessage());
    }
  }

  private Finding clockOffset(CuratorFramework zk, String subject) {
    String probe = PROBE_PREFIX + UUID.randomUUID();
    Stat stat = new Stat();
    long before = clock.millis();
    try {
      zk.create().storingStatIn(stat).withMode(CreateMode.EPHEMERAL).forPath(probe);
    } catch (KeeperException.NoAuthException e) {
      return Finding.skipped("clock offset", subject, "ZooKeeper's ACL on the root refuses the probe node " + probe
          + " and no read shows ZooKeeper's time");
    } catch (Exception e) {
      return Finding.skipped("clock offset", subject, "probe node " + probe + " not written: " + e.getMessage());
    }
    long after = clock.millis();
    try {
      zk.delete().forPath(probe);
    } catch (Exception e) {
      // ephemeral: ZooKeeper removes it when the session closes just below
    }
    long offset = stat.getMtime() - (before + after) / 2;
    long slack = (after - before + 1) / 2;
    String figure = "local clock is " + Durations.format(Duration.ofMillis(Math.abs(offset)))
        + (offset > 0 ? " behind" : " ahead of") + " ZooKeeper's (offset " + offset + "ms, ±" + slack + "ms)";
    if (offset == 0) {
      figure = "local clock agrees with ZooKeeper's (offset 0ms, ±" + slack + "ms)";
    }
    return Math.abs(offset) - slack > CLOCK_WARN.toMillis()
        ? Finding.warn("clock offset", subject, figure + "; synchronise it (NTP)")
        : Finding.ok("clock offset", subject, figure);
  }
}
