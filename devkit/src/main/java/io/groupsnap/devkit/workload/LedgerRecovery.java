package io.groupsnap.devkit.workload;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings a {@link LedgerWorkload}'s accounts back to a state it can carry on from, as a database replays its
 * write-ahead log after a crash: what a crash-consistent copy of every volume (a group snapshot restored in place)
 * holds. The logs are the truth:
 *
 * <ul>
 *   <li>a last log line without its newline never finished: it is cut off;
 *   <li>each balance is recomputed from its log. It may lag by the log's last line (the balance is written after the
 *       line); any other difference is refused;
 *   <li>every transfer debited whose credit is not in the destination's log is credited there, once (the message that
 *       carried it was lost with the process);
 *   <li>a credit without its debit, a transfer logged twice, or a balance sum that is not the initial total after this
 *       is refused: the accounts are not one cut of a ledger.
 * </ul>
 *
 * Recovering again a ledger already recovered changes nothing. Not thread-safe: nothing else may write the accounts
 * meanwhile.
 */
public final class LedgerRecovery {
  private static final Pattern LINE = Pattern.compile("([DC]) ([1-9][0-9]{0,17}) ([1-9][0-9]{0,17}) (\\S+)");

  /**
   * What recovery found and did.
   *
   * @param maxId the highest transfer id in any log (new transfers take ids above it)
   * @param balancesCorrected balances that lagged their log's last line
   * @param creditsApplied transfers debited and not credited, credited now
   * @param tornLinesDropped last log lines cut off because they were never finished
   */
  public record Report(long maxId, int balancesCorrected, int creditsApplied, int tornLinesDropped) {
    /** A new ledger: nothing recovered. */
    public static final Report NOTHING = new Report(0, 0, 0, 0);
  }

  private record Entry(String account, boolean debit, long id, long amount, String peer) {}

  private LedgerRecovery() {}

  /**
   * Recovers the accounts in place.
   *
   * @param dirs agent id to its account's directory ({@code <volume>/ledger})
   * @throws IOException when an account cannot be read or is not part of one cut of a ledger (naming it)
   */
  static Report recover(Map<String, Path> dirs) throws IOException {
    int torn = 0;
    Map<String, List<Entry>> logs = new LinkedHashMap<>();
    for (Map.Entry<String, Path> a : dirs.entrySet()) {
      Path log = a.getValue().resolve("log");
      if (!Files.isRegularFile(log)) {
        throw new IOException("ledger account " + a.getKey() + ": no log at " + log);
      }
      String text = Files.readString(log, StandardCharsets.US_ASCII);
      int complete = text.lastIndexOf('\n') + 1;
      if (complete < text.length()) {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
          ch.truncate(complete);
        }
        torn++;
      }
      logs.put(a.getKey(), parse(a.getKey(), text.substring(0, complete), dirs));
    }
    Map<String, Long> balances = new LinkedHashMap<>();
    int corrected = 0;
    for (Map.Entry<String, List<Entry>> a : logs.entrySet()) {
      corrected += checkBalance(a.getKey(), dirs.get(a.getKey()), a.getValue(), balances);
    }
    Map<Long, Entry> debits = new TreeMap<>();
    Map<Long, Entry> credits = new TreeMap<>();
    index(logs, debits, credits);
    int applied = 0;
    for (Entry d : debits.values()) {
      if (!credits.containsKey(d.id())) {
        LedgerWorkload.appendLine(dirs.get(d.peer()), "C", d.id(), d.amount(), d.account());
        balances.merge(d.peer(), d.amount(), Long::sum);
        applied++;
      }
    }
    long sum = 0;
    for (Map.Entry<String, Long> b : balances.entrySet()) {
      LedgerWorkload.writeBalance(dirs.get(b.getKey()), b.getValue());
      sum += b.getValue();
    }
    if (sum != LedgerWorkload.INITIAL * dirs.size()) {
      throw new IOException("ledger: after recovery the balances add up to " + sum + ", not "
          + LedgerWorkload.INITIAL * dirs.size());
    }
    long maxId = 0;
    for (Long id : debits.keySet()) {
      maxId = Math.max(maxId, id);
    }
    return new Report(maxId, corrected, applied, torn);
  }

  private static List<Entry> parse(String account, String text, Map<String, Path> dirs) throws IOException {
    List<Entry> entries = new ArrayList<>();
    if (text.isEmpty()) {
      return entries;
    }
    int n = 0;
    for (String line : text.split("\n")) {
      n++;
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IOException("ledger account " + account + ", log line " + n + ": malformed '" + line + "'");
      }
      String peer = m.group(4);
      if (peer.equals(account) || !dirs.containsKey(peer)) {
        throw new IOException("ledger account " + account + ", log line " + n + ": no such peer account '" + peer
            + "'");
      }
      entries.add(new Entry(account, m.group(1).equals("D"), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
          peer));
    }
    return entries;
  }

  /** Puts the balance the log says into {@code balances}; 1 when the file lagged the last line, else 0. */
  private static int checkBalance(String account, Path dir, List<Entry> log, Map<String, Long> balances)
      throws IOException {
    long balance = LedgerWorkload.INITIAL;
    long beforeLast = balance;
    for (Entry e : log) {
      beforeLast = balance;
      balance += e.debit() ? -e.amount() : e.amount();
    }
    long found;
    try {
      found = LedgerWorkload.readBalance(dir);
    } catch (IOException | RuntimeException e) {
      throw new IOException("ledger account " + account + ": unreadable balance (" + e.getMessage() + ")", e);
    }
    balances.put(account, balance);
    if (found == balance) {
      return 0;
    }
    if (!log.isEmpty() && found == beforeLast) {
      return 1;
    }
    throw new IOException("ledger account " + account + ": balance " + found + " does not match its log (" + balance
        + ")");
  }

  private static void index(Map<String, List<Entry>> logs, Map<Long, Entry> debits, Map<Long, Entry> credits)
      throws IOException {
    for (List<Entry> log : logs.values()) {
      for (Entry e : log) {
        Map<Long, Entry> into = e.debit() ? debits : credits;
        if (into.putIfAbsent(e.id(), e) != null) {
          throw new IOException("ledger: transfer " + e.id() + " " + (e.debit() ? "debited" : "credited")
              + " twice (at " + into.get(e.id()).account() + " and " + e.account() + ")");
        }
      }
    }
    for (Entry c : credits.values()) {
      Entry d = debits.get(c.id());
      if (d == null || !d.account().equals(c.peer()) || !d.peer().equals(c.account()) || d.amount() != c.amount()) {
        throw new IOException("ledger: transfer " + c.id() + " credited at " + c.account() + " without its debit at "
            + c.peer());
      }
    }
  }
}
