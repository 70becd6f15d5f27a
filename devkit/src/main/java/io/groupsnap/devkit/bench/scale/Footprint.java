package io.groupsnap.devkit.bench.scale;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.cluster.EmbeddedZooKeeper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;

/**
 * The agent daemon's footprint ({@code groupsnap bench footprint}): an embedded ZooKeeper and a coordinator here, and
 * the real agent daemon ({@code groupsnap agent --config ...}, plaintext, one {@code dir} volume) as a process of its
 * own with the given JVM options (by default those of {@code deploy/systemd/groupsnap-agent.service}). Measures the
 * time from starting the process to its registration appearing in ZooKeeper, and its resident set size once idle.
 * Repeated {@code runs} times; figures printed, never asserted. With {@code cds}, as the unit does (its
 * GROUPSNAP_CDS_ARCHIVE, through the launcher): a first, unmeasured {@code agent --config ... --check} writes an AppCDS
 * archive of the classes it loads, and the measured starts use it.
 */
public final class Footprint {
  /** The JVM options of {@code deploy/systemd/groupsnap-agent.service} (GROUPSNAP_JAVA_OPTS there). */
  public static final String SYSTEMD_JAVA_OPTS = "-Xms16m -Xmx128m -Xss512k -XX:+UseSerialGC "
      + "-XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -XX:+ExitOnOutOfMemoryError";
  private static final String AGENT_ID = "footprint-agent";

  /** One start: milliseconds to registered, and resident set size in KiB after {@code idle}. */
  public record Run(long startToRegisteredMillis, long idleRssKiB) {}

  private Footprint() {}

  /**
   * @param javaOpts the agent's JVM options, space-separated
   * @param cds whether the measured starts use an AppCDS archive made by a check run first, as the unit's do
   * @param idle how long the agent idles, registered, before its RSS is read
   */
  public static List<Run> run(int runs, String javaOpts, boolean cds, Duration idle, Path under) throws Exception {
    if (runs < 1 || idle.isNegative() || !Files.isDirectory(under)) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT, "need --runs >= 1, a non-negative --idle and "
          + "--under an existing directory");
    }
    Path dir = Files.createTempDirectory(under, "groupsnap-footprint-");
    List<Run> out = new ArrayList<>();
    try (EmbeddedZooKeeper zookeeper = EmbeddedZooKeeper.start(dir.resolve("zookeeper"));
         Transport transport = TransportSettings.plaintext().open();
         Coordinator coordinator = new Coordinator(CoordinatorConfig.defaults(DevCluster.CLUSTER,
             zookeeper.connectString(), new HostPort("127.0.0.1", 0)).withZkWait(Duration.ofSeconds(30)),
             transport).start();
         CuratorFramework zk = ZkClients.connect(zookeeper.connectString(), Duration.ofSeconds(30))) {
      Path config = writeConfig(dir, zookeeper.connectString());
      String opts = cds ? javaOpts + " " + archive(config, javaOpts, dir) : javaOpts;
      for (int i = 0; i < runs; i++) {
        out.add(once(zk, config, opts, idle, dir));
      }
    } finally {
      FileTrees.delete(dir);
    }
    return out;
  }

  /** Makes the archive as the launcher does for the unit: a check run dumping its classes at exit. */
  private static String archive(Path config, String javaOpts, Path dir) throws Exception {
    Path archive = dir.resolve("agent.jsa");
    List<String> cmd = java(javaOpts);
    cmd.addAll(1, List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
    cmd.addAll(List.of("agent", "--config", config.toString(), "--check"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("check.log").toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    if (p.isAlive() || p.exitValue() != 0 || !Files.isRegularFile(archive)) {
      throw new DevkitException(DevkitException.Kind.FAILED, "the check run making the class-data archive failed: "
          + Files.readString(dir.resolve("check.log")).lines().reduce((a, b) -> b).orElse(""));
    }
    return "-XX:SharedArchiveFile=" + archive + " -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off";
  }

  /** {@code java OPTS -cp CLASSPATH io.groupsnap.cli.Groupsnap}: the launcher's command line. */
  private static List<String> java(String javaOpts) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (!javaOpts.isBlank()) {
      cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.groupsnap.cli.Groupsnap"));
    return cmd;
  }

  private static Run once(CuratorFramework zk, Path config, String javaOpts, Duration idle, Path dir)
      throws Exception {
    String node = new ZkLayout(DevCluster.CLUSTER).agent(AGENT_ID);
    awaitGone(zk, node);
    List<String> cmd = java(javaOpts);
    cmd.addAll(List.of("agent", "--config", config.toString()));
    CountDownLatch registered = new CountDownLatch(1);
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile())
        .start();
    try {
      while (registered.getCount() > 0) {
        if (zk.checkExists().usingWatcher((Watcher) e -> registered.countDown()).forPath(node) != null) {
          break;
        }
        if (!registered.await(200, TimeUnit.MILLISECONDS) && !p.isAlive()) {
          throw new DevkitException(DevkitException.Kind.FAILED, "the agent exited with " + p.exitValue()
              + " before it registered: " + Files.readString(dir.resolve("agent.log")).lines().reduce((a, b) -> b)
              .orElse(""));
        }
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      Thread.sleep(idle.toMillis()); // idling is what is measured here, not a wait for a condition
      return new Run(ms, rssKiB(p.pid()));
    } finally {
      p.destroy(); // SIGTERM, as systemd stops it
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** The previous run's registration goes with its session once that process has closed it. */
  private static void awaitGone(CuratorFramework zk, String node) throws Exception {
    for (int i = 0; i < 300 && zk.checkExists().forPath(node) != null; i++) {
      CountDownLatch gone = new CountDownLatch(1);
      if (zk.checkExists().usingWatcher((Watcher) e -> gone.countDown()).forPath(node) != null) {
        gone.await(100, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static Path writeConfig(Path dir, String zookeeper) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.write(data.resolve("file-0"), new byte[4096]);
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "agentId: " + AGENT_ID + "\n"
        + "cluster: " + DevCluster.CLUSTER + "\n"
        + "insecure: true\n"
        + "listen: 127.0.0.1:0\n"
        + "zookeeper: \"" + zookeeper + "\"\n"
        + "snapshotRoot: \"" + dir.resolve("snapshots") + "\"\n"
        + "volumes:\n"
        + "  - name: data\n"
        + "    kind: dir\n"
        + "    path: \"" + data + "\"\n"
        + "    options: {allowUnheld: \"true\"}\n", StandardCharsets.UTF_8);
    return config;
  }
}
