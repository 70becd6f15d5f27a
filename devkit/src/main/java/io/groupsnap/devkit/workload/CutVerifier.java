package io.groupsnap.devkit.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a set of volume copies, one per agent, is one consistent cut of the demo workloads: no torn
 * header-count file, and a ledger whose logs and balances agree (see {@link LedgerWorkload}).
 */
public final class CutVerifier {
  private CutVerifier() {}

  /**
   * What was found.
   *
   * @param tornFiles header-count files whose header does not match the body
   * @param ledgerProblems why the ledger does not add up; empty when it does
   */
  public record Report(List<String> tornFiles, List<String> ledgerProblems) {
    public boolean consistent() {
      return tornFiles.isEmpty() && ledgerProblems.isEmpty();
    }

    @Override
    public String toString() {
      return consistent() ? "consistent" : "torn files " + tornFiles + ", ledger " + ledgerProblems;
    }
  }

  /** @param copies agent id to the root of its copy of the volume */
  public static Report verify(Map<String, Path> copies, long ledgerTotal) {
    List<String> torn = new ArrayList<>();
    for (Map.Entry<String, Path> e : copies.entrySet()) {
      if (HeaderCountWorkload.isTorn(e.getValue().resolve(HeaderCountWorkload.FILE))) {
        torn.add(e.getKey());
      }
    }
    return new Report(torn, ledger(copies, ledgerTotal));
  }

  /**
   * Checks copies as a test restore's group check sees them ({@code groupsnap devkit check-cut}): the ledger across
   * all of them (one account each, the total {@link LedgerWorkload#INITIAL} per account, as the demo starts it), and a
   * header-count file wherever one is present.
   *
   * @param copies a name for each copy (e.g. {@code agent:volume}) to its root
   */
  public static Report verifyPresent(Map<String, Path> copies) {
    List<String> torn = new ArrayList<>();
    for (Map.Entry<String, Path> e : copies.entrySet()) {
      Path f = e.getValue().resolve(HeaderCountWorkload.FILE);
      if (Files.exists(f) && HeaderCountWorkload.isTorn(f)) {
        torn.add(e.getKey());
      }
    }
    return new Report(torn, ledger(copies, LedgerWorkload.INITIAL * copies.size()));
  }

  static List<String> ledger(Map<String, Path> copies, long total) {
    List<String> problems = new ArrayList<>();
    Map<Long, Long> debits = new HashMap<>();
    Set<Long> credits = new HashSet<>();
    long balances = 0;
    for (Map.Entry<String, Path> e : copies.entrySet()) {
      Path d = e.getValue().resolve(LedgerWorkload.DIR);
      long balance;
      List<String> log;
      try {
        balance = LedgerWorkload.readBalance(d);
        log = Files.readAllLines(d.resolve("log"), StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException ex) {
        problems.add(e.getKey() + ": unreadable ledger (" + ex.getMessage() + ")");
        continue;
      }
      long own = LedgerWorkload.INITIAL;
      for (String line : log) {
        String[] f = line.split(" ");
        if (f.length != 4) {
          problems.add(e.getKey() + ": torn log line '" + line + "'");
          continue;
        }
        long id = Long.parseLong(f[1]);
        long amount = Long.parseLong(f[2]);
        if (f[0].equals("D")) {
          own -= amount;
          debits.put(id, amount);
        } else {
          own += amount;
          credits.add(id);
        }
      }
      if (own != balance) {
        problems.add(e.getKey() + ": balance " + balance + " does not match its log (" + own + ")");
      }
      balances += balance;
    }
    long inFlight = 0;
    for (Map.Entry<Long, Long> d : debits.entrySet()) {
      if (!credits.contains(d.getKey())) {
        inFlight += d.getValue();
      }
    }
    for (Long c : credits) {
      if (!debits.containsKey(c)) {
        problems.add("transfer " + c + " credited but never debited");
        break;
      }
    }
    if (problems.isEmpty() && balances + inFlight != total) {
      problems.add("balances " + balances + " + in flight " + inFlight + " != " + total);
    }
    return problems;
  }
}
