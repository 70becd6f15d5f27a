package io.groupsnap.cli.command;

import io.groupsnap.cli.CliException;
import io.groupsnap.cli.ExitCodes;
import io.groupsnap.devkit.workload.CutVerifier;
import io.groupsnap.devkit.workload.WorkloadCluster;
import io.groupsnap.agent.volume.DirVolume;
import io.groupsnap.devkit.cluster.BtrfsDemoVolumes;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap demo}: why groupsnap exists, in one run. Three agents run two workloads that tear when copied
 * carelessly; naive copies are taken first and counted torn, then group snapshots are taken through the coordinator
 * and every one is verified. Exits 0 only if every group snapshot committed and was consistent.
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
    if (snapshots < 1 || naive < 0 || agents < 2 || agents > 16) {
      throw new CliException(ExitCodes.USAGE, "need --snapshots >= 1, --naive >= 0, --agents between 2 and 16");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("groupsnap-demo-") : dataDir.toAbsolutePath().normalize();
    BtrfsDemoVolumes subvolumes;
    try {
      subvolumes = btrfs == null ? null : BtrfsDemoVolumes.create(btrfs, agents);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    try (WorkloadCluster wc = WorkloadCluster.start(dir, agents, null,
        subvolumes == null ? Map.of() : subvolumes.volumes())) {
      out.printf(Locale.ROOT, "groupsnap demo: %d agents, each running a header-count file and a ledger account "
          + "(transfers between agents)%s%n%n", agents, subvolumes == null ? ""
              : "; volumes are btrfs subvolumes under " + btrfs.toAbsolutePath().normalize());
      out.flush();
      int[] naiveResult = naiveRounds(wc, dir.resolve("naive"), out);
      Summary s = groupSnapshots(wc, out);
      out.println();
      out.printf(Locale.ROOT, "naive copies:    %d rounds, %d torn header file(s), %d ledger(s) that do not add up%n",
          naive, naiveResult[0], naiveResult[1]);
      out.printf(Locale.ROOT, "group snapshots: %d committed, %d aborted, %d inconsistent%n", s.committed, s.aborted,
          s.inconsistent);
      out.printf(Locale.ROOT, "freeze window:   p50 %dms, max %dms (agents' clocks); coordinator saw p50 %dms, "
          + "max %dms%n", pct(s.windows, 50), pct(s.windows, 100), pct(s.coordWindows, 50), pct(s.coordWindows, 100));
      out.printf(Locale.ROOT, "workloads:       %d header updates, %d transfers%n", wc.headers().updates(),
          wc.ledger().transfers());
      boolean ok = s.inconsistent == 0 && s.committed == snapshots;
      out.println(ok ? "OK: every group snapshot is one consistent cut."
          : "FAILED: " + s.inconsistent + " inconsistent, " + (snapshots - s.committed) + " not committed");
      out.flush();
      return ok ? ExitCodes.OK : ExitCodes.FAILED;
    } finally {
      if (subvolumes != null) {
        subvolumes.close();
      }
      if (temporary) {
        DirVolume.deleteTree(dir);
      }
    }
  }

  private int[] naiveRounds(WorkloadCluster wc, Path into, PrintWriter out) throws Exception {
    int torn = 0;
    int badLedgers = 0;
    for (int i = 1; i <= naive; i++) {
      Path round = into.resolve("round-" + i);
      Map<String, java.nio.file.Path> copies = wc.naiveCopy(round);
      CutVerifier.Report r = CutVerifier.verify(copies, wc.ledger().total());
      torn += r.tornFiles().size();
      badLedgers += r.ledgerProblems().isEmpty() ? 0 : 1;
      out.printf(Locale.ROOT, "naive copy %2d: %s%n", i, r.consistent() ? "consistent (by luck)"
          : (r.tornFiles().isEmpty() ? "" : "torn header on " + r.tornFiles() + " ")
              + (r.ledgerProblems().isEmpty() ? "" : "ledger: " + r.ledgerProblems().get(0)));
      out.flush();
      WorkloadCluster.delete(round);
    }
    return new int[] {torn, badLedgers};
  }

  private Summary groupSnapshots(WorkloadCluster wc, PrintWriter out) throws Exception {
    Summary s = new Summary();
    ManagedChannel ch = NettyChannelBuilder.forTarget(wc.cluster().coordinator().endpoint().toString())
        .usePlaintext().build();
    try {
      CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub = CoordinatorServiceGrpc.newBlockingStub(ch);
      for (int i = 1; i <= snapshots; i++) {
        GroupSnapshot g = create(stub);
        if (g.getState() != GroupSnapshotState.COMMITTED) {
          s.aborted++;
          out.printf(Locale.ROOT, "group snapshot %2d: %s %s: %s%n", i, g.getId(), g.getState(), g.getAbortReason());
          continue;
        }
        s.committed++;
        CutVerifier.Report r = wc.verify(g);
        if (!r.consistent()) {
          s.inconsistent++;
        }
        s.windows.add(g.getFreezeWindowMillis());
        s.coordWindows.add(g.getCoordinatorWindowMillis());
        out.printf(Locale.ROOT, "group snapshot %2d: %s COMMITTED, freeze window %dms: %s%n", i, g.getId(),
            g.getFreezeWindowMillis(), r.consistent() ? "consistent" : "INCONSISTENT " + r);
        out.flush();
        stub.withDeadlineAfter(2, TimeUnit.MINUTES)
            .deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(g.getId()).build());
      }
    } finally {
      ch.shutdownNow();
    }
    return s;
  }

  static GroupSnapshot create(CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub) throws CliException {
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(5, TimeUnit.MINUTES)
        .createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance());
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new CliException(ExitCodes.FAILED, "the coordinator ended the stream without a result");
  }

  private static long pct(List<Long> values, int p) {
    return values.isEmpty() ? 0 : BenchCommand.pct(values, p);
  }

  private static final class Summary {
    int committed;
    int aborted;
    int inconsistent;
    final List<Long> windows = new ArrayList<>();
    final List<Long> coordWindows = new ArrayList<>();
  }
}
