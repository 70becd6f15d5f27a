package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The part of a deletion that talks to agents, shared by the operator's deletion and recovery. */
final class Deletion {
  private Deletion() {}

  /**
   * As {@code Coordinator#deleteCaptures}: DELETE to every member agent at once, with the term's epoch; {@code done}
   * gets what failed (an agent not registered, a refusal, a missed deadline), empty when every capture is gone.
   */
  static void deleteCaptures(World w, SimCoordinator owner, SimCoordinator.Term term, GroupSnapshot g,
      Consumer<List<String>> done) {
    List<Member> members = members(g);
    TxnSpec spec = Recovery.spec(w, owner, term, g.getId(), members);
    List<String> problems = new ArrayList<>();
    int[] outstanding = {0};
    for (Member m : members) {
      if (!w.agent(m.agentId()).up()) {
        problems.add("agent " + m.agentId() + " is not registered");
      } else {
        outstanding[0]++;
      }
    }
    if (outstanding[0] == 0) {
      done.accept(problems);
      return;
    }
    for (Member m : members) {
      if (!w.agent(m.agentId()).up()) {
        continue;
      }
      Request req = new Request(Request.Kind.DELETE, spec, m, "");
      w.network.call(owner, req, req.deadline(), reply -> {
        Ack ack = (Ack) reply;
        if (!ack.ok()) {
          problems.add(ack.error());
        }
        if (--outstanding[0] == 0) {
          done.accept(problems);
        }
      });
    }
  }

  /** The record once every capture is gone. */
  static GroupSnapshot deleted(GroupSnapshot deleting, Clock clock) {
    return deleting.toBuilder().setState(GroupSnapshotState.DELETED).setFinishedAtMillis(clock.millis()).build();
  }

  /** A record's members, one per agent, with their volumes. */
  static List<Member> members(GroupSnapshot g) {
    Map<String, List<String>> byAgent = new LinkedHashMap<>();
    for (MemberRecord m : g.getMembersList()) {
      byAgent.computeIfAbsent(m.getAgentId(), k -> new ArrayList<>()).add(m.getVolume());
    }
    List<Member> members = new ArrayList<>();
    byAgent.forEach((agent, vols) -> members.add(new Member(agent, "sim://" + agent, vols)));
    return members;
  }
}
