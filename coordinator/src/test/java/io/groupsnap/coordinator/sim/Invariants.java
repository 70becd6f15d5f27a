package io.groupsnap.coordinator.sim;

import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * G1–G4, checked as things happen, after every step, and when the run has quiesced. A violation throws
 * {@link InvariantViolation}.
 *
 * <ul>
 *   <li>G1: when a commit lands, the manifest's captures form a consistent cut ({@link ConsistentCut}).
 *   <li>G2: no application stays frozen longer than its lease (plus 1 ms); an agent that stayed up releases its own
 *       holds by the end of the lease (checked by {@link SimWriter}); nothing is frozen once the run has quiesced.
 *   <li>G3: a record is committed only if every member has its capture (catalog entry and volume capture) — checked
 *       when the commit lands and after every step that changed a catalog or volume. At the end of a calm run no
 *       capture of an uncommitted transaction is left, every record is final and every committed capture is kept.
 *       Runs with losses cannot promise that without the reaper DESIGN.md describes and the agent does not have yet:
 *       there the leftovers are only counted.
 *   <li>G4: no agent acts on a request whose epoch is lower than one it has acted on before (across restarts); every
 *       write that lands comes from the leader of the current epoch; a decided record never changes its decision.
 * </ul>
 */
final class Invariants implements SimStore.Observer {
  private final World w;
  private final Map<String, Long> epochSeen = new TreeMap<>();
  private final List<GroupSnapshot> committed = new ArrayList<>();
  private long checkedMutations = -1;

  Invariants(World w) {
    this.w = w;
  }

  /** G4: an agent accepted a request (it got past the epoch fence). */
  void agentAdmitted(String agent, Request r) {
    long seen = epochSeen.getOrDefault(agent, 0L);
    long epoch = r.spec().epoch();
    if (epoch < seen) {
      throw new InvariantViolation("G4", "agent " + agent + " acted on " + r + " although it had already seen epoch "
          + seen);
    }
    epochSeen.put(agent, epoch);
  }

  @Override
  public void epochRaised(long latch, long epoch) {
    if (w.store.leaderLatch().orElse(-1) != latch) {
      throw new InvariantViolation("G4", "epoch " + epoch + " raised by latch node " + latch + ", which does not lead");
    }
  }

  @Override
  public void landing(SimStore.Write kind, GroupSnapshot before, GroupSnapshot after, long latch, long writerEpoch) {
    String what = kind + " of " + after.getId() + " as " + after.getState();
    if (w.store.leaderLatch().orElse(-1) != latch || writerEpoch != w.store.epoch()) {
      throw new InvariantViolation("G4", "a deposed leader's write lands: " + what + " by latch node " + latch
          + " at epoch " + writerEpoch + "; the store is at epoch " + w.store.epoch());
    }
    if (before != null && decided(before.getState()) && before.getState() != after.getState()) {
      throw new InvariantViolation("G4", "a second decision: " + what + " over " + before.getState());
    }
    if (kind == SimStore.Write.COMMIT) {
      requireCaptures(after, "when its commit lands");
      String torn = ConsistentCut.problem(after, w);
      if (torn != null) {
        throw new InvariantViolation("G1", "committed " + after.getId() + " is not a consistent cut: " + torn);
      }
      committed.add(after);
      w.note("commit of " + after.getId() + " lands; its cut is consistent");
    }
  }

  /** The checks that run after every step. */
  void afterStep() {
    long lease = w.plan.lease().toNanos();
    long mutations = 0;
    for (SimAgent a : w.agents) {
      a.writer().checkHolds(w.loop.now(), lease);
      mutations += a.catalog().mutations() + a.volume().mutations();
    }
    if (mutations != checkedMutations) {
      checkedMutations = mutations;
      for (GroupSnapshot g : committed) {
        requireCaptures(g, "after it was committed");
      }
    }
  }

  /** The checks once nothing is left to happen. */
  void atEnd() {
    for (SimAgent a : w.agents) {
      if (a.writer().activeHolds() > 0 || (a.up() && a.participant().isHolding())) {
        throw new InvariantViolation("G2", "the application on " + a.id() + " is still frozen after the run ended");
      }
    }
    if (w.workload.inFlight() > 0) {
      throw new InvariantViolation("liveness", w.workload.inFlight() + " transfers never completed");
    }
    List<String> leftovers = leftovers();
    List<String> unfinished = w.store.unfinished().stream().map(g -> g.getId() + " " + g.getState()).toList();
    int neverKept = neverKept();
    w.stats.count(SimStats.Outcome.ORPHAN_CAPTURES, leftovers.size());
    w.stats.count(SimStats.Outcome.RUNS_ENDING_WITH_ORPHAN_CAPTURES, leftovers.isEmpty() ? 0 : 1);
    w.stats.count(SimStats.Outcome.RUNS_ENDING_WITH_UNFINISHED_RECORDS, unfinished.isEmpty() ? 0 : 1);
    w.stats.count(SimStats.Outcome.COMMITTED_CAPTURES_NEVER_KEPT, neverKept);
    if (w.plan.calm() && !leftovers.isEmpty()) {
      throw new InvariantViolation("G3", "captures of uncommitted transactions left after a calm run: " + leftovers);
    }
    if (w.plan.calm() && !unfinished.isEmpty()) {
      throw new InvariantViolation("G3", "records left unfinished after a calm run: " + unfinished);
    }
    if (w.plan.calm() && neverKept > 0) {
      throw new InvariantViolation("G3", neverKept + " captures of committed group snapshots were never kept");
    }
  }

  private void requireCaptures(GroupSnapshot g, String when) {
    for (MemberRecord m : g.getMembersList()) {
      SimAgent a = w.agent(m.getAgentId());
      boolean listed = a.catalog().entries(g.getId()).stream().anyMatch(s -> s.getVolume().equals(m.getVolume()));
      if (!listed || a.volume().capture(m.getSnapshotPath()) == null) {
        throw new InvariantViolation("G3", g.getId() + " is committed but the capture of " + m.getAgentId() + ":"
            + m.getVolume() + " is " + (listed ? "gone from the volume" : "gone from the agent's catalog") + " "
            + when);
      }
    }
  }

  /** Catalog entries and volume captures of transactions that are not committed. */
  private List<String> leftovers() {
    List<String> out = new ArrayList<>();
    for (SimAgent a : w.agents) {
      for (LocalSnapshot s : a.catalog().entries("")) {
        if (!w.store.committed(s.getGroupSnapshotId())) {
          out.add(a.id() + " catalog " + s.getGroupSnapshotId() + " " + s.getState());
        }
      }
      for (Path p : a.volume().capturePaths()) {
        if (!w.store.committed(p.getFileName().toString())) {
          out.add(a.id() + " volume " + p);
        }
      }
    }
    return out;
  }

  private int neverKept() {
    int n = 0;
    for (SimAgent a : w.agents) {
      for (LocalSnapshot s : a.catalog().entries("")) {
        if (w.store.committed(s.getGroupSnapshotId()) && s.getState() != LocalSnapshotState.LOCAL_KEPT) {
          n++;
        }
      }
    }
    return n;
  }

  private static boolean decided(GroupSnapshotState s) {
    return s == GroupSnapshotState.COMMITTED || s == GroupSnapshotState.ABORTED;
  }
}
