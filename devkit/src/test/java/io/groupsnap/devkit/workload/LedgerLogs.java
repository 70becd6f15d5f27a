package io.groupsnap.devkit.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the tests read from ledger accounts on volumes: the logs, the balances, and the exactly-once check. */
final class LedgerLogs {
  private LedgerLogs() {}

  static Path log(Path volume) {
    return volume.resolve(LedgerWorkload.DIR).resolve("log");
  }

  /** Agent id to its whole log. */
  static Map<String, String> read(Map<String, Path> volumes) throws IOException {
    Map<String, String> logs = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : volumes.entrySet()) {
      logs.put(e.getKey(), Files.readString(log(e.getValue()), StandardCharsets.US_ASCII));
    }
    return logs;
  }

  static long balances(Map<String, Path> volumes) throws IOException {
    long sum = 0;
    for (Path v : volumes.values()) {
      sum += LedgerWorkload.readBalance(v.resolve(LedgerWorkload.DIR));
    }
    return sum;
  }

  /** The highest transfer id in any log. */
  static long maxId(Map<String, String> logs) {
    long max = 0;
    for (String log : logs.values()) {
      for (String line : log.lines().toList()) {
        max = Math.max(max, Long.parseLong(line.split(" ")[1]));
      }
    }
    return max;
  }

  /** Transfers debited and not credited. */
  static int inFlight(Map<String, String> logs) {
    Map<Long, Integer> credits = credits(logs);
    int n = 0;
    for (String log : logs.values()) {
      for (String line : log.lines().toList()) {
        if (line.startsWith("D ") && !credits.containsKey(Long.parseLong(line.split(" ")[1]))) {
          n++;
        }
      }
    }
    return n;
  }

  /** Every debit is credited exactly once, at its peer, with its amount; no credit lacks its debit. */
  static void assertEveryDebitCreditedOnce(Map<String, Path> volumes) throws IOException {
    Map<String, String> logs = read(volumes);
    Map<Long, String> debits = new HashMap<>();
    Map<Long, String> credits = new HashMap<>();
    for (Map.Entry<String, String> e : logs.entrySet()) {
      for (String line : e.getValue().lines().toList()) {
        String[] f = line.split(" ");
        long id = Long.parseLong(f[1]);
        String seenFrom = f[0].equals("D") ? e.getKey() + ">" + f[3] : f[3] + ">" + e.getKey();
        String earlier = (f[0].equals("D") ? debits : credits).put(id, seenFrom + " " + f[2]);
        assertThat(earlier).as("transfer %d logged twice as %s", id, f[0]).isNull();
      }
    }
    assertThat(credits).as("credits by transfer id").isEqualTo(debits);
  }

  private static Map<Long, Integer> credits(Map<String, String> logs) {
    Map<Long, Integer> credits = new HashMap<>();
    for (String log : logs.values()) {
      for (String line : log.lines().toList()) {
        if (line.startsWith("C ")) {
          credits.merge(Long.parseLong(line.split(" ")[1]), 1, Integer::sum);
        }
      }
    }
    return credits;
  }
}
