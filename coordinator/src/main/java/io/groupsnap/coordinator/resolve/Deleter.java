package io.groupsnap.coordinator.resolve;

import io.groupsnap.coordinator.exec.Deadlines;
import io.groupsnap.coordinator.exec.Scheduler;
import java.time.Duration;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.txn.AgentClient;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Deletes committed group snapshots: the record becomes DELETING (its manifest leaves the catalog) before any capture
 * is touched, so a half-deleted group snapshot is never listed as restorable; then every member deletes its captures,
 * all at once; then the record becomes DELETED. A deletion that fails half-way leaves the record DELETING, and running
 * it again (the operator, or the leader's {@link Resolver}) finishes it. Idempotent: a deleted group snapshot deletes
 * nothing more.
 *
 * <p>Talks to agents only through the {@link AgentClient} port and to the store through {@link LeaderRecords}.
 * Never waits for an agent: each step continues on {@code lane} once the previous one's future completed (the
 * daemon's store calls are synchronous ZooKeeper operations on the lane). Thread-safe (stateless
 * but for its collaborators).
 */
public final class Deleter {
  /**
   * What a deletion did.
   *
   * @param snapshot the record as it is at the end: DELETED
   * @param deletedCaptures how many captures the members deleted now (0 when they were gone already)
   */
  public record Outcome(GroupSnapshot snapshot, int deletedCaptures) {}

  private final AgentClient agents;
  private final CallSpecs specs;
  private final Scheduler lane;

  public Deleter(AgentClient agents, CallSpecs specs, Scheduler lane) {
    this.agents = agents;
    this.specs = specs;
    this.lane = lane;
  }

  /**
   * Deletes the group snapshot {@code g} (its record as just read): COMMITTED or DELETING is deleted, DELETED is
   * answered with 0 captures; another state fails with {@link IllegalStateException}, as does a deletion whose
   * captures could not all be deleted (naming each member that failed, and why).
   */
  public CompletableFuture<Outcome> delete(LeaderRecords records, GroupSnapshot g) {
    return CompletableFuture.supplyAsync(() -> g, lane).thenComposeAsync(now -> switch (now.getState()) {
      case DELETED -> CompletableFuture.completedFuture(new Outcome(now, 0));
      case COMMITTED -> records.markDeleting(now).thenComposeAsync(marked -> finish(records, marked), lane);
      case DELETING -> finish(records, now);
      default -> CompletableFuture.failedFuture(new IllegalStateException("group snapshot " + now.getId() + " is "
          + now.getState() + "; only committed group snapshots can be deleted"));
    }, lane);
  }

  /**
   * Finishes a deletion already begun ({@code deleting} is DELETING): every member's captures, then the record
   * DELETED. To be called on the lane.
   */
  public CompletableFuture<Outcome> finish(LeaderRecords records, GroupSnapshot deleting) {
    return deleteCaptures(records, deleting).thenComposeAsync(n -> {
      if (!records.current()) {
        throw new CompletionException(new FencedWriteException("the term of epoch " + records.epoch()
            + " ended before the deletion of " + deleting.getId() + " was recorded"));
      }
      return records.markDeleted(deleting).thenApply(done -> new Outcome(done, n));
    }, lane);
  }

  /**
   * Deletes every member's captures of a group snapshot already DELETING, all members at once: how many were
   * deleted, or {@link IllegalStateException} naming what failed (a member not registered, a call that failed).
   */
  private CompletableFuture<Integer> deleteCaptures(LeaderRecords records, GroupSnapshot g) {
    Map<String, String> endpoints;
    try {
      endpoints = records.registeredEndpoints();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    List<String> problems = new ArrayList<>();
    List<Member> called = new ArrayList<>();
    for (Member m : CallSpecs.members(g, endpoints)) {
      if (m.endpoint().isEmpty()) {
        if (!retired(records, m.agentId(), problems)) {
          problems.add("agent " + m.agentId() + " is not registered (forget it with `groupsnap agents forget "
              + m.agentId() + "` if its host is retired)");
        }
      } else {
        called.add(m);
      }
    }
    if (called.isEmpty()) {
      return CompletableFuture.completedFuture(0).thenApply(n -> settle(g, n, problems));
    }
    TxnSpec spec = specs.spec(g.getId(), records.epoch(), called);
    // each call ends with its own deadline; the bound only keeps a deletion from waiting for ever on one that would not
    Duration limit = spec.deleteDeadline().plus(specs.finishTimeout());
    List<CompletableFuture<Replies.Deleted>> calls = called.stream()
        .map(m -> Deadlines.within(agents.delete(spec, m), limit, lane, "agent " + m.agentId() + " did not answer")
            .exceptionally(e -> Replies.Deleted.failed(Replies.Failure.TIMED_OUT, e.getMessage())))
        .toList();
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApplyAsync(v -> {
      int deleted = 0;
      for (CompletableFuture<Replies.Deleted> call : calls) {
        Replies.Deleted d = call.join();
        if (d.ok()) {
          deleted += d.captures();
        } else {
          problems.add(d.error());
        }
      }
      return settle(g, deleted, problems);
    }, lane);
  }

  /** Whether the agent was retired; a failure to tell is a problem of the deletion (it is tried again). */
  private static boolean retired(LeaderRecords records, String agentId, List<String> problems) {
    try {
      return records.retired(agentId);
    } catch (Exception e) {
      problems.add("could not tell whether agent " + agentId + " is retired: " + e.getMessage());
      return true; // the problem is recorded: the deletion stays unfinished
    }
  }

  private static int settle(GroupSnapshot g, int deleted, List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalStateException("group snapshot " + g.getId() + " is partly deleted and no longer listed; "
          + "run the delete again to finish (" + String.join("; ", problems) + ")");
    }
    return deleted;
  }
}
