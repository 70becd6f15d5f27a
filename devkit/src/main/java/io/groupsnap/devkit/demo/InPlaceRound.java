package io.groupsnap.devkit.demo;

import io.groupsnap.devkit.cluster.CoordinatorSession;
import io.groupsnap.devkit.workload.CutVerifier;
import io.groupsnap.devkit.workload.LedgerWorkload;
import io.groupsnap.devkit.workload.WorkloadCluster;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.MemberRecord;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's in-place restore: the dev cluster's volumes put back to a committed group snapshot through the
 * coordinator while the workloads run, and then checked — the restore switched every member, both workloads resumed
 * (the agents stopped and started them around the switch), every live ledger log begins with the log captured in the
 * group snapshot (the ledger carried on from the cut, not from where it was), the next group snapshot is a consistent
 * cut, and the restore is confirmed (the replaced data deleted). Runs on the calling thread.
 */
final class InPlaceRound {
  /**
   * What came of it.
   *
   * @param ok every check passed
   * @param line one line for the operator: the group snapshot, how it went, and each check
   */
  record Result(boolean ok, String line) {}

  private final WorkloadCluster wc;
  private final CoordinatorSession coordinator;
  private final Duration deadline;
  private final Duration resumeWait;

  /**
   * @param deadline how long the restore and its confirmation may take each
   * @param resumeWait how long the workloads may take to make progress again after the restore switched
   */
  InPlaceRound(WorkloadCluster wc, CoordinatorSession coordinator, Duration deadline, Duration resumeWait) {
    this.wc = wc;
    this.coordinator = coordinator;
    this.deadline = deadline;
    this.resumeWait = resumeWait;
  }

  /** Restores the cluster in place to {@code g} (committed) and checks it; failures are reported, not thrown. */
  Result run(GroupSnapshot g) throws Exception {
    Map<String, byte[]> captured;
    try {
      captured = capturedLogs(g);
    } catch (IOException e) {
      return new Result(false, g.getId() + ": FAILED, a captured ledger log is unreadable: " + e.getMessage());
    }
    int restarts = wc.restarts();
    long start = System.nanoTime();
    InPlaceRestore r;
    try {
      r = coordinator.restoreInPlace(g.getId(), deadline);
    } catch (StatusRuntimeException e) {
      return new Result(false, g.getId() + ": FAILED " + e.getStatus().getCode() + ": "
          + e.getStatus().getDescription());
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    String head = String.format(Locale.ROOT, "%s on %d members in %dms (%s)", g.getId(), r.getMembersCount(), millis,
        label(r.getState()));
    if (r.getState() != InPlaceState.IN_PLACE_SWITCHED) {
      return new Result(false, head + ": " + (r.getReason().isEmpty() ? "not switched" : r.getReason()));
    }
    List<String> parts = new ArrayList<>();
    boolean resumed = wc.awaitResumed(restarts, resumeWait);
    List<String> diverged = diverged(captured);
    String logs = diverged.isEmpty() ? "ledgers continue the captured logs"
        : "ledgers do not continue the captured logs on " + diverged;
    if (resumed) {
      parts.add((diverged.isEmpty() ? "workloads resumed from the cut: " : "workloads resumed, not from the cut: ")
          + logs);
    } else {
      parts.add("workloads did not resume within " + resumeWait.toSeconds() + "s" + (diverged.isEmpty() ? ""
          : "; " + logs));
    }
    boolean consistent = false;
    if (resumed) {
      CheckedNext next = nextGroupSnapshot();
      consistent = next.consistent();
      parts.add(next.text());
    }
    boolean confirmed = confirm(r.getRestoreId(), parts);
    return new Result(resumed && diverged.isEmpty() && consistent && confirmed,
        head + "; " + String.join("; ", parts));
  }

  private record CheckedNext(boolean consistent, String text) {}

  /** One more group snapshot, verified as a cut of the resumed workloads, then deleted. */
  private CheckedNext nextGroupSnapshot() throws Exception {
    GroupSnapshot next = coordinator.create();
    if (next.getState() != GroupSnapshotState.COMMITTED) {
      return new CheckedNext(false, "next group snapshot " + next.getId() + " " + label(next.getState()) + ": "
          + next.getAbortReason());
    }
    try {
      CutVerifier.Report check = wc.verify(next);
      return new CheckedNext(check.consistent(), "next group snapshot " + next.getId() + ": "
          + (check.consistent() ? "consistent" : "INCONSISTENT " + check));
    } finally {
      coordinator.delete(next.getId(), deadline);
    }
  }

  private boolean confirm(String restoreId, List<String> parts) {
    try {
      InPlaceRestore c = coordinator.confirmInPlace(restoreId, deadline);
      if (c.getState() == InPlaceState.IN_PLACE_CONFIRMED) {
        return true;
      }
      parts.add("not confirmed (" + label(c.getState()) + ")");
    } catch (StatusRuntimeException e) {
      parts.add("not confirmed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    }
    return false;
  }

  private static Map<String, byte[]> capturedLogs(GroupSnapshot g) throws IOException {
    Map<String, byte[]> logs = new LinkedHashMap<>();
    for (MemberRecord m : g.getMembersList()) {
      logs.put(m.getAgentId(), Files.readAllBytes(ledgerLog(Path.of(m.getSnapshotPath()))));
    }
    return logs;
  }

  /** The agents whose live ledger log does not begin with the log captured in the group snapshot. */
  private List<String> diverged(Map<String, byte[]> captured) {
    List<String> agents = new ArrayList<>();
    Map<String, Path> live = wc.liveVolumes();
    for (Map.Entry<String, byte[]> e : captured.entrySet()) {
      byte[] now;
      try {
        now = live.containsKey(e.getKey()) ? Files.readAllBytes(ledgerLog(live.get(e.getKey()))) : new byte[0];
      } catch (IOException ex) {
        now = new byte[0];
      }
      byte[] c = e.getValue();
      if (now.length < c.length || !Arrays.equals(now, 0, c.length, c, 0, c.length)) {
        agents.add(e.getKey());
      }
    }
    return agents;
  }

  private static Path ledgerLog(Path volume) {
    return volume.resolve(LedgerWorkload.DIR).resolve("log");
  }

  private static String label(Enum<?> state) {
    String name = state.name().startsWith("IN_PLACE_") ? state.name().substring("IN_PLACE_".length())
        : state.name();
    return name.toLowerCase(Locale.ROOT);
  }
}
