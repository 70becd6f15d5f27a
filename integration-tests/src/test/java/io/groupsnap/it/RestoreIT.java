package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.coordinator.groupcheck.GroupChecks;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.workload.LedgerWorkload;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.MemberRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code groupsnap restore ID --to ...} against a real cluster (ZooKeeper, a coordinator, three agents over mutual
 * TLS): every member's capture comes back byte for byte where asked, and every refusal is one line, exit 2, with
 * nothing written; {@code groupsnap verify} of a group with a group check runs it over every member's copy. One
 * cluster for the class; the test that stops an agent runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  ClusterFixture f;
  Path data;
  String coordinator;

  @BeforeAll
  void start() throws Exception {
    data = tmp.resolve("cluster");
    // the group "ledger" has a group check: the demo's cut checker, run by the leader as its own process
    List<String> checkCut = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), io.groupsnap.cli.Groupsnap.class.getName(), "devkit", "check-cut",
        GroupChecks.PATHS);
    f = new ClusterFixture(data, 3, c -> c.withGroupChecks(new GroupChecks(Map.of("ledger",
        new GroupChecks.Check("ledger", checkCut, Duration.ofMinutes(2))))));
    coordinator = f.cluster.coordinator().endpoint().toString();
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--coordinator", coordinator));
    return f.cli(all.toArray(String[]::new));
  }

  GroupSnapshot committed() throws IOException {
    for (String agent : f.cluster.agents().keySet()) {
      Path v = DevCluster.volumeDir(data, agent);
      Files.writeString(v.resolve("state.txt"), "state of " + agent);
      Files.createDirectories(v.resolve("nested/deeper"));
      Files.write(v.resolve("nested/deeper/blob"), new byte[] {0, 7, (byte) 200, 13});
    }
    GroupSnapshot g = f.create();
    assertThat(g.getState()).as(g.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    for (String agent : f.cluster.agents().keySet()) {
      Files.writeString(DevCluster.volumeDir(data, agent).resolve("state.txt"), "changed after the cut");
    }
    return g;
  }

  @Test
  @Order(1)
  void restoreTo_bringsEveryMemberBackEqualToItsCapture_underToAgentVolume() throws Exception {
    GroupSnapshot g = committed();
    Path to = DevCluster.restoreRoot(data).resolve("first");
    Cli r = cli("restore", g.getId(), "--to", to.toString(), "-o", "json");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    JsonNode out = JSON.readTree(r.out());
    assertThat(out.get("groupSnapshotId").asText()).isEqualTo(g.getId());
    assertThat(out.get("ok").asBoolean()).isTrue();
    assertThat(out.get("members")).hasSize(3);
    for (MemberRecord m : g.getMembersList()) {
      Path restored = to.resolve(m.getAgentId()).resolve(m.getVolume());
      JsonNode row = member(out, m.getAgentId());
      assertThat(row.get("state").asText()).isEqualTo("done");
      assertThat(row.get("path").asText()).isEqualTo(restored.toRealPath().toString());
      assertThat(row.get("bytes").asLong()).isEqualTo(("state of " + m.getAgentId()).length() + 4);
      assertThat(row.get("method").asText()).isIn("copy", "reflink");
      assertThat(row.has("durationMillis")).isTrue();
      assertThat(describe(restored)).isEqualTo(describe(Path.of(m.getSnapshotPath())));
      assertThat(restored.resolve("state.txt")).hasContent("state of " + m.getAgentId());
    }

    Cli again = cli("restore", g.getId());
    assertThat(again.exit()).as(again.err()).isEqualTo(ExitCodes.OK);
    assertThat(again.out()).contains("MEMBER").contains("agent-1:data").contains("done");
    for (MemberRecord m : g.getMembersList()) {
      Path home = f.cluster.agents().get(m.getAgentId()).config().restoreRoots().get(0);
      assertThat(describe(home.resolve(g.getId()).resolve(m.getVolume())))
          .isEqualTo(describe(Path.of(m.getSnapshotPath())));
    }
  }

  @Test
  @Order(2)
  void badInput_isOneLine_exit2_andWritesNothing() throws Exception {
    GroupSnapshot g = committed();
    f.writers.get("agent-2").prepareAnswer = WriterResult.nonRetryable("not now");
    GroupSnapshot aborted = f.create();
    f.writers.get("agent-2").prepareAnswer = WriterResult.OK;
    assertThat(aborted.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    Map<String, String> before = restoredTrees();
    Path to = DevCluster.restoreRoot(data).resolve("bad");

    assertRefused(cli("restore", "gs-unknown", "--to", to.toString()), "gs-unknown");
    assertRefused(cli("restore", aborted.getId(), "--to", to.toString()), "is ABORTED");
    Path inVolume = DevCluster.volumeDir(data, "agent-1").resolve("restored");
    assertRefused(cli("restore", g.getId(), "--to", to.toString(), "--target", "agent-1:data=" + inVolume),
        "overlaps volume data");
    assertRefused(cli("restore", g.getId(), "--to", tmp.resolve("outside").toString()),
        "outside this agent's restore roots");
    assertRefused(cli("restore", g.getId(), "--to", "relative/dir"), "--to");
    assertRefused(cli("restore", g.getId(), "--target", "agent-1=x"), "--target");
    assertThat(restoredTrees()).isEqualTo(before);
    assertThat(inVolume).doesNotExist();
    assertThat(tmp.resolve("outside")).doesNotExist();
  }

  @Test
  @Order(3)
  void aMemberWhoseLocalCaptureIsGone_comesBackFromItsResticExport() throws Exception {
    boolean restic = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"), new String[] {"/usr/bin"})
        .flatMap(Stream::of).anyMatch(d -> Files.isExecutable(Path.of(d, "restic")));
    if (System.getenv("GROUPSNAP_CI") == null) {
      Assumptions.assumeTrue(restic, "restic is not installed");
    }
    committed(); // data on every volume
    Cli made = cli("group", "create", "all", "--selector", "dev=true", "--export-target", DevCluster.EXPORT_TARGET);
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    Cli run = cli("backup", "run", "all", "--wait", "-o", "json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode r = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow());
    GroupSnapshot g = f.coordinator.getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest.newBuilder()
        .setId(r.get("groupSnapshotId").asText()).build());
    MemberRecord lost = g.getMembersList().stream().filter(m -> m.getAgentId().equals("agent-2")).findFirst()
        .orElseThrow();
    Map<String, String> expected = describe(Path.of(lost.getSnapshotPath()));
    deleteTree(Path.of(lost.getSnapshotPath())); // the local capture is lost (a disk replaced, a hand too quick)

    Path to = DevCluster.restoreRoot(data).resolve("from-export");
    Cli restored = cli("restore", r.get("id").asText(), "--run", "--to", to.toString(), "-o", "json");
    assertThat(restored.exit()).as(restored.err()).isEqualTo(ExitCodes.OK);
    JsonNode out = JSON.readTree(restored.out());
    assertThat(member(out, "agent-2").get("method").asText()).isEqualTo("restic-restore");
    assertThat(member(out, "agent-1").get("method").asText()).isIn("copy", "reflink");
    assertThat(describe(to.resolve("agent-2").resolve(lost.getVolume()))).isEqualTo(expected);
    for (MemberRecord m : g.getMembersList()) {
      if (m != lost) {
        assertThat(describe(to.resolve(m.getAgentId()).resolve(m.getVolume())))
            .isEqualTo(describe(Path.of(m.getSnapshotPath())));
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  @Order(4)
  void verify_aRunIsVerifiedAndShownInBackupList_thenACorruptedCaptureFailsNamingItsMember() throws Exception {
    committed(); // data on every volume
    Cli made = cli("group", "create", "verified", "--selector", "dev=true");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    Cli run = cli("backup", "run", "verified", "--wait", "-o", "json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode r = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow());
    String runId = r.get("id").asText();
    String gs = r.get("groupSnapshotId").asText();
    // a fingerprint with a checksum of every capture, as `snapshot check --checksum` (or checksumCaptures) records
    Cli check = cli("snapshot", "check", gs, "--checksum");
    assertThat(check.exit()).as(check.out() + check.err()).isEqualTo(ExitCodes.OK);
    for (String agent : f.cluster.agents().keySet()) {
      assertThat(f.cluster.agents().get(agent).participant().snapshots(gs)).singleElement()
          .satisfies(s -> assertThat(s.getFingerprint().getSha256()).isNotEmpty());
    }

    ClusterMetrics before = ClusterMetrics.scrape(f);
    Cli good = cli("verify", runId, "--run");
    assertThat(good.exit()).as(good.out() + good.err()).isEqualTo(ExitCodes.OK);
    assertThat(good.out()).contains("VERIFIED").contains("recorded on backup run " + runId)
        .contains("contents match the capture's fingerprint");
    assertThat(cli("backup", "list").out()).containsPattern(runId + " .* VERIFIED ");
    assertThat(cli("backup", "show", runId).out()).contains("last verified: VERIFIED");
    assertNoScratch();

    GroupSnapshot g = f.coordinator.getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest.newBuilder()
        .setId(gs).build());
    Path blob = Path.of(g.getMembersList().stream().filter(m -> m.getAgentId().equals("agent-2")).findFirst()
        .orElseThrow().getSnapshotPath()).resolve("nested/deeper/blob");
    Files.write(blob, new byte[] {0, 7, (byte) 201, 13}); // one byte flipped, same size: bit rot

    Cli bad = cli("verify", runId, "--run", "-o", "json");
    assertThat(bad.exit()).as(bad.out() + bad.err()).isEqualTo(ExitCodes.FAILED);
    JsonNode out = JSON.readTree(bad.out());
    assertThat(out.get("result").asText()).isEqualTo("FAILED");
    assertThat(out.get("reason").asText()).startsWith("agent-2:data: ").contains("contents differ")
        .contains("file nested/deeper/blob differs from the capture (sha256 ");
    assertThat(member(out, "agent-2").get("result").asText()).isEqualTo("FAILED");
    assertThat(member(out, "agent-1").get("result").asText()).isEqualTo("VERIFIED");
    assertThat(out.get("members")).allSatisfy(m -> assertThat(m.get("scratchRemoved").asBoolean()).isTrue());
    assertThat(cli("backup", "list").out()).containsPattern(runId + " .* FAILED ");
    assertThat(cli("backup", "show", runId).out()).contains("last verified: FAILED").contains("agent-2:data");
    assertNoScratch();
    ClusterMetrics after = ClusterMetrics.scrape(f);
    assertThat(after.coordinatorDelta(before, "groupsnap_verifications_total", "result", "verified")).isEqualTo(1);
    assertThat(after.coordinatorDelta(before, "groupsnap_verifications_total", "result", "failed")).isEqualTo(1);
  }

  @Test
  @Order(5)
  void verify_ofAnUnknownOrAbortedId_isOneLine_exit2_andWritesNothing() throws Exception {
    f.writers.get("agent-2").prepareAnswer = WriterResult.nonRetryable("not now");
    GroupSnapshot aborted = f.create();
    f.writers.get("agent-2").prepareAnswer = WriterResult.OK;
    Map<String, String> before = restoredTrees();
    assertRefused(cli("verify", "gs-unknown"), "gs-unknown");
    assertRefused(cli("verify", "run-unknown", "--run"), "run-unknown");
    assertRefused(cli("verify", aborted.getId()), "is ABORTED");
    assertThat(restoredTrees()).isEqualTo(before);
  }

  /** No test restore left scratch space on any agent. */
  private void assertNoScratch() throws IOException {
    for (var a : f.cluster.agents().values()) {
      Path home = a.config().restoreRoots().get(0);
      if (Files.isDirectory(home)) {
        try (Stream<Path> entries = Files.list(home)) {
          assertThat(entries.map(p -> p.getFileName().toString())).as("scratch on %s", a.id())
              .noneMatch(n -> n.startsWith(".verify-"));
        }
      }
    }
  }

  @Test
  @Order(6)
  void verify_ofALedgerGroup_runsItsGroupCheckOverEveryMembersCopy_andATamperedMemberFailsIt() throws Exception {
    // one account per member, a transfer from agent-1 to agent-2 in flight: consistent only across all three
    for (String agent : f.cluster.agents().keySet()) {
      Path ledger = Files.createDirectories(DevCluster.volumeDir(data, agent).resolve(LedgerWorkload.DIR));
      Files.writeString(ledger.resolve("log"), agent.equals("agent-1") ? "D 1 500 agent-2\n" : "");
      Files.writeString(ledger.resolve("balance"), agent.equals("agent-1") ? "999500" : "1000000");
    }
    Cli made = cli("group", "create", "ledger", "--selector", "dev=true");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    String good = checkedRun();

    Cli ok = cli("verify", good, "--run");
    assertThat(ok.exit()).as(ok.out() + ok.err()).isEqualTo(ExitCodes.OK);
    assertThat(ok.out()).contains("VERIFIED").contains("group check ledger: VERIFIED")
        .contains("consistent: 3 copies");
    assertNoScratch();

    // agent-2's balance tampered with before the next backup (the same length): its capture, fingerprint and
    // checksum agree with it, so only the ledger across the members can tell
    Files.writeString(DevCluster.volumeDir(data, "agent-2").resolve(LedgerWorkload.DIR).resolve("balance"),
        "1000700");
    String tampered = checkedRun();
    Cli bad = cli("verify", tampered, "--run", "-o", "json");
    assertThat(bad.exit()).as(bad.out() + bad.err()).isEqualTo(ExitCodes.FAILED);
    JsonNode out = JSON.readTree(bad.out());
    assertThat(out.get("result").asText()).isEqualTo("FAILED");
    assertThat(out.get("reason").asText()).startsWith("group check ledger: agent-2:data: balance 1000700")
        .doesNotContain("\n");
    assertThat(out.get("groupCheck").get("result").asText()).isEqualTo("FAILED");
    assertThat(out.get("members")).hasSize(3).allSatisfy(m -> {
      assertThat(m.get("result").asText()).isEqualTo("VERIFIED"); // every member passed its own checks
      assertThat(m.get("scratchRemoved").asBoolean()).isTrue();
    });
    assertThat(cli("backup", "show", tampered).out()).contains("last verified: FAILED").contains("group check");
    assertThat(cli("backup", "list").out()).containsPattern(good + " .* VERIFIED ")
        .containsPattern(tampered + " .* FAILED ");
    assertNoScratch();
  }

  /** A finished backup run of the group "ledger" whose captures have a checksummed fingerprint; its id. */
  private String checkedRun() throws Exception {
    Cli run = cli("backup", "run", "ledger", "--wait", "-o", "json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode r = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow());
    Cli check = cli("snapshot", "check", r.get("groupSnapshotId").asText(), "--checksum");
    assertThat(check.exit()).as(check.out() + check.err()).isEqualTo(ExitCodes.OK);
    return r.get("id").asText();
  }

  @Test
  @Order(8)
  void aMemberWhoseAgentIsDown_isRefusedBeforeAnyOtherMemberIsWritten() throws Exception {
    GroupSnapshot g = committed();
    f.cluster.agents().get("agent-3").close();
    await().atMost(Duration.ofSeconds(30)).until(() -> f.coordinator.listAgents(ListAgentsRequest
        .getDefaultInstance()).getAgentsList().stream().noneMatch(a -> a.getAgentId().equals("agent-3")));
    Map<String, String> before = restoredTrees();
    assertRefused(cli("restore", g.getId(), "--to", DevCluster.restoreRoot(data).resolve("down").toString()),
        "agent agent-3 is not registered");
    assertRefused(cli("verify", g.getId()), "agent agent-3 is not registered");
    assertThat(restoredTrees()).isEqualTo(before);
  }

  @Test
  @Order(7)
  void aVerifyPolicy_verifiesANewRunOnItsOwn_recordedOnTheRun_andAuditedAsThePolicy() throws Exception {
    Cli made = cli("group", "create", "nightly", "--member", "agent-1", "--member", "agent-2", "--verify-every",
        "24h");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    Cli run = cli("backup", "run", "nightly", "--wait", "-o", "json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    String runId = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow()).get("id").asText();
    // no `verify` given: the leader's pass, told of the run's end, test-restores it
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(cli("backup", "show", runId).out()).contains("last verified: VERIFIED"));
    assertThat(cli("backup", "list", "--group", "nightly").out()).containsPattern(runId + " .* VERIFIED ");
    JsonNode audit = JSON.readTree(cli("audit", "list", "-o", "json").out());
    assertThat(audit.toString()).contains("verify policy of group nightly");
    assertNoScratch();
  }

  private static void assertRefused(Cli c, String says) {
    assertThat(c.exit()).as(c.out() + c.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(c.err().strip()).contains(says).doesNotContain("\n");
    assertThat(c.out()).isEmpty();
  }

  private static JsonNode member(JsonNode out, String agent) {
    for (JsonNode m : out.get("members")) {
      if (m.get("agent").asText().equals(agent)) {
        return m;
      }
    }
    throw new AssertionError("no member of " + agent + " in " + out);
  }

  /** Everything under the shared restore root and every agent's default one. */
  private Map<String, String> restoredTrees() throws IOException {
    Map<String, String> all = new TreeMap<>();
    List<Path> roots = new ArrayList<>(List.of(DevCluster.restoreRoot(data)));
    for (String agent : List.of("agent-1", "agent-2", "agent-3")) {
      roots.add(data.resolve(agent).resolve("restores").toAbsolutePath());
    }
    for (Path root : roots) {
      if (Files.exists(root)) {
        describe(root).forEach((k, v) -> all.put(root + "/" + k, v));
      }
    }
    return all;
  }

  /** A tree entry by entry: kind, and a regular file's contents. */
  static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, "dir");
        } else {
          out.put(rel, "file " + java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
        }
      }
    }
    return out;
  }
}
