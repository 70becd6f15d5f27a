package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a new leader does before anything else, as {@code Coordinator#recover}: for every record left unfinished, one
 * after another, send ABORT with the new epoch to each member registered now (one at a time, each bounded by the
 * finish timeout), then adopt the record's version and write it ABORTED. If a write fails, the leader never becomes
 * ready, as in the real code. Simplification: a recovery whose leadership ends stops at once (the real one runs on
 * until its fenced write fails).
 */
final class Recovery {
  private final World w;
  private final SimCoordinator owner;
  private final SimCoordinator.Term term;
  private final ArrayDeque<GroupSnapshot> todo = new ArrayDeque<>();
  private final Set<String> registered = new TreeSet<>();
  private Runnable ready;

  Recovery(World w, SimCoordinator owner, SimCoordinator.Term term) {
    this.w = w;
    this.owner = owner;
    this.term = term;
  }

  void start(Runnable whenReady) {
    this.ready = whenReady;
    todo.addAll(w.store.unfinished());
    w.agents.stream().filter(SimAgent::up).forEach(a -> registered.add(a.id()));
    next();
  }

  private boolean current() {
    return owner.alive() && owner.term() == term;
  }

  private void next() {
    if (!current()) {
      return;
    }
    GroupSnapshot g = todo.poll();
    if (g == null) {
      ready.run();
      return;
    }
    Map<String, List<String>> byAgent = new LinkedHashMap<>();
    for (MemberRecord m : g.getMembersList()) {
      byAgent.computeIfAbsent(m.getAgentId(), k -> new ArrayList<>()).add(m.getVolume());
    }
    List<Member> members = new ArrayList<>();
    byAgent.forEach((agent, vols) -> members.add(new Member(agent, "sim://" + agent, vols)));
    FaultPlan p = w.plan;
    TxnSpec spec = new TxnSpec(g.getId(), w.clusterId, term.epoch(), owner.name(), members, p.prepareTimeout(),
        p.freezeTimeout(), p.freezeTimeout().plusSeconds(1), p.thawTimeout(), p.finishTimeout());
    String reason = g.getAbortReason().isEmpty() ? "leader changed before the decision" : g.getAbortReason();
    w.stats.count(SimStats.Outcome.RECOVERY_ABORTS);
    w.note(owner.name() + " aborts " + g.getId() + " left " + g.getState() + " by epoch " + g.getEpoch());
    abortMember(g, spec, reason, 0);
  }

  private void abortMember(GroupSnapshot g, TxnSpec spec, String reason, int i) {
    if (!current()) {
      return;
    }
    if (i == spec.members().size()) {
      GroupSnapshot aborted = g.toBuilder().setState(GroupSnapshotState.ABORTED).setAbortReason(reason)
          .setFinishedAtMillis(owner.clock().millis()).build();
      owner.store().abortLeftover(aborted, term, e -> {
        if (e == null) {
          next();
        } else {
          w.note(owner.name() + ": recovery failed (" + e.getMessage() + "); it will not become ready");
        }
      });
      return;
    }
    Member m = spec.members().get(i);
    if (!registered.contains(m.agentId())) {
      abortMember(g, spec, reason, i + 1);
      return;
    }
    Request req = new Request(Call.ABORT, spec, m, reason);
    w.network.call(owner, req, req.deadline(), reply -> abortMember(g, spec, reason, i + 1));
  }
}
