package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Transactions on disjoint agents run at the same time through one driver (issue 14: independent groups through one
 * leader); overlapping ones keep their FIFO order, and a later one never overtakes an earlier one it overlaps. On the
 * hand-driven lane and agents of {@link TransactionDriverTest}.
 */
class TransactionDriverConcurrencyTest {
  final TransactionDriverTest.Lane lane = new TransactionDriverTest.Lane();
  final TransactionDriverTest.Agents agents = new TransactionDriverTest.Agents();
  final List<String> queued = new ArrayList<>();
  final TransactionDriver driver = new TransactionDriver(agents, (s, r) -> CompletableFuture.completedFuture(null),
      lane, Runnable::run, DecisionRule.STRICT, Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC), lane::now,
      point -> { });
  final TransactionDriver.Progress progress = new TransactionDriver.Progress() {
    @Override
    public void phase(String txnId, TxnState state, String detail) {
      if (detail.startsWith("queued behind")) {
        queued.add(txnId + " " + detail);
      }
    }

    @Override
    public void member(String txnId, String agentId, MemberState state, String detail) {}
  };

  static TxnSpec spec(String id, String... agentIds) {
    List<Member> members = Stream.of(agentIds).map(a -> new Member(a, a + ":1", List.of("data"))).toList();
    return new TxnSpec(id, "c-1", 7, "coord", members, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @Test
  void aTransactionOnOtherAgents_commitsWhileAnotherIsStillPreparing() {
    agents.silent.add("b");
    CompletableFuture<GroupSnapshot> first = driver.submit(spec("gs-1", "a", "b"), progress);
    CompletableFuture<GroupSnapshot> second = driver.submit(spec("gs-2", "c", "d"), progress);
    lane.runDue();

    assertThat(second).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(first).isNotDone();
    assertThat(driver.isRunning("gs-1")).isTrue();
    assertThat(queued).isEmpty();
    assertThat(agents.calls).contains("commit c", "commit d").doesNotContain("freeze a", "freeze b");
  }

  @Test
  void aClaimedIdCountsAsRunningUntilItsTransactionEnds_andIsClaimedOnce() {
    assertThat(driver.claim("gs-1")).isTrue();
    assertThat(driver.claim("gs-1")).as("a second create of the same id").isFalse();
    assertThat(driver.isRunning("gs-1")).isTrue();

    CompletableFuture<GroupSnapshot> first = driver.submit(spec("gs-1", "a", "b"), progress);
    lane.runDue();

    assertThat(first).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(driver.isRunning("gs-1")).isFalse();
    assertThat(driver.claim("gs-2")).isTrue();
    driver.unclaim("gs-2"); // not submitted after all (its id was found in the store)
    assertThat(driver.isRunning("gs-2")).isFalse();
  }

  @Test
  void overlappingTransactionsWaitInOrder_andNoLaterOneOvertakesAnEarlierOneItOverlaps() {
    agents.silent.add("b");
    CompletableFuture<GroupSnapshot> first = driver.submit(spec("gs-1", "a", "b"), progress);
    CompletableFuture<GroupSnapshot> second = driver.submit(spec("gs-2", "a", "c"), progress);
    // shares nothing with gs-1, but agent c with gs-2, queued before it
    CompletableFuture<GroupSnapshot> third = driver.submit(spec("gs-3", "c", "d"), progress);
    lane.runDue();

    assertThat(agents.calls).containsExactlyInAnyOrder("prepare a", "prepare b");
    assertThat(queued).containsExactly("gs-2 queued behind gs-1", "gs-3 queued behind gs-2");
    assertThat(second).isNotDone();
    assertThat(third).isNotDone();

    lane.advance(Duration.ofSeconds(30)); // gs-1 aborts at its prepare deadline; the others follow in order

    assertThat(first).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.ABORTED);
    assertThat(second).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(third).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(agents.calls.indexOf("commit c")).as("gs-3 prepares c only after gs-2 is done with it")
        .isLessThan(agents.calls.lastIndexOf("prepare c"));
  }
}
