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
 * G1–G4, checked as things happen, after every step, and when the run has settled. A violation throws
 * {@link InvariantViolation}.
 *
 * <ul>
 *   <li>G1: when a commit lands, the manifest's captures form a consistent cut ({@link ConsistentCut}).
 *   <li>G2: no application stays frozen longer than its lease (plus 1 ms); an agent that stayed up releases its own
 *       holds by the end of the lease, and one that restarts releases at once what an earlier start held (checked by
 *       {@link SimWriter}); nothing is frozen at the end.
 *   <li>G3: a group snapshot in the catalog has every member's capture (catalog entry and volume capture) — checked
 *       when the commit lands and after every step that changed a catalog or volume. At the end of every run, calm or
 *       not ({@link World} lets it settle first: faults stopped, partitions healed, every process up, one leader
 *       recovered, a reaper interval and the grace period passed): no capture of a group snapshot outside the catalog
 *       is left anywhere, nor a volume capture the agent's catalog does not know; every member of every listed group
 *       snapshot holds its capture, kept; every record is final (COMMITTED and finalized, ABORTED, or DELETED).
 *   <li>G4: no agent acts on a request whose epoch is lower than one it has acted on or learned from the store's
 *       epoch before (across restarts), nor on one above the store's epoch (forged); every write that lands comes
 *       from the current term (the leader's latch node and the epoch its bump left); a decided record never changes
 *       its decision (COMMITTED may only be finalized or deleted, ABORTED and DELETED never change).
 * </ul>
 */
final class Invariants implements SimStore.Observer {
  private final World w;
  private final Map<String, Long> epochSeen = new TreeMap<>();
  private final Map<String, GroupSnapshot> committed = new TreeMap<>();
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
    if (epoch > w.store.epoch()) {
      throw new InvariantViolation("G4", "agent " + agent + " acted on " + r + ", an epoch the cluster never reached "
          + "(it is at " + w.store.epoch() + ")");
    }
    epochSeen.put(agent, epoch);
  }

  /** An agent's epoch watch told it of {@code epoch}: from now on it must refuse anything lower. */
  void agentObserved(String agent, long epoch) {
    epochSeen.merge(agent, epoch, Math::max);
  }

  @Override
  public void epochRaised(long latch, long epoch) {
    if (w.store.leaderLatch().orElse(-1) != latch) {
      throw new InvariantViolation("G4", "epoch " + epoch + " raised by latch node " + latch + ", which does not lead");
    }
  }

  @Override
  public void landing(SimStore.Write kind, GroupSnapshot before, GroupSnapshot after, SimStore.Fence fence) {
    String what = kind + " of " + after.getId() + " as " + after.getState();
    if (w.store.leaderLatch().orElse(-1) != fence.latch() || fence.epoch() != w.store.epoch()) {
      throw new InvariantViolation("G4", "a deposed leader's write lands: " + what + " by latch node "
          + fence.latch() + " at epoch " + fence.epoch() + "; the store is at epoch " + w.store.epoch());
    }
    if (before != null && !allowed(before.getState(), after.getState())) {
      throw new InvariantViolation("G4", "a second decision: " + what + " over " + before.getState());
    }
    if (kind == SimStore.Write.COMMIT) {
      requireCaptures(after, "when its commit lands");
      String torn = ConsistentCut.problem(after, w);
      if (torn != null) {
        throw new InvariantViolation("G1", "committed " + after.getId() + " is not a consistent cut: " + torn);
      }
      committed.put(after.getId(), after);
      w.note("commit of " + after.getId() + " lands; its cut is consistent");
    } else if (kind == SimStore.Write.DELETING) {
      committed.remove(after.getId());
    }
  }

  /** Record state changes a leader may make once a record is decided. */
  private static boolean allowed(GroupSnapshotState before, GroupSnapshotState after) {
    return switch (before) {
      case COMMITTED -> after == GroupSnapshotState.COMMITTED || after == GroupSnapshotState.DELETING;
      case DELETING -> after == GroupSnapshotState.DELETING || after == GroupSnapshotState.DELETED;
      case ABORTED, DELETED -> after == before;
      default -> true;
    };
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
      for (GroupSnapshot g : committed.values()) {
        requireCaptures(g, "after it was committed");
      }
    }
  }

  /** The checks once the run has settled and nothing is left to happen. */
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
    if (!leftovers.isEmpty()) {
      throw new InvariantViolation("G3", "captures outside the catalog are left after the run settled: "
          + leftovers);
    }
    for (GroupSnapshot g : w.store.catalog()) {
      requireCaptures(g, "at the end");
      requireKept(g);
    }
    List<String> unfinished = new ArrayList<>();
    for (SimStore.Versioned v : w.store.txns()) {
      GroupSnapshot g = v.record();
      boolean isFinal = switch (g.getState()) {
        case COMMITTED -> g.getFinalized();
        case ABORTED, DELETED -> true;
        default -> false;
      };
      if (!isFinal) {
        unfinished.add(g.getId() + " " + g.getState() + (g.getState() == GroupSnapshotState.COMMITTED
            ? " (not finalized)" : "") + " of epoch " + g.getEpoch());
      }
    }
    if (!unfinished.isEmpty()) {
      throw new InvariantViolation("G3", "records left unfinished after the run settled: " + unfinished);
    }
  }

  private void requireKept(GroupSnapshot g) {
    for (MemberRecord m : g.getMembersList()) {
      for (LocalSnapshot s : w.agent(m.getAgentId()).catalog().entries(g.getId())) {
        if (s.getVolume().equals(m.getVolume()) && s.getState() != LocalSnapshotState.LOCAL_KEPT) {
          throw new InvariantViolation("G3", g.getId() + " is committed but the capture of " + m.getAgentId() + ":"
              + m.getVolume() + " is still " + s.getState() + " after the run settled");
        }
      }
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

  /**
   * Catalog entries and volume captures of group snapshots that are not in the catalog, and volume captures the
   * agent's catalog does not list (nothing would ever delete those).
   */
  private List<String> leftovers() {
    List<String> out = new ArrayList<>();
    for (SimAgent a : w.agents) {
      for (LocalSnapshot s : a.catalog().entries("")) {
        if (!w.store.committed(s.getGroupSnapshotId())) {
          out.add(a.id() + " catalog " + s.getGroupSnapshotId() + " " + s.getState());
        }
      }
      for (Path p : a.volume().capturePaths()) {
        String id = p.getFileName().toString();
        if (!w.store.committed(id)) {
          out.add(a.id() + " volume " + p);
        } else if (a.catalog().entries(id).stream().noneMatch(s -> Path.of(s.getPath()).equals(p))) {
          out.add(a.id() + " volume " + p + " (not in the agent's catalog)");
        }
      }
    }
    return out;
  }
}
