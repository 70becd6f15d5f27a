package io.groupsnap.coordinator.resolve;

import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the calls of the {@link Resolver} and the {@link Deleter} carry: the transaction spec of a recorded group
 * snapshot (the cluster, the term's epoch, this coordinator, the configured deadlines), and its members. Immutable.
 *
 * @param clusterId the cluster's id, sent with every call
 * @param coordinator this coordinator's id (its endpoint)
 */
public record CallSpecs(String clusterId, String coordinator, Duration prepareTimeout, Duration freezeTimeout,
    Duration thawTimeout, Duration finishTimeout) {

  /**
   * The spec of calls about group snapshot {@code id} in term {@code epoch}; the lease is the freeze timeout and a
   * second (nothing is frozen by these calls).
   *
   * @throws IllegalArgumentException when {@code members} is empty
   */
  public TxnSpec spec(String id, long epoch, List<Member> members) {
    return new TxnSpec(id, clusterId, epoch, coordinator, members, prepareTimeout, freezeTimeout,
        freezeTimeout.plusSeconds(1), thawTimeout, finishTimeout);
  }

  /**
   * A record's members, one per agent in the record's order with its volumes, at the endpoint it is registered at
   * now: empty when it is not registered.
   */
  public static List<Member> members(GroupSnapshot g, Map<String, String> endpoints) {
    Map<String, List<String>> byAgent = new LinkedHashMap<>();
    for (MemberRecord m : g.getMembersList()) {
      byAgent.computeIfAbsent(m.getAgentId(), k -> new ArrayList<>()).add(m.getVolume());
    }
    List<Member> members = new ArrayList<>();
    byAgent.forEach((agent, vols) -> members.add(new Member(agent, endpoints.getOrDefault(agent, ""), vols)));
    return members;
  }
}
