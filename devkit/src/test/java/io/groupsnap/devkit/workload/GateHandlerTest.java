package io.groupsnap.devkit.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.devkit.FileTrees;
import io.groupsnap.writer.client.Outcome;
import io.groupsnap.writer.client.Restore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo workloads through an in-place restore as the agents drive it, each agent calling preRestore and then
 * postRestore on both writers' handlers: nothing is written from the first preRestore's answer until every agent has
 * started them again, and then they carry on from what the volumes hold.
 */
class GateHandlerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> APPS = List.of(WorkloadCluster.HEADER_COUNT, WorkloadCluster.LEDGER);
  @TempDir Path tmp;
  private final Map<String, Path> volumes = new LinkedHashMap<>();
  private final Map<String, GateHandler> handlers = new LinkedHashMap<>();
  private WorkloadController workloads;

  @BeforeEach
  void start() throws Exception {
    for (int i = 1; i <= 3; i++) {
      volumes.put("agent-" + i, Files.createDirectories(tmp.resolve("live").resolve("agent-" + i)));
    }
    workloads = WorkloadController.fresh(volumes, 2, Duration.ofSeconds(5));
    for (String agent : volumes.keySet()) {
      handlers.put(agent + "/" + WorkloadCluster.HEADER_COUNT, new GateHandler(WorkloadCluster.HEADER_COUNT,
          workloads.headerGate(agent), Duration.ofSeconds(2), workloads));
      handlers.put(agent + "/" + WorkloadCluster.LEDGER, new GateHandler(WorkloadCluster.LEDGER,
          workloads.ledgerGate(agent), Duration.ofSeconds(2), workloads));
    }
    workloads.start();
    awaitProgressSince(0, 0);
  }

  @AfterEach
  void stop() throws Exception {
    workloads.close();
  }

  @Test
  void preRestore_stopsBothWorkloadsBeforeAnswering_andPostRestoreFromEveryAgentStartsThemAgain() throws Exception {
    assertThat(handler("agent-2", WorkloadCluster.LEDGER).preRestore(restore("agent-2", false))).isEqualTo(Outcome.OK);

    assertThat(workloads.headers().terminated()).as("header-count threads ended").isTrue();
    assertThat(workloads.ledger().terminated()).as("ledger threads ended").isTrue();
    long updates = workloads.headerUpdates();
    long transfers = workloads.transfers();
    Map<Path, String> files = fileStates();
    for (String agent : volumes.keySet()) {
      for (String app : APPS) {
        assertThat(handler(agent, app).preRestore(restore(agent, false))).isEqualTo(Outcome.OK);
      }
    }
    assertGatesOpen();
    postRestore("agent-1", true);
    postRestore("agent-2", true);
    assertThat(handler("agent-3", WorkloadCluster.HEADER_COUNT).postRestore(restore("agent-3", true)))
        .isEqualTo(Outcome.OK);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() ->
        workloads.headerUpdates() == updates && workloads.transfers() == transfers && fileStates().equals(files));
    assertThat(workloads.state()).isEqualTo(WorkloadController.State.STOPPED);

    assertThat(handler("agent-3", WorkloadCluster.LEDGER).postRestore(restore("agent-3", true)))
        .isEqualTo(Outcome.OK);

    assertThat(workloads.state()).isEqualTo(WorkloadController.State.RUNNING);
    assertThat(workloads.restarts()).isEqualTo(1);
    assertThat(workloads.reported()).containsExactlyInAnyOrder("agent-1", "agent-2", "agent-3");
    awaitProgressSince(updates, transfers);
    assertGatesOpen();
  }

  @Test
  void theVolumesSwitchedToACut_theWorkloadsCarryOnFromIt() throws Exception {
    Map<String, Path> cut = new LinkedHashMap<>();
    for (String agent : volumes.keySet()) {
      assertThat(workloads.headerGate(agent).close(Duration.ofSeconds(5))).isTrue();
      assertThat(workloads.ledgerGate(agent).close(Duration.ofSeconds(5))).isTrue();
    }
    for (Map.Entry<String, Path> e : volumes.entrySet()) {
      cut.put(e.getKey(), tmp.resolve("cut").resolve(e.getKey()));
      FileTrees.copy(e.getValue(), cut.get(e.getKey()));
    }
    for (String agent : volumes.keySet()) {
      workloads.headerGate(agent).open();
      workloads.ledgerGate(agent).open();
    }
    Map<String, String> captured = LedgerLogs.read(cut);
    awaitProgressSince(workloads.headerUpdates(), workloads.transfers() + 50);

    for (String agent : volumes.keySet()) {
      for (String app : APPS) {
        assertThat(handler(agent, app).preRestore(restore(agent, false))).isEqualTo(Outcome.OK);
      }
    }
    for (Map.Entry<String, Path> e : volumes.entrySet()) { // the switch: same path, the cut's contents
      FileTrees.delete(e.getValue());
      FileTrees.copy(cut.get(e.getKey()), e.getValue());
    }
    long updates = workloads.headerUpdates();
    long transfers = workloads.transfers();
    volumes.keySet().forEach(agent -> postRestore(agent, true));
    awaitProgressSince(updates, transfers + 50);
    workloads.close();

    Map<String, String> after = LedgerLogs.read(volumes);
    for (String agent : volumes.keySet()) {
      assertThat(after.get(agent)).as("%s's log continues the cut's", agent).startsWith(captured.get(agent));
    }
    assertThat(CutVerifier.verify(volumes, LedgerWorkload.INITIAL * volumes.size()).toString())
        .isEqualTo("consistent");
    assertThat(LedgerLogs.balances(volumes)).isEqualTo(LedgerWorkload.INITIAL * volumes.size());
    LedgerLogs.assertEveryDebitCreditedOnce(volumes);
  }

  @Test
  void aCancelledRestore_resumesOnThePreviousData_andARollbackRoundStopsThemAgain() throws Exception {
    for (String app : APPS) {
      assertThat(handler("agent-1", app).preRestore(restore("agent-1", false))).isEqualTo(Outcome.OK);
    }
    long updates = workloads.headerUpdates();
    long transfers = workloads.transfers();
    postRestore("agent-1", false);
    postRestore("agent-1", false); // asked again: harmless
    assertThat(workloads.restarts()).isEqualTo(1);
    awaitProgressSince(updates, transfers);

    assertThat(handler("agent-3", WorkloadCluster.HEADER_COUNT).preRestore(restore("agent-3", false)))
        .isEqualTo(Outcome.OK);
    assertThat(workloads.state()).isEqualTo(WorkloadController.State.STOPPED);
    assertThat(workloads.ledger().terminated()).isTrue();
    assertThat(handler("agent-3", WorkloadCluster.HEADER_COUNT).postRestore(restore("agent-3", false)))
        .isEqualTo(Outcome.OK);
    assertThat(workloads.restarts()).isEqualTo(2);
    awaitProgressSince(workloads.headerUpdates(), workloads.transfers());
    assertGatesOpen();
  }

  private GateHandler handler(String agent, String app) {
    return handlers.get(agent + "/" + app);
  }

  private static Restore restore(String agent, boolean restored) {
    return new Restore("restore-1", "gs-1", 1, List.of("data"), agent, restored);
  }

  private void postRestore(String agent, boolean restored) {
    for (String app : APPS) {
      assertThat(handler(agent, app).postRestore(restore(agent, restored))).isEqualTo(Outcome.OK);
    }
  }

  private void awaitProgressSince(long updates, long transfers) {
    await().atMost(WAIT).until(() -> workloads.headerUpdates() > updates && workloads.transfers() > transfers
        && workloads.headers().updates() > 0 && workloads.ledger().transfers() > 0);
  }

  private void assertGatesOpen() {
    for (String agent : volumes.keySet()) {
      assertThat(workloads.headerGate(agent).isClosed()).as("header-count gate of %s", agent).isFalse();
      assertThat(workloads.ledgerGate(agent).isClosed()).as("ledger gate of %s", agent).isFalse();
    }
  }

  /** Every file under the volumes with its size and last change. */
  private Map<Path, String> fileStates() throws IOException {
    Map<Path, String> states = new LinkedHashMap<>();
    try (Stream<Path> walk = Files.walk(tmp.resolve("live"))) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        states.put(p, a.size() + "@" + a.lastModifiedTime().toMillis() + "/" + a.lastModifiedTime());
      }
    }
    return states;
  }
}
