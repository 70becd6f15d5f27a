package io.groupsnap.coordinator.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.txn.AgentClient;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.Replies;
import io.groupsnap.coordinator.txn.TxnSpec;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The {@link Resolver} on a lane driven by hand: its backoff and giving up are on the lane's time, it never waits on
 * the caller's thread, and a term that ends stops it. (Against real ZooKeeper and agents: LeaderResolutionTest and
 * SuccessorAbortTest; under faults: the simulation.)
 */
class ResolverTest {
  final Lane lane = new Lane();
  final Records records = new Records();
  final Agents agents = new Agents();
  final List<String> heard = new ArrayList<>();
  final CallSpecs specs = new CallSpecs("cluster", "c1", Duration.ofSeconds(1), Duration.ofSeconds(1),
      Duration.ofSeconds(1), Duration.ofSeconds(1));
  final Resolver resolver = new Resolver(agents, new Deleter(agents, specs, lane), specs, lane,
      Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC), Duration.ofMillis(500), new ResolutionListener() {
        @Override
        public void attemptFailed(Pass pass, int attempt, int attempts, Throwable why) {
          heard.add("attempt " + attempt + " of " + attempts + " failed at " + lane.now + "ms");
        }

        @Override
        public void gaveUp(Pass pass) {
          heard.add("gave up at " + lane.now + "ms");
        }

        @Override
        public void couldNotResolve(Pass pass, String what, String id, Throwable why) {
          heard.add("could not " + what + " " + id);
        }
      });

  @Test
  void recovery_backsOffDoublingOnTheLane_andGivesUpAfterTheLastAttempt_whenTheStoreCannotBeRead() {
    records.unreadable = true;

    CompletableFuture<Resolver.Recovery> outcome = resolver.recover(records);
    assertThat(outcome).as("returns at once: nothing ran on the caller's thread").isNotDone();
    lane.runAll();

    assertThat(outcome).isCompletedWithValue(Resolver.Recovery.GAVE_UP);
    assertThat(heard).containsExactly("attempt 1 of 5 failed at 0ms", "attempt 2 of 5 failed at 500ms",
        "attempt 3 of 5 failed at 1500ms", "attempt 4 of 5 failed at 3500ms", "attempt 5 of 5 failed at 7500ms",
        "gave up at 7500ms");
  }

  @Test
  void recovery_stopsWithoutWriting_whenTheTermEndsWhileAnAgentHasNotAnswered() {
    records.put(record("gs-1", GroupSnapshotState.PREPARING, "a1"));
    agents.answering = false;

    CompletableFuture<Resolver.Recovery> outcome = resolver.recover(records);
    lane.runAll(0);
    assertThat(agents.aborts).containsExactly("gs-1 to a1");
    records.current = false; // deposed while the ABORT is out
    lane.runAll();

    assertThat(outcome).isCompletedWithValue(Resolver.Recovery.SUPERSEDED);
    assertThat(records.get("gs-1").orElseThrow().getState()).isEqualTo(GroupSnapshotState.PREPARING);
    assertThat(heard).isEmpty();
  }

  @Test
  void aRecordThatCannotBeResolved_isReported_andTheOthersAreResolved() {
    records.put(record("gs-0", GroupSnapshotState.PREPARING)); // no members: no transaction can be rebuilt
    records.put(record("gs-1", GroupSnapshotState.PREPARING, "a1", "a2"));
    records.registered.remove("a2");

    CompletableFuture<Resolver.Recovery> outcome = resolver.recover(records);
    lane.runAll();

    assertThat(outcome).isCompletedWithValue(Resolver.Recovery.RECOVERED);
    assertThat(heard).containsExactly("could not abort gs-0");
    GroupSnapshot g = records.get("gs-1").orElseThrow();
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(g.getFinishedAtMillis()).as("from the injected clock").isEqualTo(1_000);
    assertThat(g.getMembers(0).getState()).isEqualTo(MemberState.MEMBER_ABORTED);
    assertThat(g.getMembers(1).getState()).as("a2 is not registered: never called").isEqualTo(
        MemberState.MEMBER_UNKNOWN);
    assertThat(agents.aborts).containsExactly("gs-1 to a1");
  }

  @Test
  void aCommitIsFinalized_onlyWhenEveryMemberConfirmed() {
    records.put(record("gs-1", GroupSnapshotState.COMMITTED, "a1", "a2"));
    records.put(record("gs-2", GroupSnapshotState.COMMITTED, "a1"));
    records.registered.remove("a2");

    CompletableFuture<Void> pass = resolver.resolve(records, id -> false);
    lane.runAll();

    assertThat(pass).isDone();
    assertThat(records.get("gs-1").orElseThrow().getFinalized()).as("a2 was not told").isFalse();
    assertThat(records.get("gs-2").orElseThrow().getFinalized()).isTrue();
  }

  static GroupSnapshot record(String id, GroupSnapshotState state, String... agents) {
    GroupSnapshot.Builder b = GroupSnapshot.newBuilder().setId(id).setState(state).setEpoch(1);
    for (String a : agents) {
      b.addMembers(MemberRecord.newBuilder().setAgentId(a).setVolume("data").setState(MemberState.MEMBER_PENDING));
    }
    return b.build();
  }

  /** A lane whose time moves only as its tasks run: milliseconds, in (time, order) order. */
  static final class Lane implements Scheduler {
    record Task(long at, long seq, Runnable run) {}

    final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
        : Long.compare(a.seq, b.seq));
    long now;
    long seq;

    @Override
    public void execute(Runnable task) {
      queue.add(new Task(now, seq++, task));
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      Task t = new Task(now + delay.toMillis(), seq++, task);
      queue.add(t);
      return () -> queue.remove(t);
    }

    void runAll() {
      runAll(Long.MAX_VALUE);
    }

    /** Runs every task due up to {@code until}. */
    void runAll(long until) {
      while (!queue.isEmpty() && queue.peek().at <= until) {
        Task t = queue.poll();
        now = t.at;
        t.run.run();
      }
    }
  }

  /** Records in memory, of a term that is current until the test says otherwise. */
  static final class Records implements LeaderRecords {
    final Map<String, GroupSnapshot> byId = new TreeMap<>();
    final Map<String, String> registered = new TreeMap<>(Map.of("a1", "host1:1", "a2", "host2:1"));
    boolean current = true;
    boolean unreadable;

    void put(GroupSnapshot g) {
      byId.put(g.getId(), g);
    }

    @Override
    public long epoch() {
      return 2;
    }

    @Override
    public boolean current() {
      return current;
    }

    private List<GroupSnapshot> where(Predicate<GroupSnapshot> p) throws Exception {
      if (unreadable) {
        throw new IllegalStateException("ConnectionLoss");
      }
      return byId.values().stream().filter(p).toList();
    }

    @Override
    public List<GroupSnapshot> unfinished() throws Exception {
      return where(g -> ClusterStore.undecided(g.getState()));
    }

    @Override
    public List<GroupSnapshot> unfinalized() throws Exception {
      return where(g -> g.getState() == GroupSnapshotState.COMMITTED && !g.getFinalized());
    }

    @Override
    public List<GroupSnapshot> deleting() throws Exception {
      return where(g -> g.getState() == GroupSnapshotState.DELETING);
    }

    @Override
    public Optional<GroupSnapshot> get(String id) {
      return Optional.ofNullable(byId.get(id));
    }

    @Override
    public Map<String, String> registeredEndpoints() {
      return registered;
    }

    @Override
    public CompletableFuture<Optional<GroupSnapshot>> replaceTxn(String id, Predicate<GroupSnapshot> expected,
        UnaryOperator<GroupSnapshot> change) {
      Optional<GroupSnapshot> written = get(id).filter(expected).map(change);
      written.ifPresent(this::put);
      return CompletableFuture.completedFuture(written);
    }

    @Override
    public CompletableFuture<GroupSnapshot> markDeleting(GroupSnapshot g) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletableFuture<GroupSnapshot> markDeleted(GroupSnapshot g) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletableFuture<Void> rememberAgents() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> prune() {
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Agents that confirm every ABORT and COMMIT at once, or never answer. */
  static final class Agents implements AgentClient {
    final List<String> aborts = new ArrayList<>();
    boolean answering = true;

    private <T> CompletableFuture<T> answer(T reply) {
      return answering ? CompletableFuture.completedFuture(reply) : new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<Replies.Ack> abort(TxnSpec spec, Member member, String reason) {
      aborts.add(spec.txnId() + " to " + member.agentId());
      return answer(Replies.Ack.aborted(Replies.Held.NONE));
    }

    @Override
    public CompletableFuture<Replies.Ack> commit(TxnSpec spec, Member member) {
      return answer(Replies.Ack.OK);
    }

    @Override
    public CompletableFuture<Replies.PrepareReply> prepare(TxnSpec spec, Member member) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Replies.FreezeReply> freeze(TxnSpec spec, Member member) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Replies.ThawReply> thaw(TxnSpec spec, Member member) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Replies.Deleted> delete(TxnSpec spec, Member member) {
      return answer(Replies.Deleted.of(member.volumes().size()));
    }
  }
}
