package io.groupsnap.agent.testing.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pgbench-like banking workload: table {@code accounts(id, balance)} and {@code history(id, src, dst, amount)};
 * client threads each run transfer transactions as fast as they can — debit one account, credit another, record the
 * transfer — each in one transaction. Accounts are updated in id order, so the transfers cannot deadlock each other:
 * any error a client sees is someone else's doing and is recorded in {@link #errors()}.
 *
 * <p>{@link #check} verifies a database (a restored copy): the total of the balances is the initial total, and every
 * account's balance is its initial balance plus what the history says it received minus what it sent — a transfer
 * half-applied, or applied without its history row, shows up as a mismatch.
 *
 * <p>The clients stop by themselves after {@code maxRun}; {@link #close()} stops them at once.
 */
public final class TransferWorkload implements AutoCloseable {
  /** How the clients get their connections. */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws SQLException;
  }

  /**
   * What {@link #check} found.
   *
   * @param accounts rows in {@code accounts}
   * @param total sum of the balances
   * @param transfers rows in {@code history}
   * @param mismatched accounts whose balance does not match their history
   */
  public record Invariant(long accounts, long total, long transfers, long mismatched) {}

  private final List<Thread> clients = new ArrayList<>();
  private final AtomicLong committed = new AtomicLong();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final int accounts;
  private final long deadlineNanos;
  private volatile boolean running = true;

  private TransferWorkload(int accounts, Duration maxRun) {
    this.accounts = accounts;
    this.deadlineNanos = System.nanoTime() + maxRun.toNanos();
  }

  /** Creates the tables with {@code accounts} accounts of {@code initialBalance} each. */
  public static void createSchema(Connection c, int accounts, long initialBalance) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
      s.execute("CREATE TABLE history (id bigserial PRIMARY KEY, src int NOT NULL REFERENCES accounts, "
          + "dst int NOT NULL REFERENCES accounts, amount bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())");
      s.execute("INSERT INTO accounts SELECT g, " + initialBalance + " FROM generate_series(1, " + accounts + ") g");
    }
  }

  /** Starts {@code clients} threads, each with its own connection. */
  public static TransferWorkload start(Connector connector, int clients, int accounts, Duration maxRun)
      throws SQLException {
    TransferWorkload w = new TransferWorkload(accounts, maxRun);
    List<Connection> conns = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        conns.add(connector.connect());
      }
    } catch (SQLException e) {
      for (Connection c : conns) {
        c.close();
      }
      throw e;
    }
    for (int i = 0; i < clients; i++) {
      Connection c = conns.get(i);
      long seed = 7919L * (i + 1);
      Thread t = new Thread(() -> w.run(c, new Random(seed)), "transfer-client-" + i);
      t.setDaemon(true);
      w.clients.add(t);
      t.start();
    }
    return w;
  }

  /** Transfers committed so far (counted once the commit has returned). */
  public long committed() {
    return committed.get();
  }

  /** Errors the clients saw (at most 50 kept); empty in a healthy run. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  private void run(Connection c, Random random) {
    try (c;
        PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
        PreparedStatement record = c.prepareStatement("INSERT INTO history (src, dst, amount) VALUES (?, ?, ?)")) {
      c.setAutoCommit(false);
      while (running && System.nanoTime() < deadlineNanos) {
        int src = 1 + random.nextInt(accounts);
        int dst = 1 + random.nextInt(accounts - 1);
        if (dst >= src) {
          dst++;
        }
        long amount = 1 + random.nextInt(100);
        try {
          int first = Math.min(src, dst);
          int second = Math.max(src, dst);
          apply(update, first, first == src ? -amount : amount);
          apply(update, second, second == src ? -amount : amount);
          record.setInt(1, src);
          record.setInt(2, dst);
          record.setLong(3, amount);
          record.executeUpdate();
          c.commit();
          committed.incrementAndGet();
        } catch (SQLException e) {
          if (running) {
            note(Thread.currentThread().getName() + ": " + e.getMessage());
          }
          try {
            c.rollback();
          } catch (SQLException closed) {
            return;
          }
        }
      }
    } catch (SQLException e) {
      if (running) {
        note(Thread.currentThread().getName() + ": " + e.getMessage());
      }
    }
  }

  private static void apply(PreparedStatement update, int id, long delta) throws SQLException {
    update.setLong(1, delta);
    update.setInt(2, id);
    if (update.executeUpdate() != 1) {
      throw new SQLException("account " + id + " not found");
    }
  }

  private void note(String error) {
    if (errors.size() < 50) {
      errors.add(error);
    }
  }

  /** Checks the invariant in {@code c}'s database, for {@code initialBalance} per account. */
  public static Invariant check(Connection c, long initialBalance) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM accounts), (SELECT coalesce(sum(balance), 0) "
            + "FROM accounts), (SELECT count(*) FROM history), (SELECT count(*) FROM accounts a LEFT JOIN ("
            + "SELECT id, sum(delta) AS delta FROM (SELECT dst AS id, amount AS delta FROM history UNION ALL "
            + "SELECT src, -amount FROM history) moves GROUP BY id) h ON h.id = a.id "
            + "WHERE a.balance <> " + initialBalance + " + coalesce(h.delta, 0))")) {
      r.next();
      return new Invariant(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4));
    }
  }

  /** Stops the clients and waits for them (a client blocked on a lock ends when the lock or its server goes). */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : clients) {
      t.join(Duration.ofSeconds(90).toMillis());
    }
  }
}
