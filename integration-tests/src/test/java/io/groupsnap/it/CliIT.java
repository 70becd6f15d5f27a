package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Version;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
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
    return f.cli(all);
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
  void aLeaseAboveTheAgentsMaxFreezeLease_exitsTwo_beforeAnythingStarts() {
    int before = transactions();
    int prepares = f.writers.values().stream().mapToInt(w -> w.prepares.get()).sum();
    Cli r = cli("snapshot", "create", "--wait", "--lease", "10m");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: lease 600000ms is longer than the maxFreezeLease of agent-1 (60000ms), "
        + "agent-2 (60000ms), agent-3 (60000ms)\n");
    assertThat(r.out()).isEmpty();
    assertThat(transactions()).as("no ABORTED entry").isEqualTo(before);
    assertThat(f.writers.values().stream().mapToInt(w -> w.prepares.get()).sum()).as("nobody was asked to prepare")
        .isEqualTo(prepares);
  }

  @Test
  void agentsAndClusterStatus_asJson() throws Exception {
    JsonNode agents = JSON.readTree(cli("agents", "list", "-o", "json").out());
    assertThat(agents.findValuesAsText("id")).containsExactly("agent-1", "agent-2", "agent-3");
    assertThat(agents.get(0).get("volumes").get(0).get("kind").asText()).isEqualTo("dir");
    assertThat(agents.get(0).get("maxFreezeLeaseMillis").asLong()).isEqualTo(60_000);
    JsonNode status = JSON.readTree(cli("cluster", "status", "-o", "json").out());
    assertThat(status.get("leader").asText()).isEqualTo(coordinator);
    assertThat(status.get("epoch").asLong()).isEqualTo(1);
    assertThat(status.get("agents")).hasSize(3);
  }

  /**
   * Found by a newcomer: one undecodable record under {@code txns/} made {@code snapshot list --all} exit 1 with a Java
   * exception. Such records are listed as damaged with their id, reported by {@code cluster status}, and the cluster
   * goes on working.
   */
  @Test
  void undecodableRecords_areListedAsDamaged_andReported_neverAnExceptionAtTheOperator() throws Exception {
    ZkLayout layout = new ZkLayout("default");
    byte[] garbage = {7, 'g', 'a', 'r', 'b', 'a', 'g', 'e'};
    try (CuratorFramework zk = f.zkAsCoordinator()) { // only a coordinator may write records on this cluster
      zk.create().forPath(layout.txn("gs-bad"), garbage);
      zk.create().forPath(layout.agent("agent-x"), garbage);
      try {
        Cli all = cli("snapshot", "list", "--all");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.err()).isEmpty();
        assertThat(all.out()).containsPattern("gs-bad +UNDECODABLE +" + layout.txn("gs-bad")
            + ": does not decode as a GroupSnapshot");
        JsonNode entry = byId(JSON.readTree(cli("snapshot", "list", "--all", "-o", "json").out()), "gs-bad");
        assertThat(entry.get("state").asText()).isEqualTo("UNDECODABLE");
        assertThat(entry.get("kind").asText()).isEqualTo("transaction");
        assertThat(entry.get("record").asText()).isEqualTo(layout.txn("gs-bad"));
        assertThat(entry.get("reason").asText()).startsWith("does not decode as a GroupSnapshot");

        Cli shown = cli("snapshot", "show", "gs-bad");
        assertThat(shown.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(shown.out()).isEmpty();
        assertThat(shown.err()).startsWith("groupsnap: record " + layout.txn("gs-bad") + " cannot be used: ")
            .contains("quarantined").doesNotContain("Exception");
        assertThat(shown.err().strip()).doesNotContain("\n");

        Cli status = cli("cluster", "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("damaged      2 record(s) quarantined, skipped by recovery: "
            + layout.txn("gs-bad") + ", " + layout.agent("agent-x"));
        assertThat(JSON.readTree(cli("cluster", "status", "-o", "json").out()).get("damagedRecords")
            .findValuesAsText("id")).containsExactly("gs-bad", "agent-x");

        Cli agents = cli("agents", "list");
        assertThat(agents.exit()).as(agents.err()).isZero();
        assertThat(agents.out()).contains("agent-3").containsPattern("agent-x +UNDECODABLE");

        Cli created = cli("snapshot", "create", "--wait", "-o", "json");
        assertThat(created.exit()).as("the cluster goes on: " + created.out()).isEqualTo(ExitCodes.OK);
        assertThat(JSON.readTree(created.out()).get("members")).hasSize(3);
      } finally {
        zk.delete().forPath(layout.txn("gs-bad"));
        zk.delete().forPath(layout.agent("agent-x"));
      }
    }
  }

  static JsonNode byId(JsonNode array, String id) {
    for (JsonNode n : array) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no entry " + id + " in " + array);
  }

  @Test
  void theLeaderIsFound_throughZooKeeper() {
    Cli r = f.cli("cluster", "status", "--zookeeper", f.zk.getConnectString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("leader       " + coordinator);
  }

  /** The cluster's nodes are protected: without ZooKeeper credentials the CLI cannot read the leader, and says so. */
  @Test
  void theLeaderIsNotFound_anonymously_andTheCliSaysWhatToPass() {
    List<String> args = new ArrayList<>(List.of("cluster", "status", "--zookeeper", f.zk.getConnectString()));
    args.addAll(f.cliCredentials());
    Cli r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).startsWith("groupsnap: ").contains("--zookeeper-auth FILE").endsWith("\n");
    assertThat(r.err().strip()).doesNotContain("\n");
  }

  @Test
  void unreachableServices_exitOne_afterABoundedWait() {
    Cli coord = f.cli("snapshot", "list", "--coordinator", "127.0.0.1:1");
    assertThat(coord.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(coord.err()).startsWith("groupsnap: cannot reach coordinator at 127.0.0.1:1");
    long start = System.nanoTime();
    Cli zk = f.cli("snapshot", "list", "--zookeeper", "127.0.0.1:1");
    assertThat(zk.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(zk.err()).isEqualTo("groupsnap: cannot reach ZooKeeper at 127.0.0.1:1 within 10.0s\n");
    assertThat((System.nanoTime() - start) / 1e9).as("bounded, never a hang").isLessThan(60);
  }

  @Test
  void aCreateThatReachesNoCoordinator_saysNoGroupSnapshotWasStarted() {
    Cli r = f.cli("snapshot", "create", "--wait", "--coordinator", "127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).startsWith("groupsnap: cannot reach coordinator at 127.0.0.1:1 (UNAVAILABLE")
        .endsWith("): no group snapshot was started\n");
    assertThat(r.err().strip()).doesNotContain("\n");
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

  @Test
  void snapshotWatch_ofACommittedSnapshot_printsItOnce_exitZero() throws Exception {
    String id = f.create().getId();
    Cli text = cli("snapshot", "watch", id);
    assertThat(text.exit()).as(text.err()).isEqualTo(ExitCodes.OK);
    assertThat(text.out()).startsWith(id + "  COMMITTED  epoch ").contains("agent-3").doesNotContain("PREPARING");
    assertThat(text.err()).isEmpty();
    Cli json = cli("snapshot", "watch", id, "-o", "json");
    assertThat(json.out().lines()).singleElement()
        .satisfies(line -> assertThat(JSON.readTree(line).get("state").asText()).isEqualTo("COMMITTED"));
    assertThat(cli("snapshot", "watch", "gs-none").exit()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void snapshotWatch_followsARunningSnapshotFromAnotherShell_toItsCommit() throws Exception {
    TestWriter slow = f.writers.get("agent-2");
    int frozenBefore = slow.freezes.get(); // the cluster is shared by the class's tests
    slow.freezeGate = new CountDownLatch(1);
    try {
      Cli created = cli("snapshot", "create", "--freeze-timeout", "20s");
      assertThat(created.exit()).as(created.err()).isZero();
      String id = created.out().strip();
      await().atMost(Duration.ofSeconds(20)).until(() -> slow.freezes.get() == frozenBefore + 1);
      StringWriter out = new StringWriter();
      CompletableFuture<Cli> watching = CompletableFuture.supplyAsync(() -> f.cli(out, new StringWriter(),
          "snapshot", "watch", id, "--zookeeper", f.zk.getConnectString()));
      await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains(id + " PREPARING  3 member(s)"));
      assertThat(watching).as("not final while agent-2 is still freezing").isNotDone();
      slow.freezeGate.countDown();
      Cli r = watching.get(60, TimeUnit.SECONDS);
      assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
      assertThat(r.out()).startsWith(id + " PREPARING  3 member(s)\n").contains(id + "  COMMITTED  epoch ");
      assertThat(r.out().indexOf("COMMITTED")).isGreaterThan(r.out().indexOf("PREPARING"));
    } finally {
      slow.freezeGate.countDown();
      slow.freezeGate = null;
    }
    f.assertNothingFrozen();
  }

  @Test
  void version_reportsTheClientAndTheCoordinatorsBuild() throws Exception {
    Cli r = cli("version");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("client:      " + Version.current() + "\ncoordinator: " + Version.current() + " ("
        + coordinator + ")\n");
    assertThat(r.err()).isEmpty();
    Cli status = cli("cluster", "status", "-o", "json");
    assertThat(JSON.readTree(status.out()).get("coordinatorVersion").asText()).isEqualTo(Version.current());
  }
}
