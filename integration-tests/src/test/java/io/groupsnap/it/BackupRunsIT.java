package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup runs end to end through the CLI on a dev cluster whose agents export to restic repositories of their own
 * (the real restic): a run exports every member's capture, the repository passes {@code restic check} and the export
 * restores byte for byte equal to the capture; a schedule takes runs by itself; retention removes what its plan says
 * and keeps the newest completed run; bad input fails in one line before anything is frozen.
 */
class BackupRunsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  ClusterFixture f;

  @BeforeEach
  void start() throws Exception {
    boolean restic = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"), new String[] {"/usr/bin"})
        .flatMap(Stream::of).anyMatch(d -> Files.isExecutable(Path.of(d, "restic")));
    if (System.getenv("GROUPSNAP_CI") == null) {
      Assumptions.assumeTrue(restic, "restic is not installed");
    }
    f = new ClusterFixture(tmp.resolve("cluster"), 2);
  }

  @AfterEach
  void stop() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--coordinator");
    all.add(f.cluster.coordinator().endpoint().toString());
    return f.cli(all.toArray(String[]::new));
  }

  JsonNode json(String... args) throws IOException {
    Cli c = cli(args);
    assertThat(c.exit()).as("%s: %s", List.of(args), c.err()).isEqualTo(ExitCodes.OK);
    return JSON.readTree(c.out());
  }

  @Test
  void aRunExportsEveryCapture_thatRestoresByteForByte_andSchedulesAndRetentionKeepWhatTheyShould()
      throws Exception {
    // some data on each volume, beyond the workload's
    for (String a : f.cluster.agents().keySet()) {
      Path v = DevCluster.volumeDir(f.cluster.dataDir(), a);
      Files.createDirectories(v.resolve("sub dir"));
      Files.writeString(v.resolve("sub dir/notes; $(x).txt"), "hello from " + a + "\n", StandardCharsets.UTF_8);
      Files.write(v.resolve("blob.bin"), new byte[256 * 1024]);
    }
    Cli made = cli("group", "create", "all", "--selector", "dev=true", "--export-target", DevCluster.EXPORT_TARGET,
        "--keep-last", "2", "--export-keep-last", "3");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);

    // bad input: one line naming it, nothing started
    Cli unknown = cli("backup", "run", "nosuchgroup", "--wait");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err().strip()).contains("nosuchgroup").doesNotContain("\n");
    Cli noTarget = cli("group", "create", "elsewhere", "--selector", "dev=true", "--export-target", "nowhere");
    assertThat(noTarget.exit()).isZero(); // stored; a run of it fails before any freeze, naming the target
    assertThat(noTarget.err().lines().filter(l -> l.startsWith("groupsnap: warning: a run of group elsewhere would "
        + "fail now: ")).toList()).as("the operator is told at once: %s", noTarget.err())
        .isNotEmpty().allMatch(l -> l.contains("nowhere"));
    assertThat(made.err()).as("no warning for a group that can run").doesNotContain("warning");
    Cli refused = cli("backup", "run", "elsewhere");
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("nowhere").contains("agent-1");
    Cli badCron = cli("schedule", "create", "all", "--cron", "61 * * * *");
    assertThat(badCron.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badCron.err().strip()).contains("61 * * * *").doesNotContain("\n");
    assertThat(json("backup", "list", "--all", "-o", "json").get("runs").size()).as("no run started by bad input").isZero();

    // one run by hand
    Cli run = cli("backup", "run", "all", "--wait", "-o", "json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode r = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow());
    assertThat(r.get("state").asText()).isEqualTo("COMPLETED");
    assertThat(r.get("exports")).hasSize(2);
    GroupSnapshot cut = f.coordinator.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder()
        .setId(r.get("groupSnapshotId").asText()).build());
    assertThat(cut.getGroup()).isEqualTo("all");
    assertThat(cut.getRunId()).isEqualTo(r.get("id").asText());
    Cli watched = cli("snapshot", "watch", r.get("id").asText(), "-o", "json");
    assertThat(watched.exit()).as("snapshot watch of a completed run: %s", watched.err()).isEqualTo(ExitCodes.OK);
    assertThat(JSON.readTree(watched.out().lines().reduce((a, b) -> b).orElseThrow()).get("state").asText())
        .isEqualTo("COMPLETED");
    for (JsonNode e : r.get("exports")) {
      assertThat(e.get("state").asText()).isEqualTo("DONE");
      assertThat(e.get("bytesDone").asLong()).isGreaterThanOrEqualTo(256 * 1024);
      String agent = e.get("agentId").asText();
      Path repo = DevCluster.resticRepository(f.cluster.dataDir(), agent);
      assertThat(restic(repo, "check").exit).as("restic check of %s", agent).isZero();
      Path target = tmp.resolve("restored-" + agent);
      Result restored = restic(repo, "restore", e.get("repositorySnapshotId").asText(), "--target",
          target.toString());
      assertThat(restored.exit).as(restored.out).isZero();
      MemberRecord m = cut.getMembersList().stream().filter(x -> x.getAgentId().equals(agent)).findFirst()
          .orElseThrow();
      assertThat(tree(target)).as("%s restored from restic vs its capture", agent)
          .isEqualTo(tree(Path.of(m.getSnapshotPath())));
    }

    // a schedule every two seconds takes runs by itself; retention keeps the 2 newest captures, 3 newest exports
    assertThat(cli("schedule", "create", "all", "--cron", "*/2 * * * * *").exit()).isZero();
    await("scheduled runs completed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> scheduledAndDone(json("backup", "list", "--group", "all", "--all", "-o", "json").get("runs"))
              >= 5);
    assertThat(cli("schedule", "pause", "all").exit()).isZero();
    await("every run final, and retention applied").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          JsonNode all = json("backup", "list", "--group", "all", "--all", "-o", "json").get("runs");
          long going = 0;
          long keptLocal = 0;
          long keptExport = 0;
          for (JsonNode x : all) {
            String s = x.get("state").asText();
            going += s.equals("SNAPSHOTTING") || s.equals("EXPORTING") ? 1 : 0;
            boolean done = s.equals("COMPLETED");
            keptLocal += done && !x.get("localDeleted").asBoolean() ? 1 : 0;
            keptExport += done && !x.get("exportDeleted").asBoolean() ? 1 : 0;
          }
          return going == 0 && keptLocal == 2 && keptExport == 3;
        });
    JsonNode all = json("backup", "list", "--group", "all", "--all", "-o", "json").get("runs");
    JsonNode newest = null;
    for (JsonNode x : all) {
      if (x.get("state").asText().equals("COMPLETED")) {
        newest = x;
      }
      if (x.get("trigger").asText().equals("SCHEDULED")) {
        assertThat(x.get("id").asText()).startsWith("run-");
      }
    }
    assertThat(newest).isNotNull();
    assertThat(newest.get("localDeleted").asBoolean()).as("the newest completed run keeps its captures").isFalse();
    Path capture = Path.of(f.coordinator.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder()
        .setId(newest.get("groupSnapshotId").asText()).build()).getMembers(0).getSnapshotPath());
    assertThat(capture).isDirectory();

    // the plan says why
    Cli plan = cli("retention", "plan", "all");
    assertThat(plan.exit()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("last 2").contains("last 3");
    // and every expired export is gone from its repository: only kept runs' snapshots remain
    for (String agent : f.cluster.agents().keySet()) {
      Result snaps = restic(DevCluster.resticRepository(f.cluster.dataDir(), agent), "snapshots", "--json");
      assertThat(snaps.exit).isZero();
      assertThat(JSON.readTree(snaps.out).size()).as("restic snapshots left in %s's repository", agent)
          .isEqualTo(3);
    }
  }

  /** Scheduled runs that completed (retention turns the older ones DELETED once nothing of them is left). */
  private static long scheduledAndDone(JsonNode runs) {
    long n = 0;
    for (JsonNode x : runs) {
      String s = x.get("state").asText();
      n += x.get("trigger").asText().equals("SCHEDULED") && (s.equals("COMPLETED") || s.equals("DELETED")) ? 1 : 0;
    }
    return n;
  }

  record Result(int exit, String out) {}

  private Result restic(Path repo, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("restic", "-r", repo.toString(), "--password-file",
        repo.resolveSibling("restic.pass").toString(), "--no-cache", "-q"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("restic %s ended", List.of(args)).isTrue();
    return new Result(p.exitValue(), out);
  }

  /** Relative path -> content of every regular file under root. */
  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
