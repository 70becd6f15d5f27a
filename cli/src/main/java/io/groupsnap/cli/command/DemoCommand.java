package io.groupsnap.cli.command;

import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap demo}: naive copies vs. group snapshots (the devkit's {@link Demo}). Exits 0 only if every group
 * snapshot committed and was consistent.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Naive copies vs. group snapshots on a 3-agent embedded cluster running two workloads.")
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--snapshots", paramLabel = "N", defaultValue = "20",
      description = "Group snapshots to take and verify (default ${DEFAULT-VALUE}).")
  int snapshots;

  @Option(names = "--naive", paramLabel = "N", defaultValue = "20",
      description = "Naive copy rounds (default ${DEFAULT-VALUE}).")
  int naive;

  @Option(names = "--agents", paramLabel = "N", defaultValue = "3", description = "Agents (default 3).")
  int agents;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Working directory (default: a temporary one, removed afterwards).")
  Path dataDir;

  @Option(names = "--btrfs", paramLabel = "MOUNT",
      description = "Give each agent a btrfs subvolume under this btrfs mount point, captured as read-only "
          + "snapshots (needs root); default: directories captured by copying.")
  Path btrfs;

  @Override
  public Integer call() throws Exception {
    try {
      boolean ok = Demo.run(new Demo.Options(snapshots, naive, agents, dataDir, btrfs), spec.commandLine().getOut());
      return ok ? ExitCodes.OK : ExitCodes.FAILED;
    } catch (DevkitException e) {
      throw DevkitFailures.toCli(e);
    }
  }
}
