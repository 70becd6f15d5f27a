package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.resolve.LeaderRecords;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The production {@code Resolver}'s and {@code Deleter}'s {@link LeaderRecords} in the simulation, bound to one term
 * of one coordinator process. Reads come straight from the {@link SimStore} (a linearizable read); writes go through
 * the process's {@link StoreClient}, with its fence, lanes, latency and failures, and their futures complete from its
 * callbacks on the event loop. The registered agents are those that are up. Recovery neither records agents (the
 * roster is not simulated) nor prunes (the invariants read every record).
 */
final class SimRecords implements LeaderRecords {
  private final World w;
  private final SimCoordinator owner;
  private final SimCoordinator.Term term;

  SimRecords(World w, SimCoordinator owner, SimCoordinator.Term term) {
    this.w = w;
    this.owner = owner;
    this.term = term;
  }

  @Override
  public long epoch() {
    return term.epoch();
  }

  @Override
  public boolean current() {
    return owner.alive() && owner.term() == term;
  }

  @Override
  public List<GroupSnapshot> unfinished() {
    return w.store.unfinished();
  }

  @Override
  public List<GroupSnapshot> unfinalized() {
    return w.store.unfinalized();
  }

  @Override
  public List<GroupSnapshot> deleting() {
    return w.store.deleting();
  }

  @Override
  public Optional<GroupSnapshot> get(String id) {
    return w.store.txn(id).map(SimStore.Versioned::record);
  }

  @Override
  public Map<String, String> registeredEndpoints() {
    Map<String, String> up = new TreeMap<>();
    w.agents.stream().filter(SimAgent::up).forEach(a -> up.put(a.id(), "sim://" + a.id()));
    return up;
  }

  @Override
  public CompletableFuture<Optional<GroupSnapshot>> replaceTxn(String id, Predicate<GroupSnapshot> expected,
      UnaryOperator<GroupSnapshot> change) {
    CompletableFuture<Optional<GroupSnapshot>> f = new CompletableFuture<>();
    owner.store().replace(id, expected, change, term, (written, e) -> {
      if (e == null) {
        f.complete(Optional.ofNullable(written));
      } else {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  @Override
  public CompletableFuture<GroupSnapshot> markDeleting(GroupSnapshot g) {
    CompletableFuture<GroupSnapshot> f = new CompletableFuture<>();
    owner.store().markDeleting(g.getId(), term, (marked, e) -> complete(f, marked, e));
    return f;
  }

  @Override
  public CompletableFuture<GroupSnapshot> markDeleted(GroupSnapshot g) {
    CompletableFuture<GroupSnapshot> f = new CompletableFuture<>();
    owner.store().markDeleted(g.getId(), term, (marked, e) -> complete(f, marked, e));
    return f;
  }

  @Override
  public CompletableFuture<Void> rememberAgents() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> prune() {
    return CompletableFuture.completedFuture(null);
  }

  private static void complete(CompletableFuture<GroupSnapshot> f, GroupSnapshot record, Exception e) {
    if (e == null) {
      f.complete(record);
    } else {
      f.completeExceptionally(e);
    }
  }
}
