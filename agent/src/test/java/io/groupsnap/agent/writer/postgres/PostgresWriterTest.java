package io.groupsnap.agent.writer.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterSetup;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.testing.postgres.HostRequirements;
import io.groupsnap.agent.testing.postgres.PostgresServer;
import io.groupsnap.agent.testing.postgres.TransferWorkload;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code postgresql} writer against a real PostgreSQL whose data directory is a btrfs subvolume on a loop device
 * of this test's own, under a pgbench-like transfer workload, driven through the agent's {@link Participant} with a
 * volume that captures the subvolume as a read-only btrfs snapshot. Every capture is restored (a writable copy, a
 * server started on it) and checked.
 */
class PostgresWriterTest {
  static final String CLUSTER = "c-pg";
  static final String DB = "bank";
  static final int ACCOUNTS = 1000;
  static final long INITIAL = 1000;
  static final int CLIENTS = 4;
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Duration WRITER_TIMEOUT = Duration.ofSeconds(10);
  static final String HOLDER = "groupsnap pg";

  @TempDir static Path tmp;
  static LoopFs fs;
  static PostgresServer server;
  static Path pgdata;
  static Path snaps;
  static Path copies;
  static Connection monitor;
  static Path readerPassword;

  ScheduledExecutorService scheduler;
  PostgresWriter writer;
  Participant participant;
  TransferWorkload workload;
  final List<PostgresServer> extraServers = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    HostRequirements.requirePostgres();
    LoopFsExtension.require(LoopFs.Type.BTRFS);
    try {
      fs = LoopFs.create(LoopFs.Type.BTRFS, 1024L * 1024 * 1024);
      pgdata = fs.createSubvolume("pgdata");
      snaps = Files.createDirectories(fs.mountPoint().resolve("snaps"));
      copies = Files.createDirectories(fs.mountPoint().resolve("copies"));
      server = PostgresServer.initAndStart(pgdata, tmp.resolve("work"));
      try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + DB);
        s.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-secret'");
      }
      try (Connection c = server.connect(DB); Statement s = c.createStatement()) {
        TransferWorkload.createSchema(c, ACCOUNTS, INITIAL);
        s.execute("GRANT SELECT ON accounts, history TO reader");
      }
      readerPassword = secretFile("reader.password", "reader-secret");
      monitor = server.connect(DB, "monitor");
      try (Statement s = monitor.createStatement()) {
        s.execute("SET statement_timeout = 5000");
      }
    } catch (Throwable t) {
      stopServer();
      throw t;
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    List<Exception> problems = new ArrayList<>();
    for (AutoCloseable c : new AutoCloseable[] {monitor, server, fs}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        problems.add(e);
      }
    }
    if (!problems.isEmpty()) {
      throw problems.get(0);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    awaitNoHoldingSession();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    writer = writer(Map.of());
    participant = participant(writer);
  }

  @AfterEach
  void tearDown() throws Exception {
    participant.releaseAll();
    scheduler.shutdownNow();
    if (workload != null) {
      workload.close();
    }
    for (PostgresServer s : extraServers) {
      s.close();
    }
  }

  // ---- snapshots under load, restored ----

  @Test
  void snapshotsUnderLoad_eachStartsCleanlyFromItsCopy_withTheInvariantIntact() throws Exception {
    long baseline = historyRows();
    workload = startWorkload();
    await().atMost(Duration.ofSeconds(60)).until(() -> workload.committed() > 200);
    List<Taken> taken = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String id = "load-" + i;
      long before = workload.committed();
      PrepareResult p = participant.prepare(ref(id), List.of(), LEASE);
      assertThat(p.ok()).as(p.reason()).isTrue();
      FreezeResult f = participant.freeze(ref(id), LEASE);
      assertThat(f.frozen()).as(f.reason()).isTrue();
      long held = workload.committed();
      ThawResult t = participant.thaw(ref(id));
      assertThat(t.unbroken()).as(t.brokenReason()).isTrue();
      long after = workload.committed();
      assertThat(participant.commit(ref(id))).isEqualTo(1);
      taken.add(new Taken(id, f.captures().get(0).path(), before, held, after, writer.lastFigures().orElseThrow(),
          f.timeToFrozenMillis(), f.captures().get(0).snapshotMillis(), t.heldMillis()));
      long next = after + 30;
      await().atMost(Duration.ofSeconds(60)).until(() -> workload.committed() >= next);
    }
    workload.close();
    assertThat(workload.errors()).as("the workload's transactions never fail because of the hold").isEmpty();

    System.out.println("postgresql writer under load (" + CLIENTS + " clients, " + workload.committed()
        + " transfers):");
    System.out.println("  snapshot   checkpoint@prepare  locks@freeze  attempts  frozen-after  btrfs-snapshot  "
        + "held(writer)  held(agent)  history rows (committed before prepare / while held / after thaw)");
    for (Taken k : taken) {
      long rows = verifyRestoredCopy(k) - baseline;
      System.out.printf("  %-9s  %15dms  %10dms  %8d  %10dms  %12dms  %10dms  %9dms  %d (%d / %d / %d)%n", k.id,
          k.figures.checkpointMillis(), k.figures.lockMillis(), k.figures.lockAttempts(), k.timeToFrozen,
          k.snapshotMillis, k.figures.heldMillis(), k.agentHeld, rows, k.before, k.held, k.after);
      assertThat(rows).as("transfers in %s: at least those committed before PREPARE, none committed after THAW", k.id)
          .isBetween(k.before, k.after);
    }
  }

  record Taken(String id, Path capture, long before, long held, long after, PostgresWriter.Figures figures,
      long timeToFrozen, long snapshotMillis, long agentHeld) {}

  /** Starts a server on a copy of the capture and checks it; returns its history rows. */
  private long verifyRestoredCopy(Taken k) throws Exception {
    assertThat(LoopFs.isReadOnlySubvolume(k.capture)).isTrue();
    assertThatThrownBy(() -> Files.writeString(k.capture.resolve("scribble"), "x")).isInstanceOf(IOException.class);
    try (PostgresServer copy = server.startCopy(k.capture, copies.resolve(k.id), false)) {
      assertThat(copy.recoveredFromCrash()).as("copy of %s must start by crash recovery:%n%s", k.id, copy.log())
          .isTrue();
      try (Connection c = copy.connect(DB)) {
        TransferWorkload.Invariant inv = TransferWorkload.check(c, INITIAL);
        assertThat(inv.accounts()).isEqualTo(ACCOUNTS);
        assertThat(inv.total()).as("sum of balances in %s", k.id).isEqualTo(ACCOUNTS * INITIAL);
        assertThat(inv.mismatched()).as("accounts whose balance disagrees with the history in %s", k.id).isZero();
        return inv.transfers();
      }
    }
  }

  // ---- the hold is real ----

  @Test
  void whileFrozen_transfersWaitAndReadsGoOn_andTheyResumeAfterThaw() throws Exception {
    workload = startWorkload();
    await().atMost(Duration.ofSeconds(60)).until(() -> workload.committed() > 100);
    assertThat(participant.prepare(ref("hold"), List.of(), LEASE).ok()).isTrue();
    assertThat(participant.freeze(ref("hold"), LEASE).frozen()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> clientsWaitingForALock() == CLIENTS);
    long frozen = workload.committed();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> workload.committed() == frozen);
    assertThat(holdingSessions()).isEqualTo(1);
    assertThat(shareLocks()).isEqualTo(2);
    try (Statement s = monitor.createStatement(); ResultSet r = s.executeQuery("SELECT sum(balance) FROM accounts")) {
      r.next();
      assertThat(r.getLong(1)).as("reads go on while frozen").isEqualTo(ACCOUNTS * INITIAL);
    }
    ThawResult t = participant.thaw(ref("hold"));
    assertThat(t.unbroken()).as(t.brokenReason()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> workload.committed() > frozen + 20);
    awaitNoHoldingSession();
    assertThat(shareLocks()).isZero();
    workload.close();
    assertThat(workload.errors()).isEmpty();
  }

  // ---- the lease: PostgreSQL releases by itself ----

  @Test
  void whenThawNeverComes_postgresEndsTheHoldingSessionAtTheLeaseDeadline_andThawSaysBroken() throws Exception {
    workload = startWorkload();
    await().atMost(Duration.ofSeconds(60)).until(() -> workload.committed() > 50);
    Writer.TxnContext ctx = new Writer.TxnContext("orphaned", 1, Set.of("pgdata"));
    assertThat(writer.prepare(ctx).ok()).isTrue();
    Instant deadline = Instant.now().plusMillis(1500);
    assertThat(writer.freeze(ctx, deadline).ok()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> clientsWaitingForALock() > 0);
    long frozen = workload.committed();
    assertThat(holdingSessions()).isEqualTo(1);
    // the agent is gone as far as PostgreSQL knows: no THAW, no watchdog (the writer is driven directly)
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> holdingSessions() == 0);
    Instant released = Instant.now();
    assertThat(released).as("released by the server at the lease deadline, not before")
        .isAfter(deadline.minusMillis(100));
    await().atMost(Duration.ofSeconds(10)).until(() -> workload.committed() > frozen + 20);
    assertThat(server.log()).contains("terminating connection due to idle-in-transaction timeout");
    WriterResult t = writer.thaw(ctx);
    assertThat(t.ok()).isFalse();
    assertThat(t.reason()).startsWith("the hold was broken").contains("idle-in-transaction");
    System.out.printf("self-release: PostgreSQL ended the holding session %dms after the lease deadline%n",
        Duration.between(deadline, released).toMillis());
    workload.close();
    assertThat(workload.errors()).isEmpty();
  }

  @Test
  void whenTheLeaseRunsOutUnderTheParticipant_theWorkloadResumes_andThawAnswersBroken() throws Exception {
    workload = startWorkload();
    await().atMost(Duration.ofSeconds(60)).until(() -> workload.committed() > 50);
    Duration lease = Duration.ofMillis(1500);
    assertThat(participant.prepare(ref("short"), List.of(), lease).ok()).isTrue();
    assertThat(participant.freeze(ref("short"), lease).frozen()).isTrue();
    long frozen = workload.committed();
    await().atMost(Duration.ofSeconds(15)).until(() -> !participant.isHolding() && holdingSessions() == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> workload.committed() > frozen + 20);
    ThawResult t = participant.thaw(ref("short"));
    assertThat(t.unbroken()).isFalse();
    assertThat(t.brokenReason()).contains("expired before THAW");
    workload.close();
    assertThat(workload.errors()).isEmpty();
  }

  @Test
  void whenTheLeaseRunsOutWhileWaitingForALock_theWaitIsCancelled_andNothingStaysHeld() throws Exception {
    try (Connection blocker = server.connect(DB, "blocker"); Statement s = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      s.executeUpdate("UPDATE accounts SET balance = balance WHERE id = 1");
      Duration lease = Duration.ofMillis(1000);
      assertThat(participant.prepare(ref("stuck"), List.of(), lease).ok()).isTrue();
      FreezeResult f = participant.freeze(ref("stuck"), lease);
      assertThat(f.frozen()).isFalse();
      assertThat(f.reason()).contains("writer pg could not freeze: released while locking");
      assertThat(f.timeToFrozenMillis()).as("cancelled by the watchdog, not ended by the writer's own timeout")
          .isLessThan(WRITER_TIMEOUT.toMillis());
      awaitNoHoldingSession();
      assertThat(shareLocks()).isZero();
      blocker.rollback();
    }
  }

  // ---- a busy second table: release and retry, never a deadlock ----

  @Test
  void aBusySecondTable_makesTheWriterStartAgainWithIt_withoutFailingAnyApplicationTransaction() throws Exception {
    workload = startWorkload();
    await().atMost(Duration.ofSeconds(60)).until(() -> workload.committed() > 50);
    try (Connection blocker = server.connect(DB, "blocker"); Statement s = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      s.executeUpdate("INSERT INTO history (src, dst, amount) VALUES (1, 2, 0)"); // holds history, not accounts
      assertThat(participant.prepare(ref("busy"), List.of(), LEASE).ok()).isTrue();
      CompletableFuture<FreezeResult> freezing = CompletableFuture.supplyAsync(() -> {
        try {
          return participant.freeze(ref("busy"), LEASE);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(this::writerWaitsForHistory);
      blocker.rollback();
      FreezeResult f = freezing.get(30, TimeUnit.SECONDS);
      assertThat(f.frozen()).as(f.reason()).isTrue();
    }
    ThawResult t = participant.thaw(ref("busy"));
    assertThat(t.unbroken()).as(t.brokenReason()).isTrue();
    PostgresWriter.Figures fig = writer.lastFigures().orElseThrow();
    assertThat(fig.lockAttempts()).isGreaterThanOrEqualTo(2);
    System.out.printf("busy second table: locks taken after %d attempts in %dms%n", fig.lockAttempts(),
        fig.lockMillis());
    long now = workload.committed();
    await().atMost(Duration.ofSeconds(10)).until(() -> workload.committed() > now + 20);
    workload.close();
    assertThat(workload.errors()).as("no application transaction failed (no deadlock)").isEmpty();
  }

  // ---- bad input: refused at PREPARE, nothing held ----

  @Test
  void badInput_isRefusedAtPrepare_inOneLineNamingTheWriter_andNothingIsHeld() throws Exception {
    Path wrong = secretFile("wrong.password", "not-the-password");
    Path open = secretFile("open.password", server.password());
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    String reader = readerPassword.toString();
    int closedPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    List<Object[]> cases = List.of(
        new Object[] {Map.of("database", "nosuchdb"), "database \"nosuchdb\" does not exist", false},
        new Object[] {Map.of("port", Integer.toString(closedPort)), "refused", true},
        new Object[] {Map.of("tables", "accounts, public.nosuch"), "table 'public.nosuch' does not exist", false},
        new Object[] {Map.of("tables", "pg_stat_activity"), "'pg_stat_activity' is a view, not a table", false},
        new Object[] {Map.of("passwordFile", wrong.toString()), "password authentication failed", false},
        new Object[] {Map.of("passwordFile", open.toString()), "is readable by group or others", false},
        new Object[] {Map.of("user", "reader", "passwordFile", reader, "checkpoint", "false"),
            "the role may not lock public.accounts, public.history in SHARE mode", false},
        new Object[] {Map.of("user", "reader", "passwordFile", reader), "pg_checkpoint", false});
    workload = startWorkload();
    int i = 0;
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Map<String, String> options = (Map<String, String>) c[0];
      Participant p = participant(writer(options));
      String id = "bad-" + i++;
      PrepareResult r = p.prepare(ref(id), List.of(), LEASE);
      System.out.println("refused " + options + ": " + r.reason());
      assertThat(r.ok()).as("%s", options).isFalse();
      assertThat(r.reason()).startsWith("writer pg: ").contains((String) c[1]).doesNotContain("\n")
          .doesNotContain(server.password()).doesNotContain("reader-secret");
      assertThat(r.retryable()).as("retryable for %s", options).isEqualTo(c[2]);
      awaitNoHoldingSession();
      assertThat(shareLocks()).isZero();
      assertThat(p.isHolding()).isFalse();
      assertThat(snaps.resolve(id)).doesNotExist();
    }
    long now = workload.committed();
    await().atMost(Duration.ofSeconds(10)).until(() -> workload.committed() > now + 20);
    workload.close();
    assertThat(workload.errors()).isEmpty();
  }

  @Test
  void aStandby_isRefusedAtPrepare() throws Exception {
    Path capture = new ReadOnlySnapshotVolume("pgdata", pgdata, snaps).capture(snaps.resolve("standby-source"));
    PostgresServer standby = server.startCopy(capture, copies.resolve("standby"), true);
    extraServers.add(standby);
    Participant p = participant(writer(Map.of("port", Integer.toString(standby.port()))));
    PrepareResult r = p.prepare(ref("on-standby"), List.of(), LEASE);
    assertThat(r.ok()).isFalse();
    assertThat(r.retryable()).isFalse();
    assertThat(r.reason()).startsWith("writer pg: the server is a standby (in recovery)").doesNotContain("\n");
  }

  // ---- helpers ----

  private TransferWorkload startWorkload() throws SQLException {
    return TransferWorkload.start(() -> server.connect(DB, "transfer"), CLIENTS, ACCOUNTS, Duration.ofMinutes(5));
  }

  private PostgresWriter writer(Map<String, String> extra) throws Exception {
    Map<String, String> options = new HashMap<>(Map.of("port", Integer.toString(server.port()), "database", DB,
        "user", "postgres", "passwordFile", server.passwordFile().toString()));
    options.putAll(extra);
    WriterConfig config = new WriterConfig("pg", "postgresql", 0, Set.of(), WRITER_TIMEOUT, options);
    WriterSetup<?> setup = Kinds.setUp(config);
    KindContext context = KindContext.of(snaps, tmp.resolve("state"));
    setup.validate(context);
    return (PostgresWriter) setup.create(context);
  }

  private Participant participant(Writer w) throws IOException {
    return new Participant("a1", List.of(new ReadOnlySnapshotVolume("pgdata", pgdata, snaps)), List.of(w),
        SnapshotCatalog.inMemory(), new EpochFence(EpochFence.Store.inMemory(), CLUSTER), snaps,
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
  }

  private static TxnRef ref(String id) {
    return new TxnRef(CLUSTER, 1, id);
  }

  private static Path secretFile(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.deleteIfExists(p);
    Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(p, content + "\n");
    return p;
  }

  private static long query(String sql) throws SQLException {
    try (Statement s = monitor.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static long historyRows() throws SQLException {
    return query("SELECT count(*) FROM history");
  }

  private static long clientsWaitingForALock() throws SQLException {
    return query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'transfer' "
        + "AND wait_event_type = 'Lock'");
  }

  private static long holdingSessions() throws SQLException {
    return query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + HOLDER + "'");
  }

  /** The writer's session ends when it disconnects; its backend process may take a moment to go. */
  private static void awaitNoHoldingSession() {
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> holdingSessions() == 0);
  }

  private static long shareLocks() throws SQLException {
    return query("SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND mode = 'ShareLock'");
  }

  private boolean writerWaitsForHistory() throws SQLException {
    return query("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = '"
        + HOLDER + "' AND NOT l.granted AND l.relation = 'history'::regclass") > 0;
  }
}
