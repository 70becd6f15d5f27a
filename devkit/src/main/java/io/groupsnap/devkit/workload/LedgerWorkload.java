package io.groupsnap.devkit.workload;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ledger across hosts: one account per volume ({@code ledger/balance} and the write-ahead {@code ledger/log}), and
 * transfers that move units between accounts on different agents. A transfer first logs the debit and lowers the
 * source balance, then — a moment later, as a message between hosts would — logs the credit and raises the
 * destination's. The invariant of any consistent cut: every credit has its debit, every balance matches its own log,
 * and the balances plus the transfers in flight (debited, not yet credited) add up to the initial total.
 *
 * <p>It takes part as a writer through one {@link Gate} per volume: on freeze it finishes the operation in progress on
 * that volume and holds; transfers in flight wait at the destination's gate and stay recoverable from the logs.
 *
 * <p>A new workload starts every account afresh; {@link #recover} instead carries on from what the volumes hold (after
 * an in-place restore, say): see {@link LedgerRecovery}.
 */
public final class LedgerWorkload implements AutoCloseable {
  public static final String DIR = "ledger";
  public static final long INITIAL = 1_000_000;

  private final Map<String, Path> dirs = new LinkedHashMap<>();
  private final Map<String, Gate> gates = new LinkedHashMap<>();
  private final Map<String, Object> locks = new HashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong transfers = new AtomicLong();
  private final AtomicLong nextId = new AtomicLong();
  private final LedgerRecovery.Report recovery;
  private volatile boolean running = true;

  /** A new ledger: every account's log emptied and its balance set to {@link #INITIAL}. */
  public LedgerWorkload(Map<String, Path> volumes) throws IOException {
    this(volumes, Gates.fresh(volumes.keySet()), true);
  }

  private LedgerWorkload(Map<String, Path> volumes, Map<String, Gate> gates, boolean fresh) throws IOException {
    if (volumes.size() < 2) {
      throw new IllegalArgumentException("a ledger needs at least two accounts");
    }
    for (Map.Entry<String, Path> e : volumes.entrySet()) {
      Path d = e.getValue().resolve(DIR);
      dirs.put(e.getKey(), d);
      this.gates.put(e.getKey(), Gates.require(gates, e.getKey()));
      locks.put(e.getKey(), new Object());
      if (fresh) {
        Files.createDirectories(d);
        Files.deleteIfExists(d.resolve("log"));
        Files.createFile(d.resolve("log"));
        writeBalance(d, INITIAL);
      }
    }
    recovery = fresh ? LedgerRecovery.Report.NOTHING : LedgerRecovery.recover(dirs);
    nextId.set(recovery.maxId());
  }

  /**
   * A ledger that carries on from the accounts the volumes hold, recovered first (see {@link LedgerRecovery}): each
   * balance recomputed from its log, every transfer debited but not credited credited once, new transfer ids above
   * every id found. Not started.
   *
   * @throws IOException when an account is missing or its log does not describe a ledger (naming the account)
   */
  public static LedgerWorkload recover(Map<String, Path> volumes) throws IOException {
    return recover(volumes, Gates.fresh(volumes.keySet()));
  }

  /** As {@link #recover(Map)}, holding its writes through the given gates (one per agent), which outlive it. */
  static LedgerWorkload recover(Map<String, Path> volumes, Map<String, Gate> gates) throws IOException {
    return new LedgerWorkload(volumes, gates, false);
  }

  /** A new ledger holding its writes through the given gates (one per agent), which outlive it. */
  static LedgerWorkload fresh(Map<String, Path> volumes, Map<String, Gate> gates) throws IOException {
    return new LedgerWorkload(volumes, gates, true);
  }

  /** What {@link #recover} found and repaired; {@link LedgerRecovery.Report#NOTHING} for a new ledger. */
  public LedgerRecovery.Report recovery() {
    return recovery;
  }

  /** The sum every consistent cut must show. */
  public long total() {
    return INITIAL * dirs.size();
  }

  public Gate gate(String agentId) {
    return gates.get(agentId);
  }

  public long transfers() {
    return transfers.get();
  }

  public LedgerWorkload start(int workers) {
    for (int i = 0; i < workers; i++) {
      int seed = i;
      Thread t = new Thread(() -> loop(seed), "workload-ledger-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return this;
  }

  private void loop(int seed) {
    SplittableRandom rnd = new SplittableRandom(seed * 7919L + 1);
    List<String> accounts = new ArrayList<>(dirs.keySet());
    while (running) {
      String from = accounts.get(rnd.nextInt(accounts.size()));
      String to = accounts.get(rnd.nextInt(accounts.size()));
      if (from.equals(to)) {
        continue;
      }
      long id = nextId.incrementAndGet();
      long amount = 1 + rnd.nextInt(100);
      try {
        apply(from, "D", id, -amount, to);
        Gate.pauseMicros(500); // the message travelling between hosts
        apply(to, "C", id, amount, from);
        transfers.incrementAndGet();
      } catch (InterruptedException | IOException e) {
        return;
      }
      Gate.pauseMicros(300);
    }
  }

  private void apply(String account, String kind, long id, long delta, String peer)
      throws InterruptedException, IOException {
    Gate gate = gates.get(account);
    gate.enter();
    try {
      synchronized (locks.get(account)) {
        Path d = dirs.get(account);
        appendLine(d, kind, id, Math.abs(delta), peer);
        Gate.pauseMicros(100);
        writeBalance(d, readBalance(d) + delta);
      }
    } finally {
      gate.exit();
    }
  }

  static void appendLine(Path d, String kind, long id, long amount, String peer) throws IOException {
    String line = String.format(Locale.ROOT, "%s %d %d %s\n", kind, id, amount, peer);
    Files.writeString(d.resolve("log"), line, StandardOpenOption.APPEND);
  }

  static void writeBalance(Path d, long value) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(d.resolve("balance").toFile(), "rw")) {
      byte[] b = String.format(Locale.ROOT, "%020d\n", value).getBytes(StandardCharsets.US_ASCII);
      raf.seek(0);
      raf.write(b);
      raf.setLength(b.length);
    }
  }

  static long readBalance(Path d) throws IOException {
    return Long.parseLong(Files.readString(d.resolve("balance"), StandardCharsets.US_ASCII).trim());
  }

  /**
   * Stops the workload: every worker finishes the transfer in progress (its credit too) and ends. Its gates are left
   * open.
   *
   * @return true when every worker has ended within {@code wait}: nothing writes to the accounts any more
   */
  public boolean stop(Duration wait) throws InterruptedException {
    running = false;
    gates.values().forEach(Gate::open);
    return Gates.join(threads, wait);
  }

  /** True when no worker of this workload runs (never started, or stopped). */
  public boolean terminated() {
    return threads.stream().noneMatch(Thread::isAlive);
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(5));
  }
}
