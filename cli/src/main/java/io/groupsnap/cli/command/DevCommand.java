package io.groupsnap.cli.command;

import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.cluster.DevMode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code groupsnap dev}: a whole cluster in this process until interrupted (the devkit's {@link DevMode}). */
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
    try {
      DevMode.run(dataDir, agents, spec.commandLine().getOut());
    } catch (DevkitException e) {
      throw DevkitFailures.toCli(e);
    }
    return ExitCodes.OK;
  }
}
