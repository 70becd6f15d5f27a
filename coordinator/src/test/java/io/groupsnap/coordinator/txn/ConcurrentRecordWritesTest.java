package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.LeaderTxnStore;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.PrepareReply;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Record writes of different transactions overlap (issue 14), while one transaction's writes stay one at a time, in
 * the order it asked for them, and fenced as before: the driver on real threads, writing through the daemon's
 * {@link LeaderTxnStore} and {@link ClusterStore} to a real ZooKeeper, with a hook in front of the store that can hold
 * one chosen write until the test releases it and that logs when each write starts and ends.
 */
class ConcurrentRecordWritesTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  TestingServer server;
  CuratorFramework zk;
  ClusterStore store;
  ZkLayout layout = new ZkLayout("t");
  String latch;
  final AtomicReference<LeaderTxnStore.Term> term = new AtomicReference<>();
  final ThreadScheduler serial = new ThreadScheduler("test-txn");
  final ExecutorService writers = Executors.newFixedThreadPool(4);
  final Agents agents = new Agents();
  /** "start gs-x STATE" and "end gs-x STATE", as the hook saw them. */
  final List<String> writes = new CopyOnWriteArrayList<>();
  final Map<String, Gate> gates = new ConcurrentHashMap<>();
  TransactionDriver driver;

  /** Holds the write it is set on until {@link #release}. */
  static final class Gate {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);

    void awaitReached() throws InterruptedException {
      assertThat(reached.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the held write started").isTrue();
    }

    void release() {
      released.countDown();
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    store = new ClusterStore(zk, layout);
    store.ensureCluster();
    latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(layout.leader() + "/latch-", new byte[0]);
    ClusterStore.Bump bump = store.bumpEpoch(latch, "c1");
    term.set(new LeaderTxnStore.Term(bump.epoch(), new ClusterStore.Fence(latch, bump.epochVersion())));
    LeaderTxnStore leaderStore = new LeaderTxnStore(store, () -> Optional.ofNullable(term.get()), Duration.ofDays(7),
        2000);
    TransactionDriver.TxnStore hooked = (state, record) -> {
      String what = record.getId() + " " + state;
      writes.add("start " + what);
      Gate g = gates.get(what);
      if (g != null) {
        g.reached.countDown();
        awaitQuietly(g.released);
      }
      CompletableFuture<Void> done = leaderStore.persist(state, record);
      writes.add("end " + what + (done.isCompletedExceptionally() ? " failed" : ""));
      return done;
    };
    driver = new TransactionDriver(agents, hooked, serial, writers, DecisionRule.STRICT, Clock.systemUTC(),
        System::nanoTime, point -> { });
  }

  @AfterEach
  void stop() throws Exception {
    gates.values().forEach(Gate::release);
    serial.close();
    writers.shutdownNow();
    zk.close();
    server.close();
  }

  private static void awaitQuietly(CountDownLatch l) {
    try {
      l.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Gate hold(String txnId, TxnState state) {
    Gate g = new Gate();
    gates.put(txnId + " " + state, g);
    return g;
  }

  private TxnSpec spec(String id, String... agentIds) {
    List<Member> members = Stream.of(agentIds).map(a -> new Member(a, a + ":1", List.of("data"))).toList();
    return new TxnSpec(id, "c-1", term.get().epoch(), "coord", members, Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  private static GroupSnapshot result(CompletableFuture<GroupSnapshot> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The writes the hook saw of one transaction, in the order it saw them. */
  private List<String> writesOf(String txnId) {
    return writes.stream().filter(w -> w.contains(" " + txnId + " ")).toList();
  }

  private Stat stat(String txnId) throws Exception {
    return zk.checkExists().forPath(layout.txn(txnId));
  }

  @Test
  void anotherTransactionCommits_whileOneTransactionsWriteIsHeld_andEachKeepsItsWritesInOrder() throws Exception {
    Gate held = hold("gs-a", TxnState.BEGINNING);
    CompletableFuture<GroupSnapshot> a = driver.submit(spec("gs-a", "a1", "a2"), TransactionDriver.Progress.NONE);
    held.awaitReached();

    CompletableFuture<GroupSnapshot> b = driver.submit(spec("gs-b", "b1", "b2"), TransactionDriver.Progress.NONE);

    assertThat(result(b).getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(store.get("gs-b")).get().extracting(GroupSnapshot::getState).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(store.list(false)).extracting(GroupSnapshot::getId).containsExactly("gs-b");
    assertThat(writes).as("gs-a's BEGIN is still held while gs-b's writes landed").doesNotContain("end gs-a BEGINNING")
        .contains("end gs-b BEGINNING", "end gs-b COMMITTING");
    assertThat(a).isNotDone();
    assertThat(agents.calls).doesNotContain("prepare a1", "prepare a2");

    held.release();

    assertThat(result(a).getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    awaitFinalized("gs-a");
    awaitFinalized("gs-b");
    for (String id : List.of("gs-a", "gs-b")) {
      assertThat(writesOf(id)).as("%s: one write at a time, in the order asked for", id).containsExactly(
          "start " + id + " BEGINNING", "end " + id + " BEGINNING",
          "start " + id + " COMMITTING", "end " + id + " COMMITTING",
          "start " + id + " COMMITTED", "end " + id + " COMMITTED");
      assertThat(stat(id).getVersion()).as("%s: each write at the version the one before left", id).isEqualTo(2);
      assertThat(store.get(id).orElseThrow().getFinalized()).isTrue();
    }
  }

  @Test
  void aTransactionsNextWriteWaitsForItsHeldOne_whileTheStoreWritersServeAnotherTransaction() throws Exception {
    agents.votingNo.add("a2");
    Gate held = hold("gs-a", TxnState.ABORTING);
    CompletableFuture<GroupSnapshot> a = driver.submit(spec("gs-a", "a1", "a2"), TransactionDriver.Progress.NONE);
    held.awaitReached(); // its ABORT answers are already on the lane: its ABORTED write is asked for next

    CompletableFuture<GroupSnapshot> b = driver.submit(spec("gs-b", "b1", "b2"), TransactionDriver.Progress.NONE);

    assertThat(result(b).getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(writes).as("gs-a's ABORTED waits behind its held ABORTING, though writers were free")
        .doesNotContain("start gs-a ABORTED", "end gs-a ABORTING");
    assertThat(a).isNotDone();

    held.release();

    GroupSnapshot aborted = result(a);
    assertThat(aborted.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(writesOf("gs-a")).containsExactly("start gs-a BEGINNING", "end gs-a BEGINNING",
        "start gs-a ABORTING", "end gs-a ABORTING", "start gs-a ABORTED", "end gs-a ABORTED");
    assertThat(store.get("gs-a").orElseThrow().getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(stat("gs-a").getVersion()).isEqualTo(2);
  }

  @Test
  void aWriteFencedByANewerTerm_failsAsBefore_andTheTransactionAbortsWithoutACatalogEntry() throws Exception {
    Gate held = hold("gs-a", TxnState.COMMITTING);
    CompletableFuture<GroupSnapshot> a = driver.submit(spec("gs-a", "a1", "a2"), TransactionDriver.Progress.NONE);
    held.awaitReached();
    long before = store.epoch();

    store.bumpEpoch(latch, "c2"); // a newer term began; this one's writes still carry the epoch version it left
    held.release();

    GroupSnapshot g = result(a);
    assertThat(g.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_RECORD_NOT_WRITTEN);
    assertThat(g.getAbortReason()).startsWith("could not record the commit");
    assertThat(writesOf("gs-a")).containsExactly("start gs-a BEGINNING", "end gs-a BEGINNING",
        "start gs-a COMMITTING", "end gs-a COMMITTING failed", "start gs-a ABORTING", "end gs-a ABORTING failed",
        "start gs-a ABORTED", "end gs-a ABORTED failed");
    GroupSnapshot inZk = store.get("gs-a").orElseThrow();
    assertThat(inZk.getState()).as("nothing of the stale term landed after BEGIN")
        .isEqualTo(GroupSnapshotState.PREPARING);
    assertThat(stat("gs-a").getVersion()).isZero();
    assertThat(store.list(false)).isEmpty();
    assertThat(store.epoch()).isEqualTo(before + 1);
    assertThat(agents.calls).contains("abort a1", "abort a2").doesNotContain("commit a1", "commit a2");
  }

  /** The finalized flag is the last write of a committed transaction, made after its future completed. */
  private void awaitFinalized(String txnId) {
    await().atMost(WAIT).until(() -> writes.contains("end " + txnId + " COMMITTED"));
  }

  /** Agents that answer at once: OK, FROZEN, unbroken; those in {@link #votingNo} vote NO at PREPARE. */
  static final class Agents implements AgentClient {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> votingNo = ConcurrentHashMap.newKeySet();

    @Override
    public CompletableFuture<PrepareReply> prepare(TxnSpec spec, Member member) {
      calls.add("prepare " + member.agentId());
      return CompletableFuture.completedFuture(votingNo.contains(member.agentId())
          ? new PrepareReply(false, false, "no space") : new PrepareReply(true, false, ""));
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
}
