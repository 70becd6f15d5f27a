package io.groupsnap.devkit.demo;

import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.Percentiles;
import io.groupsnap.devkit.cluster.BtrfsDemoVolumes;
import io.groupsnap.devkit.cluster.CoordinatorSession;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.workload.CutVerifier;
import io.groupsnap.devkit.workload.WorkloadCluster;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Why groupsnap exists, in one run ({@code groupsnap demo}). Agents run two workloads that tear when copied
 * carelessly; naive copies are taken first and counted torn, then group snapshots are taken through the coordinator
 * and every one is verified. The last one is restored to new places and checked there, then the cluster itself is
 * restored in place to it and must carry on from that cut ({@link InPlaceRound}). Runs on the calling thread; prints
 * as it goes.
 */
public final class Demo {
  private static final Duration DELETE_DEADLINE = Duration.ofMinutes(2);
  private static final Duration RESTORE_DEADLINE = Duration.ofMinutes(5);
  private static final Duration RESUME_WAIT = Duration.ofSeconds(60);
  private final Options options;

  /**
   * What to run.
   *
   * @param snapshots group snapshots to take and verify (at least 1)
   * @param naive naive copy rounds (0 or more)
   * @param agents agents (2 to 16)
   * @param dataDir the working directory; null for a temporary one, removed afterwards
   * @param btrfs a btrfs mount point to give each agent a subvolume under (needs root); null for dir volumes
   */
  public record Options(int snapshots, int naive, int agents, Path dataDir, Path btrfs) {}

  private Demo(Options options) {
    this.options = options;
  }

  /**
   * Runs the demo.
   *
   * @return true only if every group snapshot committed and was consistent, the last one restored to new places was
   *     too, and the cluster restored in place to it carried on from the cut
   * @throws DevkitException (bad input) for options out of range or an unusable {@code btrfs}; (failed) when the
   *     coordinator ends a creation without a result
   */
  public static boolean run(Options options, PrintWriter out) throws Exception {
    if (options.snapshots() < 1 || options.naive() < 0 || options.agents() < 2 || options.agents() > 16) {
      throw new DevkitException(DevkitException.Kind.BAD_INPUT,
          "need --snapshots >= 1, --naive >= 0, --agents between 2 and 16");
    }
    return new Demo(options).run(out);
  }

  private boolean run(PrintWriter out) throws Exception {
    int agents = options.agents();
    Path btrfs = options.btrfs();
    boolean temporary = options.dataDir() == null;
    Path dir = temporary ? Files.createTempDirectory("groupsnap-demo-")
        : options.dataDir().toAbsolutePath().normalize();
    BtrfsDemoVolumes subvolumes = btrfs == null ? null : BtrfsDemoVolumes.create(btrfs, agents);
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
          options.naive(), naiveResult[0], naiveResult[1]);
      out.printf(Locale.ROOT, "group snapshots: %d committed, %d aborted, %d inconsistent%n", s.committed, s.aborted,
          s.inconsistent);
      out.printf(Locale.ROOT, "freeze window:   p50 %dms, max %dms (agents' clocks); coordinator saw p50 %dms, "
          + "max %dms%n", pct(s.windows, 50), pct(s.windows, 100), pct(s.coordWindows, 50), pct(s.coordWindows, 100));
      out.printf(Locale.ROOT, "workloads:       %d header updates, %d transfers%n", wc.headerUpdates(),
          wc.transfers());
      out.printf(Locale.ROOT, "restored:        %s%n", s.restored == null ? "nothing (no group snapshot committed)"
          : s.restored);
      out.printf(Locale.ROOT, "restored in place: %s%n", s.inPlace == null ? "nothing (no group snapshot committed)"
          : s.inPlace.line());
      boolean inPlaceOk = s.inPlace != null && s.inPlace.ok();
      boolean ok = s.inconsistent == 0 && s.committed == options.snapshots() && s.restoredConsistent && inPlaceOk;
      out.println(ok ? "OK: every group snapshot is one consistent cut, the one restored to new places too, and the "
          + "cluster restored in place to it carried on from that cut."
          : "FAILED: " + s.inconsistent + " inconsistent, " + (options.snapshots() - s.committed) + " not committed"
              + (s.restoredConsistent ? "" : ", the restored copy " + (s.restored == null ? "missing"
                  : "inconsistent"))
              + (inPlaceOk ? "" : ", the in-place restore " + (s.inPlace == null ? "not done" : "failed")));
      out.flush();
      return ok;
    } finally {
      if (subvolumes != null) {
        subvolumes.close();
      }
      if (temporary) {
        FileTrees.delete(dir);
      }
    }
  }

  private int[] naiveRounds(WorkloadCluster wc, Path into, PrintWriter out) throws Exception {
    int torn = 0;
    int badLedgers = 0;
    for (int i = 1; i <= options.naive(); i++) {
      Path round = into.resolve("round-" + i);
      Map<String, Path> copies = wc.naiveCopy(round);
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
    try (CoordinatorSession coordinator = wc.cluster().session()) {
      for (int i = 1; i <= options.snapshots(); i++) {
        GroupSnapshot g = coordinator.create();
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
        if (i < options.snapshots() || !r.consistent()) {
          coordinator.delete(g.getId(), DELETE_DEADLINE);
          continue;
        }
        try {
          restoreToNewPlaces(wc, coordinator, g, s);
          s.inPlace = new InPlaceRound(wc, coordinator, RESTORE_DEADLINE, RESUME_WAIT).run(g);
        } finally {
          coordinator.delete(g.getId(), DELETE_DEADLINE);
        }
      }
    }
    return s;
  }

  /**
   * Restores the last group snapshot to new places (under the dev cluster's shared restore root, each member at
   * {@code <root>/<id>/<agent>/<volume>}) through the coordinator's RestoreService, and checks the header counts and
   * the ledger on the restored trees — not on the captures: what an operator gets back must be the cut.
   */
  private static void restoreToNewPlaces(WorkloadCluster wc, CoordinatorSession coordinator, GroupSnapshot g,
      Summary s) throws Exception {
    Path to = DevCluster.restoreRoot(wc.cluster().dataDir()).resolve(g.getId());
    try {
      RestoreGroupSnapshotResponse r = coordinator.restore(g.getId(), to, RESTORE_DEADLINE);
      Map<String, Path> restored = new LinkedHashMap<>();
      long bytes = 0;
      long slowest = 0;
      for (MemberRestore m : r.getMembersList()) {
        restored.put(m.getAgentId(), Path.of(m.getPath()));
        bytes += m.getBytes();
        slowest = Math.max(slowest, m.getDurationMillis());
      }
      CutVerifier.Report check = r.getOk() ? CutVerifier.verify(restored, wc.ledger().total()) : null;
      s.restoredConsistent = check != null && check.consistent();
      s.restored = g.getId() + " to " + to + ": " + r.getMembersCount() + " members, " + bytes + " bytes, slowest "
          + slowest + "ms, " + (check == null ? "FAILED " + r.getMembersList().stream().filter(m -> !m.getError()
              .isEmpty()).map(m -> m.getAgentId() + ": " + m.getError()).findFirst().orElse("")
              : check.consistent() ? "consistent (header counts and ledger checked on the restored trees)"
                  : "INCONSISTENT " + check);
    } finally {
      FileTrees.delete(to);
    }
  }

  private static long pct(List<Long> values, int p) {
    return values.isEmpty() ? 0 : Percentiles.of(values, p);
  }

  private static final class Summary {
    int committed;
    int aborted;
    int inconsistent;
    String restored;
    boolean restoredConsistent;
    InPlaceRound.Result inPlace;
    final List<Long> windows = new ArrayList<>();
    final List<Long> coordWindows = new ArrayList<>();
  }
}
