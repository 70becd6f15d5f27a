package io.groupsnap.cli.command;

import io.groupsnap.cli.CliException;
import io.groupsnap.cli.ExitCodes;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.agent.Agent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code groupsnap dev}: a whole cluster in this process until interrupted. */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run an embedded ZooKeeper, one coordinator and N agents (one dir volume each) on loopback until "
        + "interrupted. Writes DIR/dev.env for other shells.")
public final class DevCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--agents", paramLabel = "N", defaultValue = "3", description = "Number of agents (default 3).")
  int agents;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "groupsnap-dev",
      description = "Where ZooKeeper data, volumes and snapshots live (default ./groupsnap-dev).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    if (agents < 1 || agents > 64) {
      throw new CliException(ExitCodes.USAGE, "--agents must be between 1 and 64, got " + agents);
    }
    PrintWriter out = spec.commandLine().getOut();
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
    out.println();
    out.println("In another shell:");
    out.println("  set -a; . " + env + "; set +a");
    out.println("  bin/groupsnap snapshot create --wait");
    out.println("  bin/groupsnap snapshot list");
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }
}
