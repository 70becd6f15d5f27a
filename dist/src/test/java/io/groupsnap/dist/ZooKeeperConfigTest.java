package io.groupsnap.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.coordinator.CoordinatorConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/zookeeper/zoo.cfg: ZooKeeper's own parser accepts it as a three-server ensemble, it sets nothing ZooKeeper
 * would not know (a misspelt key would silently become a system property), and its session bounds keep the
 * relations its comments state against groupsnap's own constants: the default session timeout is never clamped, a
 * session ends before the default lease would, none outlasts the longest lease an agent admits by default, and a
 * lagging follower is dropped well within a session. The connect strings of every shipped configuration name the
 * same servers.
 */
class ZooKeeperConfigTest {
  static final Path ZOO_CFG = Path.of("../deploy/zookeeper/zoo.cfg");
  private static final Pattern SERVER = Pattern.compile("server\\.(\\d+)");
  private static final Pattern SERVER_VALUE = Pattern.compile("([A-Za-z0-9.-]+):(\\d+):(\\d+)");
  /** The keys zoo.cfg may set: ZooKeeper's names, so that a misspelling fails here instead of being ignored. */
  private static final Set<String> KNOWN = Set.of("tickTime", "initLimit", "syncLimit", "dataDir", "dataLogDir",
      "clientPort", "minSessionTimeout", "maxSessionTimeout", "autopurge.snapRetainCount", "autopurge.purgeInterval",
      "maxClientCnxns", "4lw.commands.whitelist", "admin.enableServer");

  @TempDir Path tmp;

  @Test
  void zookeepersOwnParser_acceptsItAsAThreeServerEnsemble() throws Exception {
    QuorumPeerConfig parsed = parse(load());
    assertThat(parsed.getServers()).hasSize(3);
    assertThat(parsed.getServerId()).isEqualTo(1);
    assertThat(parsed.isDistributed()).isTrue();
  }

  @Test
  void everyKey_isOneZooKeeperKnows() throws IOException {
    for (String key : load().stringPropertyNames()) {
      assertThat(KNOWN.contains(key) || SERVER.matcher(key).matches()).as("zoo.cfg key %s", key).isTrue();
    }
  }

  @Test
  void sessionBounds_keepTheRelationsToGroupsnapsSessionTimeoutAndLease() throws Exception {
    QuorumPeerConfig zk = parse(load());
    Duration tick = Duration.ofMillis(zk.getTickTime());
    Duration min = Duration.ofMillis(zk.getMinSessionTimeout());
    Duration max = Duration.ofMillis(zk.getMaxSessionTimeout());
    CoordinatorConfig coordinator = CoordinatorConfig.defaults("default", "zk1:2181", new HostPort("0.0.0.0", 7300));
    Duration defaultLease = coordinator.freezeTimeout().plus(coordinator.thawTimeout());

    assertThat(min).as("minSessionTimeout: groupsnap's default session timeout is not raised")
        .isLessThanOrEqualTo(ZkClients.SESSION_TIMEOUT);
    assertThat(max).as("maxSessionTimeout: groupsnap's default session timeout is not lowered")
        .isGreaterThanOrEqualTo(ZkClients.SESSION_TIMEOUT);
    assertThat(min).as("minSessionTimeout: at least two ticks").isGreaterThanOrEqualTo(tick.multipliedBy(2));
    assertThat(min).as("minSessionTimeout within what groupsnap accepts")
        .isGreaterThanOrEqualTo(ZkClients.MIN_SESSION_TIMEOUT);
    assertThat(ZkClients.SESSION_TIMEOUT).as("a successor takes over before the default lease of %s ends",
        defaultLease).isLessThan(defaultLease);
    assertThat(max).as("maxSessionTimeout: no session outlasts the longest lease an agent admits by default")
        .isLessThanOrEqualTo(ConfigLoader.DEFAULT_MAX_LEASE)
        .isLessThanOrEqualTo(ZkClients.MAX_SESSION_TIMEOUT);
    assertThat(tick.multipliedBy(zk.getSyncLimit()).multipliedBy(2))
        .as("syncLimit: a lagging follower is dropped within half a session").isLessThanOrEqualTo(ZkClients.SESSION_TIMEOUT);
  }

  @Test
  void ensembleLines_areThreeDistinctServersWithTheSamePorts() throws IOException {
    Map<Integer, Matcher> servers = servers(load());
    assertThat(servers.keySet()).containsExactly(1, 2, 3);
    assertThat(servers.values().stream().map(m -> m.group(1)).distinct()).hasSize(3);
    assertThat(servers.values().stream().map(m -> m.group(2) + ":" + m.group(3)).distinct()).hasSize(1);
    Matcher any = servers.get(1);
    assertThat(any.group(2)).isNotEqualTo(any.group(3));
    assertThat(any.group(2)).isNotEqualTo(load().getProperty("clientPort"));
  }

  @Test
  void housekeeping_purgesSnapshots_andOnlyTheMonitoringWordsAreAllowed() throws IOException {
    Properties p = load();
    assertThat(Integer.parseInt(p.getProperty("autopurge.snapRetainCount"))).isGreaterThanOrEqualTo(3);
    assertThat(Integer.parseInt(p.getProperty("autopurge.purgeInterval"))).isPositive();
    assertThat(List.of(p.getProperty("4lw.commands.whitelist").split(",")))
        .containsExactlyInAnyOrder("srvr", "ruok", "mntr");
    assertThat(p.getProperty("admin.enableServer")).isEqualTo("false");
  }

  @Test
  void everyShippedConnectString_namesTheEnsemblesServersAndClientPort() throws IOException {
    Properties p = load();
    List<String> expected = new ArrayList<>();
    servers(p).values().forEach(m -> expected.add(m.group(1) + ":" + p.getProperty("clientPort")));
    String connect = String.join(",", expected);
    Pattern anyConnect = Pattern.compile("zk\\d[A-Za-z0-9.-]*:\\d+(,[A-Za-z0-9.-]+:\\d+)*");
    for (Path f : List.of(Path.of("../deploy/config/agent.yaml"), Path.of("../deploy/config/coordinator.env"),
        Path.of("../deploy/kubernetes/agent-configmap.yaml"),
        Path.of("../deploy/kubernetes/coordinator-statefulset.yaml"))) {
      Matcher m = anyConnect.matcher(Files.readString(f));
      int found = 0;
      while (m.find()) {
        assertThat(m.group()).as("connect string in %s", f).isEqualTo(connect);
        found++;
      }
      assertThat(found).as("connect strings in %s", f).isPositive();
    }
  }

  static Properties load() throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(ZOO_CFG)) {
      p.load(r);
    }
    return p;
  }

  private static Map<Integer, Matcher> servers(Properties p) {
    Map<Integer, Matcher> out = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      Matcher k = SERVER.matcher(key);
      if (k.matches()) {
        Matcher v = SERVER_VALUE.matcher(p.getProperty(key));
        assertThat(v.matches()).as("%s=%s is HOST:PORT:PORT", key, p.getProperty(key)).isTrue();
        out.put(Integer.parseInt(k.group(1)), v);
      }
    }
    return out;
  }

  /** ZooKeeper's parser, as server 1 with its dataDir (and myid) in a temporary directory. */
  private QuorumPeerConfig parse(Properties p) throws Exception {
    Files.writeString(tmp.resolve("myid"), "1\n");
    p.setProperty("dataDir", tmp.toString());
    QuorumPeerConfig config = new QuorumPeerConfig();
    config.parseProperties(p);
    return config;
  }
}
