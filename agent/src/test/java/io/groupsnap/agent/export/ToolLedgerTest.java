package io.groupsnap.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool an agent process started and never saw end (the agent was killed) is stopped by the next agent process, with
 * its children; a pid whose process is not the one written down is left alone.
 */
class ToolLedgerTest {
  @TempDir Path dir;
  Process leftover;

  @AfterEach
  void cleanUp() {
    if (leftover != null) {
      leftover.descendants().forEach(ProcessHandle::destroyForcibly);
      leftover.destroyForcibly();
    }
  }

  @Test
  void aToolAKilledAgentLeftRunning_isStoppedWithItsChildren_byTheNextAgentsLedger() throws Exception {
    Path file = dir.resolve("export-tools");
    ToolLedger first = new ToolLedger(file);
    // a tool that ignores nothing and has a child of its own, as restic run through nice would
    leftover = new ProcessBuilder("/bin/sh", "-c", "sleep 300 & wait").start();
    first.started(leftover.toHandle());
    ProcessHandle child = awaitChild(leftover);
    assertThat(Files.readString(file)).startsWith(leftover.pid() + " ");
    // the agent is killed here: nothing strikes the tool out

    ToolLedger next = new ToolLedger(file);
    List<String> stopped = next.stopLeftovers(Duration.ofSeconds(5));

    assertThat(stopped).hasSize(1).allMatch(s -> s.startsWith(leftover.pid() + " "));
    assertThat(leftover.waitFor(10, TimeUnit.SECONDS)).as("the leftover tool ended").isTrue();
    assertThat(child.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("its child too").isFalse();
    assertThat(Files.readString(file)).as("the ledger is empty again").isEmpty();
    assertThat(new ToolLedger(file).stopLeftovers(Duration.ofSeconds(1))).isEmpty();
  }

  @Test
  void aPidNowOwnedByAnotherProcess_isNotSignalled_andAToolThatEndedIsStruckOut() throws Exception {
    Path file = dir.resolve("export-tools");
    long self = ProcessHandle.current().pid();
    long otherStart = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli() - 60_000;
    leftover = new ProcessBuilder("sleep", "300").start();
    long leftoverStart = leftover.toHandle().info().startInstant().orElseThrow().toEpochMilli();
    // the test JVM's own pid and the sleeper's pid, each with a start time that is not theirs: pids reused
    Files.writeString(file, self + " " + otherStart + "\n" + leftover.pid() + " " + (leftoverStart + 20) + "\n");

    assertThat(new ToolLedger(file).stopLeftovers(Duration.ofSeconds(1))).isEmpty();
    assertThat(leftover.isAlive()).as("a process whose start time differs is not the tool written down").isTrue();

    ToolLedger ledger = new ToolLedger(file);
    ExportProcess.Outcome o = ExportProcess.run(List.of("/bin/true"), null, Map.of(), Duration.ofSeconds(10),
        line -> { }, ledger);
    assertThat(o.ok()).isTrue();
    assertThat(Files.readString(file)).as("a tool that ended is struck out").isEmpty();
  }

  private static ProcessHandle awaitChild(Process p) throws Exception {
    CompletableFuture<ProcessHandle> found = new CompletableFuture<>();
    org.awaitility.Awaitility.await("the tool's child").atMost(Duration.ofSeconds(10))
        .until(() -> p.children().findFirst().map(found::complete).orElse(false));
    return found.get();
  }
}
