package io.groupsnap.cli.command;

import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.bench.Bench;
import io.groupsnap.devkit.cluster.DevCluster.Wire;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code groupsnap bench}: the cost of coordination by member count (the devkit's {@link Bench}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    subcommands = {ScaleBenchCommand.class, FootprintCommand.class},
    description = "Measure latency, freeze window and coordination overhead by member count, with TLS or without.")
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--members", split = ",", paramLabel = "N[,N...]", defaultValue = "1,3,6,12",
      description = "Member counts to measure (default ${DEFAULT-VALUE}).")
  List<Integer> members;

  @Option(names = "--snapshots", paramLabel = "N", defaultValue = "30",
      description = "Group snapshots per member count and transport, after 3 warm-up ones (default "
          + "${DEFAULT-VALUE}).")
  int snapshots;

  @Option(names = "--files", paramLabel = "N", defaultValue = "20",
      description = "Files of 4 KiB in each volume (default ${DEFAULT-VALUE}).")
  int files;

  /** What {@code --transport} accepts. */
  enum Transports {
    tls(List.of(Wire.TLS)), insecure(List.of(Wire.INSECURE)), both(List.of(Wire.TLS, Wire.INSECURE));

    final List<Wire> wires;

    Transports(List<Wire> wires) {
      this.wires = wires;
    }
  }

  @Option(names = "--transport", paramLabel = "tls|insecure|both", defaultValue = "tls",
      description = "Mutual TLS (default), plaintext, or both: a cluster of each, rounds alternating, figures side by "
          + "side (${COMPLETION-CANDIDATES}).")
  Transports transport;

  @Override
  public Integer call() throws Exception {
    try {
      Bench.run(new Bench.Options(members, snapshots, files, transport.wires), spec.commandLine().getOut());
    } catch (DevkitException e) {
      throw DevkitFailures.toCli(e);
    }
    return ExitCodes.OK;
  }
}
