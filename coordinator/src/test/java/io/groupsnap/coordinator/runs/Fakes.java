package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.ExportTargetInfo;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.VolumeInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Test implementations of the run driver's ports (also used by the retention tests). */
public final class Fakes {
  private Fakes() {}

  static AgentRegistration agent(String id, String target, String... volumes) {
    AgentRegistration.Builder b = AgentRegistration.newBuilder().setAgentId(id).setEndpoint("127.0.0.1:1");
    for (String v : volumes) {
      b.addVolumes(VolumeInfo.newBuilder().setName(v).setKind("dir"));
    }
    if (target != null) {
      b.addExportTargets(ExportTargetInfo.newBuilder().setName(target).setKind("restic"));
    }
    return b.build();
  }

  public static GroupSpec group(String name, String target, String... agents) {
    GroupSpec.Builder b = GroupSpec.newBuilder().setName(name).setExportTarget(target == null ? "" : target);
    for (String a : agents) {
      b.addMembers(GroupMember.newBuilder().setAgentId(a));
    }
    return b.build();
  }

  /** Groups in memory. */
  public static final class Groups implements GroupCatalog {
    final Map<String, GroupSpec> groups = new ConcurrentHashMap<>();

    public Groups put(GroupSpec g) {
      groups.put(g.getName(), g);
      return this;
    }

    @Override
    public Optional<GroupSpec> find(String name) {
      return Optional.ofNullable(groups.get(name));
    }

    @Override
    public Listing<GroupSpec> list() {
      return new Listing<>(List.copyOf(groups.values()), List.of());
    }
  }

  /**
   * Group snapshots whose outcomes the test scripts: each start takes the next outcome (a reason: ABORTED with it;
   * null: COMMITTED of the members given). Records what it was asked.
   */
  public static final class Snapshots implements GroupSnapshots {
    final Deque<String> outcomes = new ArrayDeque<>();
    final List<MemberRecord> members = new ArrayList<>();
    final Map<String, GroupSnapshot> records = new ConcurrentHashMap<>();
    final List<String> started = new ArrayList<>();
    public final List<String> deleted = new ArrayList<>();
    /** When set, starts hang (the future never completes): a leader that loses track. */
    boolean hang;

    final Map<String, List<MemberRecord>> byGroup = new HashMap<>();

    Snapshots member(String agent, String volume) {
      members.add(MemberRecord.newBuilder().setAgentId(agent).setVolume(volume).build());
      return this;
    }

    /** A member of one group's snapshots only. */
    Snapshots member(String group, String agent, String volume) {
      byGroup.computeIfAbsent(group, g -> new ArrayList<>())
          .add(MemberRecord.newBuilder().setAgentId(agent).setVolume(volume).build());
      return this;
    }

    @Override
    public CompletableFuture<GroupSnapshot> start(String txnId, String group, String runId) {
      started.add(txnId);
      String reason = outcomes.isEmpty() ? null : outcomes.poll();
      GroupSnapshot g = reason == null
          ? GroupSnapshot.newBuilder().setId(txnId).setState(GroupSnapshotState.COMMITTED).setGroup(group)
              .setRunId(runId).addAllMembers(byGroup.getOrDefault(group, members)).build()
          : GroupSnapshot.newBuilder().setId(txnId).setState(GroupSnapshotState.ABORTED).setAbortReason(reason)
              .build();
      if (hang) {
        records.put(txnId, g.toBuilder().setState(GroupSnapshotState.FREEZING).build());
        return new CompletableFuture<>();
      }
      records.put(txnId, g);
      return CompletableFuture.completedFuture(g);
    }

    @Override
    public Optional<GroupSnapshot> find(String txnId) {
      return Optional.ofNullable(records.get(txnId));
    }

    @Override
    public CompletableFuture<?> delete(String txnId) {
      deleted.add(txnId);
      return CompletableFuture.completedFuture(null);
    }
  }

  /**
   * Agents that export as the test scripts: an agent's export takes {@code steps} polls to finish, each step adding
   * bytes; its end is DONE, or FAILED with {@code failWith}; an unreachable agent answers UNREACHABLE. Counts how many
   * agents export at once (from an accepted start until an answer where every volume is finished).
   */
  public static final class Exports implements ExportClient {
    final Map<String, Integer> steps = new HashMap<>();
    final Map<String, String> failWith = new HashMap<>();
    public final Set<String> unreachable = new HashSet<>();
    final Map<String, Integer> polls = new HashMap<>();
    final Map<String, Order> orders = new HashMap<>();
    final List<String> startCalls = new ArrayList<>();
    public final List<String> forgotten = new ArrayList<>();
    final Set<String> exporting = new HashSet<>();
    int maxConcurrent;
    /** The agent answers to start calls as this function says, when set (e.g. refusals). */
    Function<String, Answer> startOverride;

    @Override
    public CompletableFuture<Answer> start(String agentId, Order order) {
      startCalls.add(agentId);
      if (unreachable.contains(agentId)) {
        return CompletableFuture.completedFuture(Answer.unreachable("agent " + agentId + ": connection refused"));
      }
      if (startOverride != null && startOverride.apply(agentId) != null) {
        return CompletableFuture.completedFuture(startOverride.apply(agentId));
      }
      orders.put(agentId, order);
      exporting.add(agentId);
      maxConcurrent = Math.max(maxConcurrent, exporting.size());
      return CompletableFuture.completedFuture(status(agentId, false));
    }

    @Override
    public CompletableFuture<Answer> get(String agentId, String runId) {
      if (unreachable.contains(agentId)) {
        return CompletableFuture.completedFuture(Answer.unreachable("agent " + agentId + ": connection refused"));
      }
      if (!orders.containsKey(agentId)) {
        return CompletableFuture.completedFuture(Answer.unknownRun("no export of " + runId));
      }
      return CompletableFuture.completedFuture(status(agentId, true));
    }

    private Answer status(String agentId, boolean poll) {
      int n = poll ? polls.merge(agentId, 1, Integer::sum) : polls.getOrDefault(agentId, 0);
      int need = steps.getOrDefault(agentId, 2);
      boolean end = n >= need;
      List<MemberExport> out = new ArrayList<>();
      for (String v : orders.get(agentId).volumes()) {
        MemberExport.Builder m = MemberExport.newBuilder().setAgentId(agentId).setVolume(v)
            .setState(ExportState.EXPORT_RUNNING).setBytesDone(100L * n).setBytesTotal(100L * need)
            .setFilesDone(n).setFilesTotal(need).setStartedAtMillis(1);
        if (end && failWith.containsKey(agentId)) {
          m.setState(ExportState.EXPORT_FAILED).setError(failWith.get(agentId));
        } else if (end) {
          m.setState(ExportState.EXPORT_DONE).setRepositorySnapshotId("snap-" + agentId + "-" + v)
              .setFinishedAtMillis(2);
        }
        out.add(m.build());
      }
      if (end) {
        exporting.remove(agentId);
      }
      return Answer.answered(out);
    }

    @Override
    public CompletableFuture<Answer> forget(String agentId, Order order, List<String> ids) {
      if (unreachable.contains(agentId)) {
        return CompletableFuture.completedFuture(Answer.unreachable("agent " + agentId + ": connection refused"));
      }
      forgotten.add(agentId + ":" + String.join(",", ids));
      return CompletableFuture.completedFuture(Answer.answered(List.of()));
    }
  }
}
