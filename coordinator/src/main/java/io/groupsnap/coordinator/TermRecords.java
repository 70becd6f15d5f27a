package io.groupsnap.coordinator;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.resolve.LeaderRecords;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * {@link LeaderRecords} in ZooKeeper for one leadership term: the {@link ClusterStore} with every write fenced by the
 * term's {@link ClusterStore.Fence}, and the {@link Roster}. Synchronous: a write is made before its (completed)
 * future is returned, on the caller's thread (the resolver's lane, or the thread of an operator's call). Thread-safe
 * as the store is.
 */
final class TermRecords implements LeaderRecords {
  /** A write, made now. */
  @FunctionalInterface
  private interface Write<T> {
    T make() throws Exception;
  }

  private final ClusterStore store;
  private final Roster roster;
  private final Leadership leadership;
  private final Leadership.Term term;

  TermRecords(ClusterStore store, Roster roster, Leadership leadership, Leadership.Term term) {
    this.store = store;
    this.roster = roster;
    this.leadership = leadership;
    this.term = term;
  }

  @Override
  public long epoch() {
    return term.epoch();
  }

  @Override
  public boolean current() {
    return leadership.term().filter(term::equals).isPresent();
  }

  @Override
  public List<GroupSnapshot> unfinished() throws Exception {
    return store.unfinished();
  }

  @Override
  public List<GroupSnapshot> unfinalized() throws Exception {
    return store.unfinalized();
  }

  @Override
  public List<GroupSnapshot> deleting() throws Exception {
    return store.deleting();
  }

  @Override
  public Optional<GroupSnapshot> get(String id) throws Exception {
    return store.get(id);
  }

  @Override
  public Map<String, String> registeredEndpoints() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (AgentRegistration a : store.agents()) {
      out.put(a.getAgentId(), a.getEndpoint());
    }
    return out;
  }

  @Override
  public CompletableFuture<Optional<GroupSnapshot>> replaceTxn(String id, Predicate<GroupSnapshot> expected,
      UnaryOperator<GroupSnapshot> change) {
    return now(() -> store.replaceTxn(id, expected, change, term.fence()));
  }

  @Override
  public CompletableFuture<GroupSnapshot> markDeleting(GroupSnapshot g) {
    return now(() -> store.markDeleting(g, term.fence()));
  }

  @Override
  public CompletableFuture<GroupSnapshot> markDeleted(GroupSnapshot g) {
    return now(() -> store.markDeleted(g, term.fence()));
  }

  @Override
  public boolean retired(String agentId) throws Exception {
    return !roster.knows(agentId);
  }

  @Override
  public CompletableFuture<Void> rememberAgents() {
    return now(() -> {
      roster.remember();
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> prune() {
    return now(() -> {
      store.pruneRecords(term.fence(), Coordinator.RECORD_RETENTION, Coordinator.RECORDS_KEPT);
      return null;
    });
  }

  private static <T> CompletableFuture<T> now(Write<T> write) {
    try {
      return CompletableFuture.completedFuture(write.make());
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
