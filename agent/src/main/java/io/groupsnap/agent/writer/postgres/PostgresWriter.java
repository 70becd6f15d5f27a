package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.kinds.ConfiguredWriter;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer kind {@code postgresql}: holds a PostgreSQL database's writes while its volumes are captured.
 *
 * <p><b>What it does.</b> PREPARE connects (the connection is kept for the transaction, so nothing connects inside
 * the freeze window), refuses a standby, runs {@code CHECKPOINT} (option {@code checkpoint}, default true: a
 * restored copy then replays only the WAL written since PREPARE) and resolves the tables to hold, checking the role
 * may lock each one. FREEZE opens a transaction and takes {@code LOCK TABLE … IN SHARE MODE} on every table: the lock
 * waits for transactions already writing to a table to end and keeps new {@code INSERT}/{@code UPDATE}/{@code DELETE}
 * waiting, while reads go on. Only the first table is waited for; the rest are taken with {@code NOWAIT}, and a busy
 * one makes the writer release everything and start again waiting for that one first — so the hold never waits
 * while holding and can never deadlock an application transaction. The wait is bounded by the writer's
 * {@code timeout} ({@code lock_timeout}). It then sets {@code idle_in_transaction_session_timeout} to the time left
 * until the freeze lease's deadline, so PostgreSQL itself ends the session, and its locks, at the deadline if THAW
 * never comes (the agent died or lost the network). THAW checks, in the same session, that every lock is still
 * granted, then rolls back and closes: OK only if the locks survived (a session ended by the idle timeout, a server
 * restart or an administrator means the hold was broken). ABORT rolls back and closes. Every call is bounded by the
 * writer's {@code timeout}: connect and login timeouts, {@code statement_timeout}, and a network read timeout.
 *
 * <p><b>Consistency it gives.</b> On its own, none: it takes no capture. Together with a volume kind whose capture is
 * an atomic point-in-time image of the whole PGDATA (with {@code pg_wal} and every tablespace on the same volume:
 * btrfs, LVM, ZFS, or fsfreeze around a block-level copy), the capture is what a power cut at that instant would have
 * left, which PostgreSQL recovers from by replaying WAL; the hold adds that no transaction writing to a held table is
 * half-way, so the database's state lines up with the application's other volumes in the same group snapshot.
 * Transactions committed with {@code synchronous_commit = off} may not have reached the WAL on disk by then, exactly
 * as in a crash. A file-by-file copy ({@code dir}) of a running PGDATA is <em>not</em> consistent: the server's own
 * background writes (checkpointer, autovacuum, hint bits) continue during the hold.
 *
 * <p>{@code pg_backup_start}/{@code pg_backup_stop} are deliberately not used: for an atomic capture they add
 * nothing (crash recovery starts from the checkpoint recorded in the captured {@code pg_control}, and every WAL record
 * it needs is in the same capture), the {@code backup_label} they return would have to be written into the capture,
 * which a read-only snapshot cannot take, and {@code pg_backup_stop} may wait for WAL archiving inside THAW.
 *
 * <p><b>Needs.</b> A role that may connect to the database; {@code UPDATE}, {@code DELETE} or {@code TRUNCATE}
 * privilege (or ownership) on every held table; for {@code CHECKPOINT}, superuser or membership in
 * {@code pg_checkpoint} (PostgreSQL 15+). PostgreSQL 10 or later; TCP only (no Unix socket). No tools, no root.
 *
 * <p><b>Options</b> (all strings): {@code host} (default 127.0.0.1), {@code port} (default 5432), {@code database}
 * (required), {@code user} (required), {@code passwordFile} (absolute path; its first line is the password; read at
 * every PREPARE; mode 0600 or 0400 and owned by the agent's user, else refused; never logged, and taken out of every
 * error the server or driver reports), {@code tables} (comma-separated
 * {@code [schema.]name} list of unquoted identifiers; default: every user table of the database, resolved at
 * PREPARE), {@code checkpoint} ({@code true}/{@code false}, default true). For test restores only, not used by the
 * writer itself: {@code dataDirectory}, {@code verifyQuery}, {@code verifyTimeout}, {@code serverBin},
 * {@code serverUser} ({@code io.groupsnap.agent.verify.PostgresCheck}). See {@link PostgresOptions}.
 *
 * <p><b>Captures.</b> A writer makes none: the volumes it writes to ({@code volumes:}) are captured, named and listed by
 * their own kinds. The holding session is visible in {@code pg_stat_activity} with application name
 * {@code groupsnap <writer name>}.
 *
 * <p>Threading: as {@link Writer}; {@link #thaw} may come from the lease watchdog while {@link #freeze} waits for a
 * lock, and then cancels that wait.
 */
public final class PostgresWriter extends ConfiguredWriter {
  private static final Logger log = LoggerFactory.getLogger(PostgresWriter.class);

  private final PostgresOptions options;
  private final Clock clock;
  private final Map<String, HoldSession> sessions = new ConcurrentHashMap<>();
  private volatile Figures last;
  /** The password last read, to take out of error reasons; null before any. */
  private volatile String secret;

  /**
   * Timings of one transaction, for logs and benchmarks.
   *
   * @param txnId the group snapshot
   * @param tables how many tables were held
   * @param checkpointMillis how long CHECKPOINT took at PREPARE; -1 when not run
   * @param lockMillis how long taking every lock took at FREEZE
   * @param lockAttempts how many attempts that took (a NOWAIT lock that was busy starts a new one)
   * @param heldMillis from the last lock granted to the release at THAW
   */
  public record Figures(String txnId, int tables, long checkpointMillis, long lockMillis, int lockAttempts,
      long heldMillis) {}

  /**
   * @param clock the lease deadline is compared with this clock's time (the agent's clock)
   */
  public PostgresWriter(WriterConfig config, PostgresOptions options, Clock clock) {
    super(config, "postgresql");
    this.options = options;
    this.clock = clock;
  }

  /** The timings of the last transaction released by THAW, if any. */
  public Optional<Figures> lastFigures() {
    return Optional.ofNullable(last);
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    return redacted(prepareSession(txn));
  }

  private WriterResult prepareSession(TxnContext txn) {
    Instant deadline = clock.instant().plus(config.timeout());
    HoldSession old = sessions.remove(txn.txnId());
    if (old != null) {
      old.release();
    }
    Optional<String> password;
    try {
      password = readPassword();
    } catch (IOException e) {
      return WriterResult.nonRetryable("options.passwordFile: " + e.getMessage());
    }
    HoldSession s;
    try {
      s = HoldSession.open(options, password, config.timeout(), applicationName(), clock);
    } catch (SQLException e) {
      return PgErrors.result("cannot connect to " + options.where(), e);
    }
    WriterResult r = s.prepare(options.tables(), options.checkpoint(), deadline);
    if (!r.ok()) {
      s.release();
      return new WriterResult(r.outcome(), r.reason() + " (" + options.where() + ")");
    }
    sessions.put(txn.txnId(), s);
    log.info("writer {}: prepared {} on {}: {} tables to hold, checkpoint {}", name(), txn.txnId(), options.where(),
        s.tableCount(), s.checkpointMillis() < 0 ? "skipped" : s.checkpointMillis() + "ms");
    return WriterResult.OK;
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    HoldSession s = sessions.get(txn.txnId());
    if (s == null) {
      return WriterResult.nonRetryable("not prepared for transaction " + txn.txnId());
    }
    return redacted(s.hold(leaseDeadline, clock.instant().plus(config.timeout())));
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    HoldSession s = sessions.remove(txn.txnId());
    if (s == null) {
      return WriterResult.nonRetryable("this agent process holds nothing for transaction " + txn.txnId()
          + " (restarted?): PostgreSQL ended that session when its connection closed or at the lease deadline");
    }
    WriterResult r = redacted(s.release());
    Figures f = new Figures(txn.txnId(), s.tableCount(), s.checkpointMillis(), s.lockMillis(), s.lockAttempts(),
        s.heldMillis());
    last = f;
    if (f.heldMillis() < 0) {
      log.info("writer {}: released {} before its {} tables were all locked ({} attempts)", name(), txn.txnId(),
          f.tables(), f.lockAttempts());
    } else {
      log.info("writer {}: released {}: {} tables locked in {}ms ({} attempts), held {}ms{}", name(), txn.txnId(),
          f.tables(), f.lockMillis(), f.lockAttempts(), f.heldMillis(), r.ok() ? "" : ", BROKEN: " + r.reason());
    }
    return r;
  }

  @Override
  public void abort(TxnContext txn) {
    HoldSession s = sessions.remove(txn.txnId());
    if (s != null) {
      s.release();
    }
  }

  private String applicationName() {
    String n = "groupsnap " + name();
    return n.length() > 63 ? n.substring(0, 63) : n;
  }

  /** The first line of the password file ({@link PasswordFile}: 0600 or 0400, owned by the agent's user). */
  private Optional<String> readPassword() throws IOException {
    if (options.passwordFile().isEmpty()) {
      return Optional.empty();
    }
    String password = PasswordFile.read(options.passwordFile().get());
    secret = password;
    return Optional.of(password);
  }

  /**
   * {@code r} with the password taken out of its reason: a server or driver that echoes it (in a connection string,
   * say) must not carry it into the transaction's report and the logs.
   */
  private WriterResult redacted(WriterResult r) {
    String reason = PasswordFile.redact(r.reason(), secret);
    return reason.equals(r.reason()) ? r : new WriterResult(r.outcome(), reason);
  }
}
