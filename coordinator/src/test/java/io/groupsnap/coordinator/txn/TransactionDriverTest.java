package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The driver on its ports alone: one hand-driven lane for events and deadlines (time moves only when the test says),
 * agents that answer at once or never, a store whose answer the test picks, and fault points that record their hits.
 */
class TransactionDriverTest {
  static final List<Member> MEMBERS = TransactionTest.MEMBERS;

  final Lane lane = new Lane();
  final List<String> hits = new ArrayList<>();
  final List<TxnState> written = new ArrayList<>();
  final List<TxnState> phases = new ArrayList<>();
  final Agents agents = new Agents();
  BiFunction<TxnState, GroupSnapshot, CompletableFuture<Void>> store = (s, r) -> CompletableFuture.completedFuture(null);
  final TransactionDriver driver = new TransactionDriver(agents, (s, r) -> {
    written.add(s);
    return store.apply(s, r);
  }, lane, Runnable::run, DecisionRule.STRICT, Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC), lane::now,
      hits::add);

  TransactionDriver.Progress progress = new TransactionDriver.Progress() {
    @Override
    public void phase(String txnId, TxnState state, String detail) {
      phases.add(state);
    }

    @Override
    public void member(String txnId, String agentId, MemberState state, String detail) {}
  };

  static TxnSpec spec(String id) {
    return new TxnSpec(id, "c-1", 7, "coord", MEMBERS, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @Test
  void hitsEveryCoordinatorFaultPointInProtocolOrder_whenATransactionCommits() {
    CompletableFuture<GroupSnapshot> result = driver.submit(spec("gs-1"), progress);
    lane.runDue();

    assertThat(result).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(hits).containsExactly("coordinator.after-freeze-sent", "coordinator.after-all-frozen",
        "coordinator.after-thaw-sent", "coordinator.before-commit-write", "coordinator.after-commit-write");
    assertThat(written).containsSubsequence(TxnState.BEGINNING, TxnState.COMMITTING);
    assertThat(driver.isRunning("gs-1")).isFalse();
  }

  @Test
  void endsInDoubt_withoutTheAfterCommitPoint_whenTheCommitWritesOutcomeIsUnknown() {
    store = (s, r) -> s == TxnState.COMMITTING
        ? CompletableFuture.failedFuture(new UncertainWriteException("connection loss, read back failed", null))
        : CompletableFuture.completedFuture(null);

    CompletableFuture<GroupSnapshot> result = driver.submit(spec("gs-1"), progress);
    lane.runDue();

    assertThat(result).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTING);
    assertThat(phases).last().isEqualTo(TxnState.IN_DOUBT);
    assertThat(hits).contains("coordinator.before-commit-write").doesNotContain("coordinator.after-commit-write");
    assertThat(agents.calls).doesNotContain("abort a").doesNotContain("commit a");
  }

  @Test
  void abortsWithoutCallingAnyAgent_whenTheStoreThrowsInsteadOfFailingItsFuture() {
    store = (s, r) -> {
      throw new IllegalStateException("store broke its contract");
    };

    CompletableFuture<GroupSnapshot> result = driver.submit(spec("gs-1"), progress);
    lane.runDue();

    assertThat(result).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.ABORTED
        && g.getAbortReason().contains("store broke its contract"));
    assertThat(agents.calls).isEmpty();
  }

  @Test
  void abortsAtThePrepareDeadline_armedOnTheLane_andNotBefore() {
    agents.silent.add("b");

    CompletableFuture<GroupSnapshot> result = driver.submit(spec("gs-1"), progress);
    lane.runDue();
    lane.advance(Duration.ofSeconds(30).minusMillis(1));
    assertThat(result).isNotDone();
    lane.advance(Duration.ofMillis(1));

    assertThat(result).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.ABORTED
        && g.getAbortMember().equals("b"));
    assertThat(agents.calls).contains("abort a", "abort b", "abort c");
  }

  @Test
  void runsOneAtATime_andFailsTheQueuedOnes_whenLeadershipIsLost() {
    agents.silent.add("b");
    CompletableFuture<GroupSnapshot> first = driver.submit(spec("gs-1"), progress);
    CompletableFuture<GroupSnapshot> second = driver.submit(spec("gs-2"), TransactionDriver.Progress.NONE);
    lane.runDue();
    assertThat(agents.calls).allMatch(c -> c.startsWith("prepare")).hasSize(3);
    assertThat(driver.isRunning("gs-2")).isTrue();

    driver.leadershipLost("session expired");
    lane.runDue();

    assertThat(first).isCompletedWithValueMatching(g -> g.getAbortCause() == AbortCause.ABORT_LEADER_LOST);
    assertThat(phases).last().isEqualTo(TxnState.IN_DOUBT);
    assertThat(second).isCompletedExceptionally();
    assertThat(second.handle((g, e) -> e instanceof CompletionException ? e.getCause() : e).join())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("leadership lost");
    assertThat(driver.isRunning("gs-1")).isFalse();
    assertThat(driver.isRunning("gs-2")).isFalse();
    assertThat(agents.calls).hasSize(3);
  }

  @Test
  void commitsAndRunsTheNextOne_whenTheCallersProgressStreamThrows() {
    TransactionDriver.Progress gone = new TransactionDriver.Progress() {
      @Override
      public void phase(String txnId, TxnState state, String detail) {
        throw new IllegalStateException("call already closed");
      }

      @Override
      public void member(String txnId, String agentId, MemberState state, String detail) {
        throw new IllegalStateException("call already closed");
      }
    };

    CompletableFuture<GroupSnapshot> first = driver.submit(spec("gs-1"), gone);
    CompletableFuture<GroupSnapshot> second = driver.submit(spec("gs-2"), progress);
    lane.runDue();

    assertThat(first).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(second).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(driver.isRunning("gs-1")).isFalse();
    assertThat(driver.isRunning("gs-2")).isFalse();
  }

  /** Agents that answer at once, except the silent ones, which never answer PREPARE. */
  static final class Agents implements AgentClient {
    final List<String> calls = new ArrayList<>();
    final Set<String> silent = new java.util.TreeSet<>();

    @Override
    public CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member member) {
      calls.add("prepare " + member.agentId());
      return silent.contains(member.agentId()) ? new CompletableFuture<>()
          : CompletableFuture.completedFuture(new PrepareReply(true, false, ""));
    }

    @Override
    public CompletableFuture<FreezeReply> freeze(TxnSpec spec, Member member) {
      calls.add("freeze " + member.agentId());
      List<Captured> captured = member.volumes().stream().map(v -> new Captured(v, "/snaps/" + v, 2)).toList();
      return CompletableFuture.completedFuture(new FreezeReply(true, "", captured, 100, 1));
    }

    @Override
    public CompletableFuture<ThawReply> thaw(TxnSpec spec, Member member) {
      calls.add("thaw " + member.agentId());
      return CompletableFuture.completedFuture(new ThawReply(true, "", 200, 5));
    }

    @Override
    public CompletableFuture<Ack> commit(TxnSpec spec, Member member) {
      calls.add("commit " + member.agentId());
      return CompletableFuture.completedFuture(Ack.OK);
    }

    @Override
    public CompletableFuture<Ack> abort(TxnSpec spec, Member member, String reason) {
      calls.add("abort " + member.agentId());
      return CompletableFuture.completedFuture(Ack.aborted(Replies.Held.NONE));
    }

    @Override
    public CompletableFuture<Replies.Deleted> delete(TxnSpec spec, Member member) {
      throw new UnsupportedOperationException("the driver never deletes");
    }
  }

  /** A lane on hand-driven time: tasks run only in {@link #runDue} and {@link #advance}, in (time, order) order. */
  static final class Lane implements Scheduler {
    private record Task(long at, long seq, Runnable action) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
        : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    long now() {
      return now;
    }

    @Override
    public void execute(Runnable task) {
      queue.add(new Task(now, seq++, task));
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      Task t = new Task(now + delay.toNanos(), seq++, task);
      queue.add(t);
      return () -> queue.remove(t);
    }

    /** Runs every task due now, including those they add. */
    void runDue() {
      while (!queue.isEmpty() && queue.peek().at <= now) {
        queue.poll().action.run();
      }
    }

    void advance(Duration d) {
      long until = now + d.toNanos();
      while (!queue.isEmpty() && queue.peek().at <= until) {
        Task t = queue.poll();
        now = Math.max(now, t.at);
        t.action.run();
      }
      now = until;
    }
  }
}
