package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator asking for group snapshots: every few milliseconds it picks a coordinator that believes it leads, has
 * recovered and is idle — possibly a zombie — and asks it for the next one, of every host or of a random subset; now
 * and then, up to the plan's number, it asks such a coordinator to delete a committed group snapshot. When all
 * group snapshots have been asked for and none runs any more, the run winds down.
 */
final class Operator {
  private final World w;
  private int submitted;
  private int deletes;
  private boolean stopped;

  Operator(World w) {
    this.w = w;
  }

  void start() {
    schedule();
  }

  void stop() {
    stopped = true;
  }

  private void schedule() {
    w.loop.at(w.between(FaultPlan.MS, 40 * FaultPlan.MS), "operator looks for a leader", this::tick);
  }

  private void tick() {
    if (stopped) {
      return;
    }
    boolean running = w.coordinators().stream().anyMatch(SimCoordinator::busy);
    if (submitted == w.plan.transactions() && !running) {
      w.note("operator: all " + submitted + " group snapshots were asked for");
      w.quiesce();
      return;
    }
    List<SimCoordinator> leaders = w.coordinators().stream().filter(SimCoordinator::canStart).toList();
    if (submitted < w.plan.transactions() && !leaders.isEmpty()) {
      submitted++;
      leaders.get(w.rnd.nextInt(leaders.size())).submit(String.format("gs-%03d", submitted), members());
    }
    if (deletes < w.plan.deletes() && w.chance(0.1)) {
      delete();
    }
    schedule();
  }

  private void delete() {
    List<SimCoordinator> serving = w.coordinators().stream().filter(SimCoordinator::canServe).toList();
    List<String> listed = w.store.catalog().stream().map(g -> g.getId()).toList();
    if (serving.isEmpty() || listed.isEmpty()) {
      return;
    }
    deletes++;
    serving.get(w.rnd.nextInt(serving.size())).delete(listed.get(w.rnd.nextInt(listed.size())));
  }

  private List<Member> members() {
    List<Member> all = new ArrayList<>();
    for (SimAgent a : w.agents) {
      all.add(new Member(a.id(), "sim://" + a.id(), List.of(SimVolume.NAME)));
    }
    if (w.rnd.nextInt(10) < 7) {
      return all;
    }
    List<Member> some = new ArrayList<>();
    for (Member m : all) {
      if (w.rnd.nextBoolean()) {
        some.add(m);
      }
    }
    return some.isEmpty() ? all.subList(0, 1) : some;
  }
}
