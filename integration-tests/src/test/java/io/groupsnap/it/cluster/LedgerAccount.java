package io.groupsnap.it.cluster;

import io.groupsnap.devkit.workload.Gate;
import io.groupsnap.devkit.workload.LedgerWorkload;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One host's ledger account, in {@link LedgerWorkload}'s file format so that {@code CutVerifier} checks it:
 * {@code ledger/balance} (a zero-padded number) and the write-ahead {@code ledger/log} ({@code D id amount peer} /
 * {@code C id amount peer}). Every change appends the log line first, then rewrites the balance — a copy taken in
 * between is torn, which is what a freeze must prevent.
 *
 * <p>Credits are idempotent per transfer id, so a sender may retry a transfer whose answer it did not get. A restarted
 * node recovers: the balance is recomputed from the log, and its own debits are handed back for (re)delivery.
 *
 * <p>Thread-safe; every change passes through {@link #gate()}, which a freeze closes.
 */
final class LedgerAccount {
  /** A debit of this account, to be credited at {@code peer}. */
  record Debit(long id, long amount, String peer) {}

  private final Path dir;
  private final Gate gate = new Gate();
  private final Object lock = new Object();
  private final Set<Long> credited = new HashSet<>();
  private final List<Debit> recoveredDebits = new ArrayList<>();
  private long balance;
  private long maxDebitId;

  LedgerAccount(Path volume) throws IOException {
    dir = volume.resolve(LedgerWorkload.DIR);
    Files.createDirectories(dir);
    Path log = dir.resolve("log");
    balance = LedgerWorkload.INITIAL;
    if (Files.exists(log)) {
      recover(Files.readAllLines(log, StandardCharsets.US_ASCII));
    } else {
      Files.createFile(log);
    }
    writeBalance();
  }

  private void recover(List<String> lines) {
    for (String line : lines) {
      String[] f = line.split(" ");
      long id = Long.parseLong(f[1]);
      long amount = Long.parseLong(f[2]);
      if (f[0].equals("D")) {
        balance -= amount;
        recoveredDebits.add(new Debit(id, amount, f[3]));
        maxDebitId = Math.max(maxDebitId, id);
      } else {
        balance += amount;
        credited.add(id);
      }
    }
  }

  Gate gate() {
    return gate;
  }

  /** Debits found in the log at start: each may or may not have reached its peer. */
  List<Debit> recoveredDebits() {
    return List.copyOf(recoveredDebits);
  }

  /** The highest debit id in the log at start (0 for a new account). */
  long maxRecoveredDebitId() {
    return maxDebitId;
  }

  /** Logs and applies a debit; blocks while the gate is closed. */
  void debit(Debit d) throws InterruptedException, IOException {
    apply("D", d.id(), d.amount(), d.peer(), -d.amount());
  }

  /** Logs and applies a credit unless this transfer was credited before; blocks while the gate is closed. */
  boolean credit(long id, long amount, String peer) throws InterruptedException, IOException {
    gate.enter();
    try {
      synchronized (lock) {
        if (credited.contains(id)) {
          return false;
        }
        change("C", id, amount, peer, amount);
        credited.add(id);
        return true;
      }
    } finally {
      gate.exit();
    }
  }

  int credits() {
    synchronized (lock) {
      return credited.size();
    }
  }

  private void apply(String kind, long id, long amount, String peer, long delta)
      throws InterruptedException, IOException {
    gate.enter();
    try {
      synchronized (lock) {
        change(kind, id, amount, peer, delta);
      }
    } finally {
      gate.exit();
    }
  }

  private void change(String kind, long id, long amount, String peer, long delta) throws IOException {
    Files.writeString(dir.resolve("log"), String.format(Locale.ROOT, "%s %d %d %s\n", kind, id, amount, peer),
        StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100)); // the window a careless copy tears
    balance += delta;
    writeBalance();
  }

  private void writeBalance() throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("balance").toFile(), "rw")) {
      byte[] b = String.format(Locale.ROOT, "%020d\n", balance).getBytes(StandardCharsets.US_ASCII);
      raf.seek(0);
      raf.write(b);
      raf.setLength(b.length);
    }
  }
}
