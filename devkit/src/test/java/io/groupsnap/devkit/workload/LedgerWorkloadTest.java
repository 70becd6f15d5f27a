package io.groupsnap.devkit.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.devkit.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger recovered from what its volumes hold: a copy taken while every account held (as a group snapshot takes
 * it) carries on as one consistent ledger, and crafted logs show each repair made exactly once.
 */
class LedgerWorkloadTest {
  private static final Duration STOP = Duration.ofSeconds(10);
  @TempDir Path tmp;

  @Test
  void recover_onACopyTakenWhileHeld_carriesOnConsistent_creditingEveryDebitOnce() throws Exception {
    Map<String, Path> live = volumes("live", 3);
    Map<String, Path> copy = new LinkedHashMap<>();
    LedgerWorkload running = new LedgerWorkload(live).start(3);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> running.transfers() >= 300);
      for (String agent : live.keySet()) {
        assertThat(running.gate(agent).close(Duration.ofSeconds(5))).isTrue();
      }
      for (Map.Entry<String, Path> e : live.entrySet()) {
        copy.put(e.getKey(), tmp.resolve("copy").resolve(e.getKey()));
        FileTrees.copy(e.getValue(), copy.get(e.getKey()));
      }
      live.keySet().forEach(a -> running.gate(a).open());
    } finally {
      assertThat(running.stop(STOP)).isTrue();
    }
    assertThat(CutVerifier.ledger(copy, running.total())).as("the copy, as taken").isEmpty();
    Map<String, String> captured = LedgerLogs.read(copy);
    int inFlight = LedgerLogs.inFlight(captured);

    LedgerWorkload recovered = LedgerWorkload.recover(copy);
    assertThat(recovered.recovery()).isEqualTo(new LedgerRecovery.Report(LedgerLogs.maxId(captured), 0, inFlight, 0));
    assertThat(LedgerLogs.balances(copy)).as("nothing in flight right after recovery").isEqualTo(recovered.total());
    recovered.start(2);
    await().atMost(Duration.ofSeconds(30)).until(() -> recovered.transfers() >= 100);
    assertThat(recovered.stop(STOP)).isTrue();

    assertThat(CutVerifier.ledger(copy, recovered.total())).isEmpty();
    assertThat(LedgerLogs.balances(copy)).isEqualTo(recovered.total());
    LedgerLogs.assertEveryDebitCreditedOnce(copy);
    Map<String, String> after = LedgerLogs.read(copy);
    for (String agent : copy.keySet()) {
      assertThat(after.get(agent)).as("%s's log continues the copy's", agent).startsWith(captured.get(agent));
      String added = after.get(agent).substring(captured.get(agent).length());
      added.lines().filter(l -> l.startsWith("D ")).forEach(l -> assertThat(Long.parseLong(l.split(" ")[1]))
          .as("new transfer id in %s", l).isGreaterThan(LedgerLogs.maxId(captured)));
    }
  }

  @Test
  void recover_creditsTheDebitWithoutCredit_once_cutsATornLine_andCorrectsALaggingBalance() throws Exception {
    Map<String, Path> v = volumes("crafted", 3);
    write(v.get("agent-1"), "D 1 10 agent-2\nD 2 5 agent-3\n", LedgerWorkload.INITIAL - 15);
    write(v.get("agent-2"), "C 1 10 agent-1\n", LedgerWorkload.INITIAL); // balance not written after the credit
    write(v.get("agent-3"), "D 3 7 ag", LedgerWorkload.INITIAL); // the append never finished

    LedgerWorkload l = LedgerWorkload.recover(v);

    assertThat(l.recovery()).isEqualTo(new LedgerRecovery.Report(2, 1, 1, 1));
    assertThat(Files.readString(LedgerLogs.log(v.get("agent-3")))).isEqualTo("C 2 5 agent-1\n");
    assertThat(balance(v.get("agent-1"))).isEqualTo(LedgerWorkload.INITIAL - 15);
    assertThat(balance(v.get("agent-2"))).isEqualTo(LedgerWorkload.INITIAL + 10);
    assertThat(balance(v.get("agent-3"))).isEqualTo(LedgerWorkload.INITIAL + 5);
    LedgerLogs.assertEveryDebitCreditedOnce(v);

    Map<String, String> once = LedgerLogs.read(v);
    assertThat(LedgerWorkload.recover(v).recovery()).as("recovering again").isEqualTo(
        new LedgerRecovery.Report(2, 0, 0, 0));
    assertThat(LedgerLogs.read(v)).isEqualTo(once);
  }

  @Test
  void recover_refusesACreditWithoutItsDebit_namingIt() throws Exception {
    Map<String, Path> v = volumes("orphan", 2);
    write(v.get("agent-1"), "", LedgerWorkload.INITIAL);
    write(v.get("agent-2"), "C 4 10 agent-1\n", LedgerWorkload.INITIAL + 10);

    assertThatThrownBy(() -> LedgerWorkload.recover(v)).isInstanceOf(IOException.class)
        .hasMessage("ledger: transfer 4 credited at agent-2 without its debit at agent-1");
  }

  @Test
  void recover_refusesABalanceTheLogDoesNotExplain() throws Exception {
    Map<String, Path> v = volumes("balance", 2);
    write(v.get("agent-1"), "D 1 10 agent-2\nD 2 10 agent-2\n", LedgerWorkload.INITIAL);
    write(v.get("agent-2"), "C 1 10 agent-1\nC 2 10 agent-1\n", LedgerWorkload.INITIAL + 20);

    assertThatThrownBy(() -> LedgerWorkload.recover(v)).isInstanceOf(IOException.class)
        .hasMessage("ledger account agent-1: balance 1000000 does not match its log (999980)");
  }

  @Test
  void recover_refusesAMissingAccount() throws Exception {
    Map<String, Path> v = volumes("missing", 2);
    write(v.get("agent-1"), "", LedgerWorkload.INITIAL);

    assertThatThrownBy(() -> LedgerWorkload.recover(v)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("ledger account agent-2: no log at ");
  }

  @Test
  void theConstructor_stillStartsEveryAccountAfresh() throws Exception {
    Map<String, Path> v = volumes("fresh", 2);
    write(v.get("agent-1"), "D 1 10 agent-2\n", LedgerWorkload.INITIAL - 10);
    write(v.get("agent-2"), "", LedgerWorkload.INITIAL);

    LedgerWorkload l = new LedgerWorkload(v);

    assertThat(l.recovery()).isEqualTo(LedgerRecovery.Report.NOTHING);
    assertThat(LedgerLogs.read(v).values()).containsOnly("");
    assertThat(balance(v.get("agent-1"))).isEqualTo(LedgerWorkload.INITIAL);
  }

  private Map<String, Path> volumes(String name, int n) throws IOException {
    Map<String, Path> v = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      v.put("agent-" + i, Files.createDirectories(tmp.resolve(name).resolve("agent-" + i)));
    }
    return v;
  }

  private static void write(Path volume, String log, long balance) throws IOException {
    Path d = Files.createDirectories(volume.resolve(LedgerWorkload.DIR));
    Files.writeString(d.resolve("log"), log, StandardCharsets.US_ASCII);
    LedgerWorkload.writeBalance(d, balance);
  }

  private static long balance(Path volume) throws IOException {
    return LedgerWorkload.readBalance(volume.resolve(LedgerWorkload.DIR));
  }
}
