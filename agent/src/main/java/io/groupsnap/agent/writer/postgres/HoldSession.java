package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.writer.WriterResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One transaction's connection to PostgreSQL: opened at PREPARE, holding the table locks between FREEZE and THAW,
 * closed at THAW or ABORT.
 *
 * <pre>
 *   OPEN --prepare--> PREPARED --hold--> HOLDING --release--> CLOSED
 *     \                  \                                      ^
 *      `-----------------`------------- failure / close --------'
 * </pre>
 *
 * <p>Threading: {@link #prepare}, {@link #hold} and {@link #release} are serialized by one lock. {@link #release} may
 * be called from another thread while {@link #hold} waits for a lock (the lease watchdog): it first cancels the
 * running statement, so the hold gives up at once, and if the connection stays busy beyond the writer's timeout it
 * abandons the connection (PostgreSQL then ends the session and its locks when it notices the closed socket).
 */
final class HoldSession {
  /** Where a session is in its life. */
  enum State { OPEN, PREPARED, HOLDING, CLOSED }

  private static final String RELEASED_WHILE_LOCKING = "released while locking (THAW or ABORT came first: the "
      + "lease ran out or the transaction was aborted)";

  private final Connection conn;
  private final Duration timeout;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Statement running;
  private volatile boolean releaseRequested;
  private State state = State.OPEN;
  private List<HeldTables.Table> tables = List.of();
  private long checkpointMillis = -1;
  private long lockMillis = -1;
  private int lockAttempts;
  private long heldSinceNanos;
  private volatile long heldMillis = -1;

  private HoldSession(Connection conn, Duration timeout, Clock clock) {
    this.conn = conn;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Connects. Every statement of the session is limited by {@code statement_timeout} = {@code timeout}, every read
   * from the server by the network timeout.
   */
  static HoldSession open(PostgresOptions o, Optional<String> password, Duration timeout, String applicationName,
      Clock clock) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", o.user());
    password.ifPresent(pw -> p.setProperty("password", pw));
    String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
    p.setProperty("connectTimeout", seconds);
    p.setProperty("loginTimeout", seconds);
    p.setProperty("socketTimeout", Long.toString(Long.parseLong(seconds) + 1));
    p.setProperty("cancelSignalTimeout", seconds);
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("options", "-c statement_timeout=" + timeout.toMillis());
    Connection c = new org.postgresql.Driver().connect(o.jdbcUrl(), p);
    if (c == null) {
      throw new SQLException("the driver does not accept " + o.jdbcUrl(), "08001");
    }
    try {
      c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + 1000));
      c.setAutoCommit(true);
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
    return new HoldSession(c, timeout, clock);
  }

  /**
   * PREPARE: checks the server (version, not a standby), runs {@code CHECKPOINT} if asked, resolves the tables to
   * hold and checks the role may lock them. Holds nothing.
   *
   * @param wanted tables named in the options, empty for every user table of the database
   */
  WriterResult prepare(List<String> wanted, boolean checkpoint, Instant deadline) {
    lock.lock();
    try {
      if (state != State.OPEN) {
        return WriterResult.nonRetryable("session already " + state);
      }
      try (Statement s = conn.createStatement()) {
        running = s;
        int version;
        try (ResultSet r = s.executeQuery(
            "SELECT current_setting('server_version_num')::int, pg_is_in_recovery()")) {
          r.next();
          version = r.getInt(1);
          if (version < 100000) {
            return WriterResult.nonRetryable("PostgreSQL 10 or later is needed (the server is version " + version
                + ")");
          }
          if (r.getBoolean(2)) {
            return WriterResult.nonRetryable("the server is a standby (in recovery): its changes come from WAL "
                + "replay, which table locks cannot hold; hold the primary, or capture the standby without this "
                + "writer");
          }
        }
        if (version >= 140000) {
          // the session waits idle between PREPARE and FREEZE; a server-wide idle limit must not end it
          s.execute("SET idle_session_timeout = 0; SET client_connection_check_interval = 1000");
        }
        if (checkpoint) {
          WriterResult r = checkpoint(s, deadline);
          if (!r.ok()) {
            return r;
          }
        }
        HeldTables.Resolved resolved = HeldTables.resolve(conn, wanted);
        if (!resolved.refusal().ok()) {
          return resolved.refusal();
        }
        tables = resolved.tables();
      } finally {
        running = null;
      }
      state = State.PREPARED;
      return WriterResult.OK;
    } catch (SQLException e) {
      return PgErrors.result("prepare", e);
    } finally {
      lock.unlock();
    }
  }

  private WriterResult checkpoint(Statement s, Instant deadline) throws SQLException {
    long remaining = millisUntil(deadline);
    if (remaining <= 0) {
      return WriterResult.retryable("no time left for CHECKPOINT within the writer's timeout");
    }
    s.execute("SET statement_timeout = " + remaining);
    long start = System.nanoTime();
    try {
      s.execute("CHECKPOINT");
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        return WriterResult.nonRetryable("CHECKPOINT: " + PgErrors.oneLine(e) + "; grant the role pg_checkpoint "
            + "(PostgreSQL 15+) or set option checkpoint: \"false\"");
      }
      if (PgErrors.QUERY_CANCELED.equals(e.getSQLState())) {
        return WriterResult.retryable("CHECKPOINT did not finish within the writer's timeout (" + timeout.toMillis()
            + "ms); it goes on in the background, so the next attempt has less to write");
      }
      return PgErrors.result("CHECKPOINT", e);
    } finally {
      s.execute("SET statement_timeout = " + timeout.toMillis());
    }
    checkpointMillis = (System.nanoTime() - start) / 1_000_000;
    return WriterResult.OK;
  }

  /**
   * FREEZE: takes SHARE locks on every table — waiting for transactions already writing to them to end, blocking
   * new writes, letting reads go on — and arms {@code idle_in_transaction_session_timeout} so that PostgreSQL ends
   * the session, and with it the locks, at {@code leaseDeadline} even if THAW never comes.
   *
   * <p>Only the first table is waited for; the others are taken with NOWAIT, so the session never waits while it
   * holds a lock and cannot be part of a deadlock with the application. When one of them is busy, everything is
   * released and the next attempt waits for that one first. Attempts go on until {@code callDeadline}.
   */
  WriterResult hold(Instant leaseDeadline, Instant callDeadline) {
    lock.lock();
    try {
      if (state != State.PREPARED) {
        return WriterResult.nonRetryable("cannot hold: session " + state);
      }
      long start = System.nanoTime();
      WriterResult r = lockAll(callDeadline);
      if (!r.ok()) {
        rollbackQuietly();
        return r;
      }
      lockMillis = (System.nanoTime() - start) / 1_000_000;
      long idle = millisUntil(leaseDeadline);
      if (idle < 1 || releaseRequested) {
        rollbackQuietly();
        return WriterResult.retryable(releaseRequested ? RELEASED_WHILE_LOCKING
            : "the freeze lease ran out while locking");
      }
      try (Statement s = conn.createStatement()) {
        s.execute("SET LOCAL idle_in_transaction_session_timeout = " + Math.min(Integer.MAX_VALUE, idle));
      } catch (SQLException e) {
        rollbackQuietly();
        return PgErrors.result("arming the lease in PostgreSQL", e);
      }
      heldSinceNanos = System.nanoTime();
      state = State.HOLDING;
      return WriterResult.OK;
    } finally {
      lock.unlock();
    }
  }

  private WriterResult lockAll(Instant callDeadline) {
    List<HeldTables.Table> order = new ArrayList<>(tables);
    try {
      conn.setAutoCommit(false);
    } catch (SQLException e) {
      return PgErrors.result("begin", e);
    }
    try (Statement s = conn.createStatement()) {
      running = s;
      attempts:
      while (true) {
        lockAttempts++;
        long remaining = millisUntil(callDeadline);
        if (releaseRequested) {
          return WriterResult.retryable(RELEASED_WHILE_LOCKING);
        }
        if (remaining < 1) {
          return WriterResult.retryable("could not lock every table within the writer's timeout ("
              + timeout.toMillis() + "ms, " + lockAttempts + " attempts)");
        }
        s.execute("SET LOCAL lock_timeout = " + Math.min(Integer.MAX_VALUE, remaining));
        if (order.isEmpty()) {
          return WriterResult.OK;
        }
        try {
          s.execute("LOCK TABLE " + order.get(0).quotedName() + " IN SHARE MODE");
        } catch (SQLException e) {
          if (PgErrors.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
            return WriterResult.retryable("could not lock " + order.get(0).quotedName() + " within the writer's "
                + "timeout (" + timeout.toMillis() + "ms): transactions writing to it did not end");
          }
          throw e;
        }
        for (int i = 1; i < order.size(); i++) {
          try {
            s.execute("LOCK TABLE " + order.get(i).quotedName() + " IN SHARE MODE NOWAIT");
          } catch (SQLException e) {
            if (!PgErrors.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
              throw e;
            }
            conn.rollback();
            order.add(0, order.remove(i));
            continue attempts;
          }
        }
        return WriterResult.OK;
      }
    } catch (SQLException e) {
      if (releaseRequested && PgErrors.QUERY_CANCELED.equals(e.getSQLState())) {
        return WriterResult.retryable(RELEASED_WHILE_LOCKING);
      }
      return PgErrors.result("locking tables", e);
    } finally {
      running = null;
    }
  }

  /** Asks a {@link #hold} in progress on another thread to give up at once (cancels its statement). */
  void requestRelease() {
    releaseRequested = true;
    Statement s = running;
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException e) {
        // the statement ended meanwhile, or the cancel could not be sent: the lock timeout still bounds it
      }
    }
  }

  /**
   * THAW: checks that this session still holds every lock it took, then releases them (ROLLBACK) and closes. OK only
   * when all locks were still held: locks are only ever given up all at once (the transaction's end, or the session's
   * end by the idle timeout, a crash or an administrator), so held now means held since the FREEZE answer.
   */
  WriterResult release() {
    requestRelease();
    boolean locked;
    try {
      locked = lock.tryLock(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      locked = false;
    }
    if (!locked) {
      abandon();
      return WriterResult.nonRetryable("the session was still busy after " + timeout.toMillis() + "ms; its "
          + "connection was dropped");
    }
    try {
      return state == State.HOLDING ? checkAndRollback() : WriterResult.OK;
    } finally {
      state = State.CLOSED;
      closeQuietly(conn);
      lock.unlock();
    }
  }

  private WriterResult checkAndRollback() {
    int held;
    try (PreparedStatement ps = conn.prepareStatement("SELECT count(DISTINCT relation) FROM pg_locks "
        + "WHERE pid = pg_backend_pid() AND locktype = 'relation' AND mode = 'ShareLock' AND granted "
        + "AND relation::bigint = ANY(?)")) {
      ps.setArray(1, conn.createArrayOf("int8", tables.stream().map(HeldTables.Table::oid).toArray()));
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        held = r.getInt(1);
      }
      conn.rollback();
    } catch (SQLException e) {
      return WriterResult.nonRetryable("the hold was broken: the session holding the locks ended before THAW ("
          + PgErrors.oneLine(e) + ")");
    } finally {
      heldMillis = (System.nanoTime() - heldSinceNanos) / 1_000_000;
    }
    if (held != tables.size()) {
      return WriterResult.nonRetryable("the hold was broken: only " + held + " of " + tables.size()
          + " table locks were still held at THAW");
    }
    return WriterResult.OK;
  }

  /** Closes the connection without waiting for the session's lock (a statement that does not return). */
  private void abandon() {
    try {
      conn.abort(Runnable::run);
    } catch (SQLException e) {
      // nothing more can be done from here; PostgreSQL ends the session when it finds the socket closed
    }
  }

  private void rollbackQuietly() {
    try {
      conn.rollback();
    } catch (SQLException e) {
      // the transaction ends with the session anyway
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // the server ends the session when the socket closes
    }
  }

  private long millisUntil(Instant deadline) {
    return Duration.between(clock.instant(), deadline).toMillis();
  }

  int tableCount() {
    return tables.size();
  }

  long checkpointMillis() {
    return checkpointMillis;
  }

  long lockMillis() {
    return lockMillis;
  }

  int lockAttempts() {
    return lockAttempts;
  }

  long heldMillis() {
    return heldMillis;
  }
}
