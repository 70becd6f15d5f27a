package io.groupsnap.coordinator.restores;

import io.groupsnap.coordinator.groupcheck.GroupCheckRunner;
import io.groupsnap.coordinator.groupcheck.GroupChecks;
import io.groupsnap.proto.v1.GroupCheck;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.Verification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The second half of a test restore whose group has a group check ({@link GroupChecks}): the agents kept their
 * checked copies ({@code keep_scratch}); when every member passed its own checks the configured command runs once over
 * all their copies ({@link GroupCheckRunner}), and then, whatever happened, every agent is asked to discard its
 * copies. An agent that cannot be reached for the discard removes them itself once its keep limit passes; the answer
 * then shows its members' scratch as not removed. Thread-safe (stateless but for its collaborators).
 */
final class GroupCheckPhase {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GroupCheckPhase.class);

  private final GroupChecks checks;
  private final GroupCheckRunner runner;
  private final RestoreClient client;

  GroupCheckPhase(GroupChecks checks, GroupCheckRunner runner, RestoreClient client) {
    this.checks = checks;
    this.runner = runner;
    this.client = client;
  }

  /** The check that applies to a group ("": a group snapshot no backup run took, so only "*"). */
  Optional<GroupChecks.Check> applies(String group) {
    return runner == null ? Optional.empty() : checks.forGroup(group);
  }

  /**
   * Finishes a test restore whose copies were kept: {@code judge} gives the members' verdict, then the group check
   * runs when that is VERIFIED, then every agent in {@code agents} discards its copies. A restore that failed as a
   * whole ({@code restored} completing exceptionally) is discarded too, and fails as it did.
   */
  CompletableFuture<RestoreGroupSnapshotResponse> finish(CompletableFuture<RestoreGroupSnapshotResponse> restored,
      Function<RestoreGroupSnapshotResponse, RestoreGroupSnapshotResponse> judge, GroupChecks.Check check,
      Set<String> agents, String restoreId, String group) {
    return restored.handle((r, e) -> {
      if (e != null) {
        return discard(agents, restoreId).<RestoreGroupSnapshotResponse>thenApply(x -> {
          throw e instanceof CompletionException c ? c : new CompletionException(e);
        });
      }
      RestoreGroupSnapshotResponse judged = judge.apply(r);
      CompletableFuture<GroupCheck> ran = judged.getVerification() == Verification.VERIFIED
          ? runner.run(check, judged.getMembersList(), Map.of("GROUPSNAP_GROUP_SNAPSHOT_ID",
              judged.getGroupSnapshotId(), "GROUPSNAP_GROUP", group, "GROUPSNAP_RESTORE_ID", restoreId))
          : CompletableFuture.completedFuture(GroupCheck.newBuilder().setConfigKey(check.key())
              .setReason("group check " + check.key() + ": not run, a member failed its own checks").build());
      return ran.thenCompose(gc -> discard(agents, restoreId).thenApply(removed ->
          scratchRemoved(TestVerdict.withGroupCheck(judged, gc), removed)));
    }).thenCompose(Function.identity());
  }

  /** Asks every agent to discard; completes with each removed member's scratch state by agent:volume. */
  private CompletableFuture<Map<String, Boolean>> discard(Set<String> agents, String restoreId) {
    List<CompletableFuture<RestoreClient.Answer>> calls = new ArrayList<>();
    for (String agent : agents) {
      calls.add(client.discard(agent, restoreId).thenApply(a -> {
        if (a.kind() != RestoreClient.Kind.ANSWERED && a.kind() != RestoreClient.Kind.UNKNOWN_RESTORE) {
          log.warn("test restore {}: cannot discard the kept scratch on agent {} (it removes it by itself later): {}",
              restoreId, agent, a.reason());
        }
        return a;
      }));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(x -> {
      Map<String, Boolean> removed = new HashMap<>();
      for (CompletableFuture<RestoreClient.Answer> c : calls) {
        for (MemberRestore m : c.join().volumes()) {
          removed.put(m.getAgentId() + ":" + m.getVolume(), m.getScratchRemoved());
        }
      }
      return removed;
    });
  }

  private static RestoreGroupSnapshotResponse scratchRemoved(RestoreGroupSnapshotResponse r,
      Map<String, Boolean> removed) {
    RestoreGroupSnapshotResponse.Builder b = r.toBuilder();
    for (int i = 0; i < b.getMembersCount(); i++) {
      MemberRestore m = b.getMembers(i);
      Boolean gone = removed.get(m.getAgentId() + ":" + m.getVolume());
      if (gone != null) {
        b.setMembers(i, m.toBuilder().setScratchRemoved(gone || m.getScratchRemoved()));
      }
    }
    return b.build();
  }
}
