package io.groupsnap.devkit.cluster;

import io.groupsnap.agent.Agent;
import io.groupsnap.devkit.DevkitException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code groupsnap dev}: a {@link DevCluster} in this process until the JVM is asked to stop (Ctrl-C), with the
 * addresses printed and written to {@code DIR/dev.env} for other shells. {@link #run} blocks the calling thread; a
 * shutdown hook closes the cluster.
 */
public final class DevMode {
  private DevMode() {}

  /**
   * Starts the cluster, prints where everything is, and waits until the JVM shuts down.
   *
   * @param dataDir where ZooKeeper data, volumes and snapshots live
   * @param agents how many agents (1 to 64)
   * @throws DevkitException (bad input) when {@code agents} is out of range
   */
  public static void run(Path dataDir, int agents, PrintWriter out) throws Exception {
    if (agents < 1 || agents > 64) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT, "--agents must be between 1 and 64, got " + agents);
    }
    Path dir = dataDir.toAbsolutePath().normalize();
    DevCluster cluster = DevCluster.start(dir, agents, null, id -> List.of());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        cluster.close();
      } catch (Exception e) {
        System.err.println("groupsnap dev: while stopping: " + e);
      }
      stopped.countDown();
    }, "groupsnap-dev-shutdown"));
    Path env = cluster.writeEnv();
    out.println("groupsnap dev cluster is running");
    out.println("  zookeeper    " + cluster.zookeeper() + " (embedded, data in " + dir.resolve("zookeeper") + ")");
    out.println("  coordinator  " + cluster.coordinator().endpoint() + " (leader)");
    for (Agent a : cluster.agents().values()) {
      out.println("  " + a.id() + "      " + a.endpoint() + "  volume data = "
          + DevCluster.volumeDir(dir, a.id()));
    }
    out.println("  credentials  " + (cluster.clientTransport().insecure() ? "none: plaintext (insecure)"
        : "admin, " + cluster.clientTransport().tls().cert() + " (in dev.env)"));
    out.println();
    out.println("In another shell:");
    out.println("  set -a; . " + env + "; set +a");
    out.println("  bin/groupsnap snapshot create --wait");
    out.println("  bin/groupsnap snapshot list");
    if (cluster.agents().values().stream().anyMatch(a -> !a.config().exports().targets().isEmpty())) {
      out.println("Backup runs: every agent exports to its restic repository (export target '"
          + DevCluster.EXPORT_TARGET + "', " + DevCluster.resticRepository(dir, "agent-1").getParent().getParent()
          + "/agent-N/restic-repo):");
      out.println("  bin/groupsnap group create all --selector dev=true --export-target " + DevCluster.EXPORT_TARGET
          + " --keep-last 3");
      out.println("  bin/groupsnap backup run all --wait");
    } else {
      out.println("(restic is not installed: the agents have no export target; apt-get install restic)");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
  }
}
