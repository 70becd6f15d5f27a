package io.groupsnap.cli.command;

import io.groupsnap.common.Daemons;
import io.groupsnap.agent.volume.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.cli.CliException;
import io.groupsnap.cli.ExitCodes;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.workload.Gate;
import io.groupsnap.devkit.workload.GateWriter;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap bench}: the cost of coordination, by member count. For each member count, a one-process cluster
 * (embedded ZooKeeper, one coordinator, N agents each with one small dir volume and one in-process writer) takes a
 * series of group snapshots; the figures are printed, never asserted (machines are shared and noisy).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure latency, freeze window and coordination overhead by member count.")
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--members", split = ",", paramLabel = "N[,N...]", defaultValue = "1,3,6,12",
      description = "Member counts to measure (default ${DEFAULT-VALUE}).")
  List<Integer> members;

  @Option(names = "--snapshots", paramLabel = "N", defaultValue = "30",
      description = "Group snapshots per member count, after 3 warm-up ones (default ${DEFAULT-VALUE}).")
  int snapshots;

  @Option(names = "--files", paramLabel = "N", defaultValue = "20",
      description = "Files of 4 KiB in each volume (default ${DEFAULT-VALUE}).")
  int files;

  @Override
  public Integer call() throws Exception {
    if (snapshots < 1 || files < 0 || members.stream().anyMatch(n -> n < 1 || n > 64)) {
      throw new CliException(ExitCodes.USAGE, "need --snapshots >= 1, --files >= 0, members between 1 and 64");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%-8s %12s %12s %12s %12s %14s%n", "members", "latency p50", "latency p99",
        "window p50", "window p99", "overhead p50");
    out.flush();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("bench-lease-timer"));
    try {
      for (int n : members) {
        measure(n, timer, out);
      }
    } finally {
      timer.shutdownNow();
    }
    out.println("latency: client-observed, create to committed result; window: first freeze to last thaw "
        + "(agents' clocks); overhead: latency minus window (prepare, ZooKeeper writes, commit).");
    out.flush();
    return ExitCodes.OK;
  }

  private void measure(int n, ScheduledExecutorService timer, PrintWriter out) throws Exception {
    Path dir = Files.createTempDirectory("groupsnap-bench-");
    try {
      for (int i = 1; i <= n; i++) {
        Path v = Files.createDirectories(DevCluster.volumeDir(dir, "agent-" + i));
        for (int f = 0; f < files; f++) {
          Files.write(v.resolve("file-" + f), new byte[4096]);
        }
      }
      try (DevCluster cluster = DevCluster.start(dir, n, null, id -> List.<Writer>of(
          new GateWriter("app", new Gate(), timer, Duration.ofSeconds(2))))) {
        ManagedChannel ch = NettyChannelBuilder.forTarget(cluster.coordinator().endpoint().toString())
            .usePlaintext().build();
        try {
          CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub = CoordinatorServiceGrpc.newBlockingStub(ch);
          List<Long> latency = new ArrayList<>();
          List<Long> window = new ArrayList<>();
          List<Long> overhead = new ArrayList<>();
          for (int i = 0; i < snapshots + 3; i++) {
            long start = System.nanoTime();
            GroupSnapshot g = DemoCommand.create(stub);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (g.getState() != GroupSnapshotState.COMMITTED) {
              throw new CliException(ExitCodes.FAILED, "bench snapshot " + g.getId() + " " + g.getState() + ": "
                  + g.getAbortReason());
            }
            stub.withDeadlineAfter(1, TimeUnit.MINUTES)
                .deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(g.getId()).build());
            if (i >= 3) {
              latency.add(ms);
              window.add(g.getFreezeWindowMillis());
              overhead.add(ms - g.getFreezeWindowMillis());
            }
          }
          out.printf(Locale.ROOT, "%-8d %10dms %10dms %10dms %10dms %12dms%n", n, pct(latency, 50),
              pct(latency, 99), pct(window, 50), pct(window, 99), pct(overhead, 50));
          out.flush();
        } finally {
          ch.shutdownNow();
        }
      }
    } finally {
      DirVolume.deleteTree(dir);
    }
  }

  static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }
}
