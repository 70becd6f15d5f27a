package io.groupsnap.writer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.hub.WriterHub;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.agent.writer.grpc.GrpcOptions;
import io.groupsnap.agent.writer.grpc.GrpcWriter;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grpc writer kind end to end: the agent's real {@link WriterHub} on a Unix domain socket, this client library as
 * the application, and the agent's {@link Participant} driving the phases. (Here rather than in the agent module so
 * that the agent builds without this module: {@code -pl proto,agent} keeps working.)
 */
class GrpcWriterEndToEndTest {
  static final String CLUSTER = "c-1";
  static final Duration LEASE = Duration.ofSeconds(10);
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path tmp;
  Path socket;
  ScheduledExecutorService scheduler;
  WriterHub hub;
  GrpcWriter orders;
  GrpcWriter slow;
  Participant participant;
  final RecordingApp app = new RecordingApp();
  final List<AutoCloseable> closeLast = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    requireUnixSockets();
    socket = tmp.resolve("state").resolve(WriterHub.SOCKET_NAME);
    hub = new WriterHub("a1", socket, WriterHub.Transport.AUTO);
    orders = new GrpcWriter(config("orders-writer", "orders", Duration.ofSeconds(5)), new GrpcOptions("orders"), hub,
        Clock.systemUTC());
    slow = new GrpcWriter(config("slow-writer", "slow", Duration.ofMillis(300)), new GrpcOptions("slow"), hub,
        Clock.systemUTC());
    hub.start();
    assertThat(hub.unixSocket()).isTrue();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    participant = participant(List.of(orders));
  }

  static void requireUnixSockets() {
    if (!Epoll.isAvailable()) {
      String why = "Unix domain sockets need epoll: " + Epoll.unavailabilityCause();
      if (System.getenv("GROUPSNAP_CI") != null) {
        Assertions.fail(why);
      }
      Assumptions.assumeTrue(false, why);
    }
  }

  static WriterConfig config(String name, String application, Duration timeout) {
    return new WriterConfig(name, "grpc", 0, Set.of(), timeout, Map.of("application", application));
  }

  Participant participant(List<Writer> writers) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    Path root = tmp.resolve("snaps");
    return new Participant("a1", List.of(new DirVolume("data", data, root)), writers,
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), CLUSTER), root,
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (participant != null) {
      participant.releaseAll();
    }
    for (AutoCloseable c : closeLast) {
      c.close();
    }
    if (hub != null) {
      hub.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  WriterClient subscribe(String application, RecordingApp handler) throws Exception {
    WriterClient c = WriterClient.builder(socket, application, handler)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).connect();
    closeLast.add(0, c);
    return c;
  }

  WriterClient connected(String application, RecordingApp handler) throws Exception {
    WriterClient c = subscribe(application, handler);
    assertThat(c.awaitSubscribed(WAIT)).as("subscribed: %s", c.lastError()).isTrue();
    await().atMost(WAIT).until(() -> hub.isConnected(application));
    return c;
  }

  static TxnRef ref(String txn) {
    return new TxnRef(CLUSTER, 1, txn);
  }

  static Writer.TxnContext ctx(String txn) {
    return new Writer.TxnContext(txn, 1, Set.of("data"));
  }

  @Test
  void prepareFreezeThawCommit_roundTripThroughTheSocket() throws Exception {
    connected("orders", app);
    assertThat(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS).isOther()).as("a socket").isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");

    assertThat(participant.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    Instant before = Instant.now();
    FreezeResult f = participant.freeze(ref("gs-1"), LEASE);
    assertThat(f.frozen()).as(f.reason()).isTrue();
    assertThat(app.holding).as("held while frozen").isTrue();
    assertThat(app.deadline).isBetween(before.plus(LEASE).minusSeconds(1), Instant.now().plus(LEASE));
    ThawResult t = participant.thaw(ref("gs-1"));
    assertThat(t.unbroken()).as(t.brokenReason()).isTrue();
    assertThat(app.holding).as("released by the time THAW is answered").isFalse();
    participant.commit(ref("gs-1"));
    await().atMost(WAIT).until(() -> app.calls.contains("committed gs-1"));
    assertThat(app.calls).containsExactly("prepare gs-1", "freeze gs-1", "thaw gs-1", "committed gs-1");
  }

  @Test
  void restoreEvents_reachTheApplication_withTheRestoreAndItsOutcome_andADefaultHandlerRefuses() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    RecordingApp restoring = new RecordingApp() {
      @Override
      public Outcome preRestore(Restore r) {
        seen.add("pre " + r.id() + " " + r.groupSnapshotId() + " " + r.volumes() + " " + r.agentId());
        return Outcome.OK;
      }

      @Override
      public Outcome postRestore(Restore r) {
        seen.add("post " + r.id() + " restored=" + r.restored());
        return Outcome.OK;
      }
    };
    connected("orders", restoring);
    Writer.RestoreContext rs = new Writer.RestoreContext("rs-1", "gs-4", 1, Set.of("data"));
    assertThat(orders.preRestore(rs)).isEqualTo(WriterResult.OK);
    assertThat(orders.postRestore(rs, false)).isEqualTo(WriterResult.OK);
    assertThat(seen).containsExactly("pre rs-1 gs-4 [data] a1", "post rs-1 restored=false");

    connected("slow", app); // a Handler that knows nothing of restores
    WriterResult refused = slow.preRestore(rs);
    assertThat(refused.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(refused.reason()).contains("does not take part in in-place restores");
    assertThat(slow.postRestore(rs, false)).isEqualTo(WriterResult.OK);
  }

  @Test
  void prepareIsRefusedAsRetryable_namingTheApplicationAndSocket_whenItIsNotConnected() throws Exception {
    PrepareResult r = participant.prepare(ref("gs-1"), List.of(), LEASE);
    assertThat(r.ok()).isFalse();
    assertThat(r.retryable()).isTrue();
    assertThat(r.reason()).isEqualTo("writer orders-writer: application orders is not connected to " + socket);
  }

  @Test
  void aNonRetryableAnswer_isPropagatedWithItsReason() throws Exception {
    app.prepare = Outcome.nonRetryable("replica lagging by 40s");
    connected("orders", app);
    PrepareResult r = participant.prepare(ref("gs-1"), List.of(), LEASE);
    assertThat(r.ok()).isFalse();
    assertThat(r.retryable()).isFalse();
    assertThat(r.reason()).isEqualTo("writer orders-writer: replica lagging by 40s");
    assertThatThrownBy(() -> participant.freeze(ref("gs-1"), LEASE)).hasMessageContaining("ABORTED");
    assertThat(app.calls).containsExactly("prepare gs-1");
  }

  @Test
  void aStreamDroppedWhileFrozen_breaksTheHold_andTheApplicationReleases() throws Exception {
    WriterClient c = connected("orders", app);
    participant.prepare(ref("gs-1"), List.of(), LEASE);
    assertThat(participant.freeze(ref("gs-1"), LEASE).frozen()).isTrue();
    assertThat(app.holding).isTrue();
    c.close(); // the application's side goes away
    assertThat(app.holding).as("the client releases what it held when it closes").isFalse();
    await().atMost(WAIT).until(() -> !hub.isConnected("orders"));
    ThawResult t = participant.thaw(ref("gs-1"));
    assertThat(t.unbroken()).isFalse();
    assertThat(t.brokenReason()).contains("writer orders-writer thaw: the subscription of application orders")
        .contains("ended while frozen");
  }

  @Test
  void theClientReleasesByItself_whenTheAgentVanishesWhileFrozen() throws Exception {
    WriterClient c = connected("orders", app);
    participant.prepare(ref("gs-1"), List.of(), LEASE);
    assertThat(participant.freeze(ref("gs-1"), LEASE).frozen()).isTrue();
    assertThat(app.holding).isTrue();
    hub.close(); // the agent's endpoint is gone: no THAW can ever come through it
    await().atMost(WAIT).until(() -> !app.holding);
    assertThat(app.releasedAt).as("released without waiting for the lease deadline: the hold is broken anyway")
        .isBefore(app.deadline);
    assertThat(c.isHolding()).isFalse();
    assertThat(participant.thaw(ref("gs-1")).unbroken()).isFalse();
  }

  @Test
  void theClientReleasesByItselfAtTheLeaseDeadline_whenThawNeverComes() throws Exception {
    WriterClient c = connected("orders", app);
    // driven directly: the agent stays connected but never sends THAW (a hung agent); no watchdog of its own here
    assertThat(orders.prepare(ctx("gs-1")).ok()).isTrue();
    Instant deadline = Instant.now().plusMillis(500);
    assertThat(orders.freeze(ctx("gs-1"), deadline).ok()).isTrue();
    assertThat(app.holding).isTrue();
    await().atMost(WAIT).until(() -> !app.holding);
    assertThat(app.releasedAt).as("held until the deadline, not less").isAfterOrEqualTo(deadline);
    assertThat(c.isSubscribed()).isTrue();
    WriterResult thaw = orders.thaw(ctx("gs-1"));
    assertThat(thaw.ok()).isFalse();
    assertThat(thaw.reason()).startsWith("released by itself: the lease deadline").contains("passed without THAW");
    assertThat(app.calls).containsExactly("prepare gs-1", "freeze gs-1", "thaw gs-1");
  }

  @Test
  void aSlowApplication_failsFreezeAtTheWritersTimeout_andIsReleasedOnceItGetsThere() throws Exception {
    RecordingApp slowApp = new RecordingApp();
    connected("slow", slowApp);
    participant = participant(List.of(slow));
    assertThat(participant.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    slowApp.slowFreeze = new CountDownLatch(1);
    FreezeResult f = participant.freeze(ref("gs-1"), LEASE);
    assertThat(f.frozen()).isFalse();
    assertThat(f.reason()).isEqualTo("writer slow-writer could not freeze: application slow did not answer FREEZE "
        + "within 300ms");
    assertThat(participant.isHolding()).isFalse();
    slowApp.slowFreeze.countDown(); // it finally freezes: the THAW queued behind it must release it
    await().atMost(WAIT).until(() -> slowApp.calls.contains("thaw gs-1"));
    assertThat(slowApp.holding).isFalse();
  }

  @Test
  void aSlowPrepare_isRefusedAsRetryableAtTheWritersTimeout() throws Exception {
    RecordingApp slowApp = new RecordingApp();
    connected("slow", slowApp);
    participant = participant(List.of(slow));
    slowApp.slowPrepare = new CountDownLatch(1);
    try {
      PrepareResult r = participant.prepare(ref("gs-1"), List.of(), LEASE);
      assertThat(r.ok()).isFalse();
      assertThat(r.retryable()).isTrue();
      assertThat(r.reason()).isEqualTo("writer slow-writer: application slow did not answer PREPARE within 300ms");
    } finally {
      slowApp.slowPrepare.countDown();
    }
  }

  @Test
  void aSecondSubscriber_isRefusedWhileTheFirstIsConnected_andGetsInAfterIt() throws Exception {
    WriterClient first = connected("orders", app);
    RecordingApp other = new RecordingApp();
    WriterClient second = subscribe("orders", other);
    await().atMost(WAIT).until(() -> second.lastError().contains("ALREADY_EXISTS"));
    assertThat(second.lastError()).contains("application orders is already subscribed (pid "
        + ProcessHandle.current().pid() + ")");
    assertThat(second.isSubscribed()).isFalse();
    first.close();
    assertThat(second.awaitSubscribed(WAIT)).as(second.lastError()).isTrue();
    await().atMost(WAIT).until(() -> hub.isConnected("orders"));
    assertThat(participant.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    assertThat(other.calls).containsExactly("prepare gs-1");
    assertThat(app.calls).isEmpty();
  }

  @Test
  void anApplicationNoWriterServes_isRefusedWithNotFound() throws Exception {
    WriterClient c = subscribe("inventory", new RecordingApp());
    await().atMost(WAIT).until(() -> c.lastError().contains("NOT_FOUND"));
    assertThat(c.lastError()).contains("no writer of kind grpc on agent a1 serves application inventory (served: "
        + "orders, slow)");
    assertThatThrownBy(() -> WriterClient.connect(socket, "../etc", new RecordingApp()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("application '../etc' is not a valid");
  }

  @Test
  void volumesTheApplicationWritesButTheWriterDoesNotCover_areRefusedAtPrepare() throws Exception {
    hub.close();
    hub = new WriterHub("a1", socket, WriterHub.Transport.AUTO);
    GrpcWriter narrow = new GrpcWriter(new WriterConfig("narrow", "grpc", 0, Set.of("data"), Duration.ofSeconds(5),
        Map.of("application", "orders")), new GrpcOptions("orders"), hub, Clock.systemUTC());
    hub.start();
    WriterClient c = WriterClient.builder(socket, "orders", app).volumes(List.of("data", "logs"))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).connect();
    closeLast.add(0, c);
    assertThat(c.awaitSubscribed(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> hub.isConnected("orders"));
    WriterResult r = narrow.prepare(ctx("gs-1"));
    assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(r.reason()).isEqualTo("application orders writes to [logs] but the writer is configured for [data] "
        + "only: captures of [logs] would not be held (add them to the writer's volumes)");
  }

  @Test
  void overLoopbackTcp_theClientFindsPortAndTokenInTheEndpointFile() throws Exception {
    hub.close();
    hub = new WriterHub("a1", socket, WriterHub.Transport.TCP);
    orders = new GrpcWriter(config("orders-writer", "orders", Duration.ofSeconds(5)), new GrpcOptions("orders"), hub,
        Clock.systemUTC());
    hub.start();
    assertThat(Files.isRegularFile(socket)).as("an endpoint file, not a socket").isTrue();
    connected("orders", app);
    participant = participant(List.of(orders));
    assertThat(participant.prepare(ref("gs-1"), List.of(), LEASE).ok()).isTrue();
    assertThat(participant.freeze(ref("gs-1"), LEASE).frozen()).isTrue();
    assertThat(app.holding).isTrue();
    assertThat(participant.thaw(ref("gs-1")).unbroken()).isTrue();
    assertThat(app.holding).isFalse();
  }

  @Test
  void theClientReconnects_afterTheAgentRestarts() throws Exception {
    WriterClient c = connected("orders", app);
    hub.close();
    await().atMost(WAIT).until(() -> !c.isSubscribed());
    hub = new WriterHub("a1", socket, WriterHub.Transport.AUTO);
    orders = new GrpcWriter(config("orders-writer", "orders", Duration.ofSeconds(5)), new GrpcOptions("orders"), hub,
        Clock.systemUTC());
    hub.start();
    assertThat(c.awaitSubscribed(WAIT)).as(c.lastError()).isTrue();
    await().atMost(WAIT).until(() -> hub.isConnected("orders"));
    assertThat(orders.prepare(ctx("gs-2")).ok()).isTrue();
  }
}
