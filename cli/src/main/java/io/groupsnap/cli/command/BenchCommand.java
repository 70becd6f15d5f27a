package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.bench.Bench;
import io.groupsnap.devkit.bench.BenchVolume;
import io.groupsnap.devkit.bench.BenchWriter;
import io.groupsnap.devkit.bench.Figures;
import io.groupsnap.devkit.cluster.DevCluster.Wire;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap bench}: the cost of coordination by member count (the devkit's {@link Bench}): the uncoordinated
 * floor and the coordinated freeze window side by side, as a table (a row as each member count is done) or, with
 * {@code -o json}, one JSON document at the end.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    subcommands = {ScaleBenchCommand.class, FootprintCommand.class},
    description = "Measure the freeze window against its uncoordinated floor, and create-to-committed latency, by "
        + "member count, with TLS or without; 'bench scale' to 1,000 members, 'bench footprint' an agent's.")
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOption output;

  @Option(names = "--members", split = ",", paramLabel = "N[,N...]", defaultValue = "1,3,6,12",
      description = "Member counts to measure (default ${DEFAULT-VALUE}).")
  List<Integer> members;

  @Option(names = "--snapshots", paramLabel = "N", defaultValue = "30",
      description = "Group snapshots (and as many floor samples) per member count and transport, after 3 warm-up "
          + "ones (default ${DEFAULT-VALUE}).")
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

  @Option(names = "--writer", paramLabel = "gate|exec|exec-session", defaultValue = "gate",
      description = "Every member's writer: the in-process gate (default), or an exec writer whose sh hook holds "
          + "nothing, run as a process per phase (exec) or started at PREPARE and told to freeze on its input "
          + "(exec-session); then the slowest member's time to frozen is printed under each row.")
  String writer;

  @Option(names = "--volume", paramLabel = "dir|btrfs|fsfreeze", defaultValue = "dir",
      description = "Every member's volume: a directory (default); btrfs: one btrfs on a loop device, a subvolume "
          + "per member; fsfreeze: an ext4 on a loop device per member, frozen around a copy. The real kinds need "
          + "root, losetup and mkfs.btrfs or mkfs.ext4; their file systems are made for the run and removed after it, "
          + "also on Ctrl-C.")
  String volume;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Printer printer = new Printer(output.format, out);
    BenchWriter chosen = Arrays.stream(BenchWriter.values()).filter(w -> w.label().equals(writer)).findFirst()
        .orElseThrow(() -> new ParameterException(spec.commandLine(), "--writer: unknown writer '" + writer
            + "' (known: gate, exec, exec-session)"));
    BenchVolume kind = BenchVolume.of(volume).orElseThrow(() -> new ParameterException(spec.commandLine(),
        "--volume: unknown volume kind '" + volume + "' (known: dir, btrfs, fsfreeze)"));
    Bench.Options options = new Bench.Options(members, snapshots, files, transport.wires, chosen, kind);
    try {
      Bench.check(options);
      if (printer.json()) {
        printer.json(json(Bench.run(options, f -> { }), kind));
      } else {
        out.println(Figures.HEADER);
        out.flush();
        Bench.run(options, text(out));
        out.println(Bench.LEGEND);
        if (kind != BenchVolume.DIR) {
          out.println(kind.description());
        }
        out.flush();
      }
    } catch (DevkitException e) {
      throw DevkitFailures.toCli(e);
    }
    return ExitCodes.OK;
  }

  /** Prints the rows of a member count, and what TLS costs when both transports ran. */
  static Consumer<List<Figures>> text(PrintWriter out) {
    return rows -> {
      rows.forEach(f -> {
        out.println(f.row());
        if (f.frozen() != null) {
          out.println(f.frozenRow());
        }
      });
      Figures tls = find(rows, Wire.TLS);
      Figures insecure = find(rows, Wire.INSECURE);
      if (tls != null && insecure != null) {
        out.println(Figures.tlsCost(tls, insecure));
      }
      out.flush();
    };
  }

  /** The JSON document: {@code {"volume": "dir", "rows": [figures...], "legend": "..."}}. */
  static Map<String, Object> json(List<Figures> rows, BenchVolume volume) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("volume", volume.label());
    m.put("rows", rows.stream().map(Figures::json).toList());
    m.put("legend", Bench.LEGEND);
    return m;
  }

  private static Figures find(List<Figures> rows, Wire w) {
    return rows.stream().filter(f -> f.transport().equals(Bench.label(w))).findFirst().orElse(null);
  }
}
