package io.groupsnap.coordinator.sim;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The leader latch: coordinators join with a sequential node, the lowest node leads, and its owner learns so after a
 * short watch delay. A node disappears when its owner's session ends — a crash (after the session timeout) or an
 * expiry — and the owner of the new lowest node is told in turn.
 */
final class Election {
  private final World w;
  private final Map<Long, SimCoordinator> owners = new TreeMap<>();
  private long told;

  Election(World w) {
    this.w = w;
  }

  /** Adds a latch node for {@code c}; returns it. */
  long join(SimCoordinator c) {
    long latch = w.store.createLatch(c.name());
    owners.put(latch, c);
    w.note(c.name() + " joins the election with latch node " + latch);
    changed();
    return latch;
  }

  /** Removes a latch node (its session ended). */
  void leave(long latch) {
    if (w.store.deleteLatch(latch)) {
      SimCoordinator c = owners.remove(latch);
      w.note("latch node " + latch + " of " + c.name() + " is gone");
      changed();
    }
  }

  /** The owner of the lowest latch node, dead or alive, or null. */
  SimCoordinator leader() {
    OptionalLong lead = w.store.leaderLatch();
    return lead.isPresent() ? owners.get(lead.getAsLong()) : null;
  }

  private void changed() {
    OptionalLong lead = w.store.leaderLatch();
    if (lead.isEmpty() || lead.getAsLong() == told) {
      return;
    }
    long latch = lead.getAsLong();
    told = latch;
    SimCoordinator c = owners.get(latch);
    w.loop.at(w.between(100_000, 3 * FaultPlan.MS), c.name() + " learns latch node " + latch + " leads",
        () -> c.onLeaderNotified(latch));
  }
}
