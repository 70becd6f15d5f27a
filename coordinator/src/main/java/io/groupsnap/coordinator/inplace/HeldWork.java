package io.groupsnap.coordinator.inplace;

import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.groups.GroupResolver;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.runs.RunRecords;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The agents held by work other than in-place restores, read from ZooKeeper: every undecided group snapshot
 * transaction record (its members), and every backup run that goes on (the members of its group snapshot once it has
 * one, else its group's members as they resolve now). Thread-safe.
 */
public final class HeldWork implements Overlaps.OtherWork {
  private final ClusterStore transactions;
  private final RunCatalog runs;
  private final GroupCatalog groups;
  private final RunDriver.Agents agents;

  public HeldWork(ClusterStore transactions, RunCatalog runs, GroupCatalog groups, RunDriver.Agents agents) {
    this.transactions = transactions;
    this.runs = runs;
    this.groups = groups;
    this.agents = agents;
  }

  @Override
  public List<Overlaps.Held> held() throws Exception {
    List<Overlaps.Held> out = new ArrayList<>();
    for (GroupSnapshot g : transactions.unfinished()) {
      out.add(new Overlaps.Held("group snapshot " + g.getId() + " (" + g.getState() + ")", agentsOf(g)));
    }
    for (BackupRun r : runs.list(null).records()) {
      if (RunRecords.going(r.getState())) {
        out.add(new Overlaps.Held("backup run " + r.getId() + " (" + r.getState() + ")", agentsOf(r)));
      }
    }
    return out;
  }

  private static Set<String> agentsOf(GroupSnapshot g) {
    return g.getMembersList().stream().map(MemberRecord::getAgentId).collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> agentsOf(BackupRun r) throws Exception {
    if (!r.getGroupSnapshotId().isEmpty()) {
      Optional<GroupSnapshot> g = transactions.get(r.getGroupSnapshotId());
      if (g.isPresent()) {
        return agentsOf(g.get());
      }
    }
    Optional<GroupSpec> spec;
    try {
      spec = groups.find(r.getGroup());
    } catch (Exception damaged) {
      spec = Optional.empty();
    }
    if (spec.isEmpty()) {
      return Set.of();
    }
    return GroupResolver.resolve(spec.get(), agents.registered()).members().stream().map(MemberSelector::getAgentId)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
