package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.ExitCodes;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The operator's CLI against a real cluster: output shapes, exit codes, and bad input that harms nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  ClusterFixture f;
  String coordinator;

  @BeforeAll
  void start() throws Exception {
    f = new ClusterFixture(tmp.resolve("cluster"), 3);
    coordinator = f.cluster.coordinator().endpoint().toString();
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  Cli cli(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--coordinator";
    all[args.length + 1] = coordinator;
    return Cli.run(all);
  }

  int transactions() {
    return f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
        .getSnapshotsCount();
  }

  @Test
  void createWaitJson_showListDelete_roundTrip() throws Exception {
    Cli created = cli("snapshot", "create", "--wait", "-o", "json");
    assertThat(created.exit()).as(created.err()).isEqualTo(ExitCodes.OK);
    JsonNode g = JSON.readTree(created.out());
    assertThat(g.get("state").asText()).as("%s", g).isEqualTo("COMMITTED");
    assertThat(g.get("epoch").asLong()).isPositive();
    assertThat(g.get("createdAt").asText()).endsWith("Z");
    assertThat(g.has("freezeWindowMillis")).isTrue();
    assertThat(g.has("abortReason")).isFalse();
    assertThat(g.get("members")).hasSize(3).allSatisfy(m -> {
      assertThat(m.get("agent").asText()).startsWith("agent-");
      assertThat(m.get("volume").asText()).isEqualTo("data");
      assertThat(m.get("state").asText()).isEqualTo("COMMITTED");
      assertThat(Path.of(m.get("snapshotPath").asText())).isDirectory();
      assertThat(m.has("timeToFrozenMillis") && m.has("snapshotMillis") && m.has("heldMillis")).isTrue();
    });
    String id = g.get("id").asText();

    Cli shown = cli("snapshot", "show", id, "-o", "json");
    assertThat(JSON.readTree(shown.out()).get("id").asText()).isEqualTo(id);
    Cli listed = cli("-o", "json", "snapshot", "list");
    assertThat(JSON.readTree(listed.out()).findValuesAsText("id")).contains(id);
    Cli text = cli("snapshot", "show", id);
    assertThat(text.out()).contains(id).contains("COMMITTED").contains("agent-2");

    Cli deleted = cli("snapshot", "delete", id);
    assertThat(deleted.exit()).isZero();
    assertThat(deleted.out()).isEqualTo("deleted " + id + " (3 member capture(s))\n");
    for (JsonNode m : g.get("members")) {
      assertThat(Path.of(m.get("snapshotPath").asText())).doesNotExist();
    }
    assertThat(cli("snapshot", "delete", id).out()).isEqualTo(id + " was already deleted\n");
  }

  @Test
  void createWithoutWait_printsTheIdAtOnce() {
    Cli r = cli("snapshot", "create");
    assertThat(r.exit()).isZero();
    assertThat(r.out().trim()).matches("gs-\\d{8}-\\d{6}-[0-9a-f]{6}");
  }

  @Test
  void anAbortedSnapshot_exitsThree() {
    f.writers.get("agent-1").prepareAnswer = io.groupsnap.agent.writer.WriterResult.retryable("checkpoint running");
    try {
      Cli r = cli("snapshot", "create", "--wait");
      assertThat(r.exit()).isEqualTo(ExitCodes.ABORTED);
      assertThat(r.out()).contains("ABORTED").contains("checkpoint running");
    } finally {
      f.writers.get("agent-1").prepareAnswer = io.groupsnap.agent.writer.WriterResult.OK;
    }
  }

  @Test
  void badInput_exitsTwo_withOneLine_andStartsNothing() {
    int before = transactions();
    List<Cli> bad = List.of(
        cli("snapshot", "create", "--member", "agent-9", "--wait"),
        cli("snapshot", "create", "--member", "agent-1:logs", "--wait"),
        cli("snapshot", "create", "--member", "agent-1;reboot", "--wait"),
        cli("snapshot", "create", "--freeze-timeout", "soon", "--wait"),
        cli("snapshot", "create", "--freeze-timeout", "1ms", "--wait"),
        cli("snapshot", "create", "--frobnicate"),
        cli("snapshot", "show", "gs-none"),
        cli("snapshot", "show", "../etc/passwd"));
    assertThat(bad).allSatisfy(r -> {
      assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().strip()).doesNotContain("\n").isNotEmpty();
      assertThat(r.out()).isEmpty();
    });
    assertThat(bad.get(0).err()).contains("unknown agent 'agent-9' (registered: agent-1, agent-2, agent-3)");
    assertThat(bad.get(1).err()).contains("agent agent-1 has no volume 'logs'");
    assertThat(bad.get(3).err()).contains("--freeze-timeout: invalid duration 'soon'");
    assertThat(bad.get(4).err()).contains("freeze_timeout 1ms is outside");
    assertThat(transactions()).isEqualTo(before);
    f.writers.values().forEach(w -> assertThat(w.holding).isFalse());
  }

  @Test
  void agentsAndClusterStatus_asJson() throws Exception {
    JsonNode agents = JSON.readTree(cli("agents", "list", "-o", "json").out());
    assertThat(agents.findValuesAsText("id")).containsExactly("agent-1", "agent-2", "agent-3");
    assertThat(agents.get(0).get("volumes").get(0).get("kind").asText()).isEqualTo("dir");
    JsonNode status = JSON.readTree(cli("cluster", "status", "-o", "json").out());
    assertThat(status.get("leader").asText()).isEqualTo(coordinator);
    assertThat(status.get("epoch").asLong()).isEqualTo(1);
    assertThat(status.get("agents")).hasSize(3);
  }

  @Test
  void theLeaderIsFound_throughZooKeeper() {
    Cli r = Cli.run("cluster", "status", "--zookeeper", f.zk.getConnectString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("leader       " + coordinator);
  }

  @Test
  void unreachableServices_exitOne_afterABoundedWait() {
    Cli coord = Cli.run("snapshot", "list", "--coordinator", "127.0.0.1:1");
    assertThat(coord.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(coord.err()).startsWith("groupsnap: cannot reach coordinator at 127.0.0.1:1");
    long start = System.nanoTime();
    Cli zk = Cli.run("snapshot", "list", "--zookeeper", "127.0.0.1:1");
    assertThat(zk.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(zk.err()).isEqualTo("groupsnap: cannot reach ZooKeeper at 127.0.0.1:1 within 10.0s\n");
    assertThat((System.nanoTime() - start) / 1e9).as("bounded, never a hang").isLessThan(60);
  }

  @Test
  void aBrokenAgentConfig_exitsTwo_namingFileAndField() throws Exception {
    Path cfg = tmp.resolve("agent.yaml");
    Files.writeString(cfg, "snapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n    kind: dir\n"
        + "    path: " + tmp.resolve("missing") + "\n");
    Cli r = Cli.run("agent", "--config", cfg.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: " + cfg + ": volumes[0].path: " + tmp.resolve("missing")
        + " is not an existing directory\n");
    assertThat(tmp.resolve("snaps")).doesNotExist();
  }

  @Test
  void agentCheck_refusesAStateDirInAVolume_andInvalidYaml_exitTwo_onOneLine() throws Exception {
    Path dir = Files.createDirectories(tmp.toRealPath().resolve("check"));
    Path data = Files.createDirectories(dir.resolve("data"));
    Path cfg = dir.resolve("agent.yaml");
    Files.writeString(cfg, "snapshotRoot: " + dir.resolve("snaps") + "\nstateDir: " + data.resolve("state")
        + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n");
    Cli state = Cli.run("agent", "--config", cfg.toString(), "--check");
    assertThat(state.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(state.err()).isEqualTo("groupsnap: " + cfg + ": stateDir: " + data.resolve("state") + " overlaps "
        + "volume data, volumes[0].path " + data + ": the agent's own state must lie outside every volume\n");
    assertThat(dir.resolve("snaps")).doesNotExist();
    assertThat(data.resolve("state")).doesNotExist();
    Files.writeString(cfg, "snapshotRoot: " + dir.resolve("snaps") + "\nvolumes: [\n");
    Cli yaml = Cli.run("agent", "--config", cfg.toString(), "--check");
    assertThat(yaml.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(yaml.err()).isEqualTo("groupsnap: " + cfg + ": line 3, column 1: not valid YAML: expected the node "
        + "content, but found '<stream end>'\n");
  }
}
