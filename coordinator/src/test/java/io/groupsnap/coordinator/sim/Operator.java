package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator asking for group snapshots: every few milliseconds it picks a coordinator that believes it leads, has
 * recovered and is idle — possibly a zombie — and asks it for the next one, of every host or of a random subset. When
 * all have been asked for and none runs any more, the run winds down.
 */
final class Operator {
  private final World w;
  private int submitted;
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
    schedule();
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
