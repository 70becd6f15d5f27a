package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.Agent;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrub end to end, on a real ZooKeeper and real gRPC: a capture removed or changed behind the catalog's back is
 * found by {@code snapshot check ID} and by the leader's periodic scrub, and {@code list} and {@code show} then say
 * DAMAGED naming the member, while an untouched group snapshot stays COMMITTED.
 */
class ScrubIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  ClusterFixture f;

  @AfterEach
  void stop() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  void start(UnaryOperator<io.groupsnap.coordinator.CoordinatorConfig> config) throws Exception {
    f = new ClusterFixture(tmp.resolve("cluster"), 3, config);
    for (String agent : f.cluster.agents().keySet()) {
      Path volume = DevCluster.volumeDir(f.dataDir, agent);
      Files.writeString(volume.resolve("header"), "count=2\n");
      Files.writeString(volume.resolve("records"), "one\ntwo\n");
    }
  }

  Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--coordinator");
    all.add(f.cluster.coordinator().endpoint().toString());
    return f.cli(all.toArray(String[]::new));
  }

  /** A committed group snapshot whose members all confirmed and fingerprinted their captures. */
  String committed() throws Exception {
    GroupSnapshot g = f.create();
    assertThat(g.getState()).as(g.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    await().atMost(Duration.ofSeconds(20)).until(() -> f.cluster.coordinator().getGroupSnapshot(g.getId())
        .getFinalized());
    for (Agent a : f.cluster.agents().values()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> a.participant().snapshots(g.getId()).get(0)
          .hasFingerprint());
    }
    return g.getId();
  }

  Path capture(String id, String agent) throws Exception {
    for (MemberRecord m : f.cluster.coordinator().getGroupSnapshot(id).getMembersList()) {
      if (m.getAgentId().equals(agent)) {
        return Path.of(m.getSnapshotPath());
      }
    }
    throw new AssertionError(agent + " is not a member of " + id);
  }

  JsonNode listed(String id) throws Exception {
    Cli list = cli("-o", "json", "snapshot", "list");
    assertThat(list.exit()).as(list.err()).isZero();
    for (JsonNode g : JSON.readTree(list.out())) {
      if (g.get("id").asText().equals(id)) {
        return g;
      }
    }
    throw new AssertionError(id + " is not listed: " + list.out());
  }

  @Test
  void aCaptureRemovedBehindTheCatalogsBack_isFoundBySnapshotCheck_andListedDamaged_namingTheMember()
      throws Exception {
    start(UnaryOperator.identity()); // the periodic scrub (hourly) stays out of the way
    String damaged = committed();
    String untouched = committed();
    Path gone = capture(damaged, "agent-2");
    Captures.deleteTree(gone);

    Cli check = cli("snapshot", "check", damaged);
    assertThat(check.exit()).as(check.out() + check.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(check.out()).startsWith(damaged + "  DAMAGED: 1 of 3 captures missing or altered\n")
        .containsPattern("agent-2 +data +MISSING").containsPattern("agent-1 +data +PRESENT +counts")
        .contains(gone.toString());
    assertThat(check.err().strip()).isEqualTo("groupsnap: " + damaged + " is DAMAGED (agent-2:data MISSING)");

    JsonNode json = JSON.readTree(cli("snapshot", "check", damaged, "-o", "json").out());
    assertThat(json.get("result").asText()).isEqualTo("DAMAGED");
    assertThat(json.get("captures")).hasSize(3).anySatisfy(c -> {
      assertThat(c.get("agent").asText()).isEqualTo("agent-2");
      assertThat(c.get("condition").asText()).isEqualTo("MISSING");
    });

    JsonNode d = listed(damaged);
    assertThat(d.get("state").asText()).isEqualTo("DAMAGED");
    assertThat(d.get("damage")).singleElement().satisfies(x -> {
      assertThat(x.get("agent").asText()).isEqualTo("agent-2");
      assertThat(x.get("volume").asText()).isEqualTo("data");
      assertThat(x.get("condition").asText()).isEqualTo("MISSING");
      assertThat(x.get("detail").asText()).contains(gone.toString());
    });
    JsonNode u = listed(untouched);
    assertThat(u.get("state").asText()).isEqualTo("COMMITTED");
    assertThat(u.has("damage")).isFalse();
    assertThat(cli("snapshot", "list").out()).containsPattern(damaged + " +DAMAGED .*damaged: agent-2:data MISSING")
        .containsPattern(untouched + " +COMMITTED ");
    Cli show = cli("snapshot", "show", damaged);
    assertThat(show.out()).contains(damaged + "  DAMAGED").contains("damaged: agent-2:data MISSING: capture " + gone);
    assertThat(JSON.readTree(cli("snapshot", "show", damaged, "-o", "json").out()).get("state").asText())
        .isEqualTo("DAMAGED");

    Cli intact = cli("snapshot", "check", untouched);
    assertThat(intact.exit()).as(intact.out() + intact.err()).isZero();
    assertThat(intact.out()).startsWith(untouched + "  INTACT: 3 captures checked, none missing or altered\n");
    assertThat(listed(untouched).get("state").asText()).isEqualTo("COMMITTED");

    Cli deleted = cli("snapshot", "delete", damaged);
    assertThat(deleted.exit()).as("a damaged group snapshot can still be deleted: " + deleted.err()).isZero();
    assertThat(capture(damaged, "agent-1")).doesNotExist();
    assertThat(cli("-o", "json", "snapshot", "list").out()).doesNotContain(damaged);
  }

  @Test
  void aChangedByte_isFoundByACheckWithChecksum_andNamedByFile() throws Exception {
    start(UnaryOperator.identity());
    String id = committed();
    Cli first = cli("snapshot", "check", id, "--checksum");
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    // dev-cluster agents record a checksum of every capture after its commit (checksumCaptures: true)
    assertThat(first.out()).containsPattern("agent-1 +data +PRESENT +content");
    Files.writeString(capture(id, "agent-1").resolve("header"), "count=3\n"); // same size

    assertThat(cli("snapshot", "check", id).exit()).as("file counts and sizes alone cannot see it").isZero();
    Cli content = cli("snapshot", "check", id, "--checksum");
    assertThat(content.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(content.out()).containsPattern("agent-1 +data +ALTERED +content +.*file header differs")
        .contains("contents differ");
    assertThat(listed(id).get("state").asText()).isEqualTo("DAMAGED");
  }

  @Test
  void thePeriodicScrub_findsAnAlteredCapture_byItself_andLeavesAnUntouchedOneCommitted() throws Exception {
    start(c -> c.withScrubInterval(Duration.ofMillis(300)));
    String altered = committed();
    String untouched = committed();
    Files.delete(capture(altered, "agent-3").resolve("records"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode a = listed(altered);
      assertThat(a.get("state").asText()).isEqualTo("DAMAGED");
      assertThat(a.get("damage")).singleElement().satisfies(x -> {
        assertThat(x.get("agent").asText()).isEqualTo("agent-3");
        assertThat(x.get("condition").asText()).isEqualTo("ALTERED");
        assertThat(x.get("detail").asText()).contains("1 files (recorded 2)");
      });
      JsonNode u = listed(untouched);
      assertThat(u.get("state").asText()).isEqualTo("COMMITTED");
      assertThat(u.get("members")).hasSize(3).allSatisfy(m -> assertThat(m.get("check").get("condition").asText())
          .as("checked by the scrub and found intact").isIn("PRESENT", "UNVERIFIED"));
    });
    Cli show = cli("snapshot", "show", altered);
    assertThat(show.out()).contains("DAMAGED").contains("damaged: agent-3:data ALTERED");
    assertThat(f.cluster.coordinator().getGroupSnapshot(altered).getState())
        .as("the record's decision is unchanged").isEqualTo(GroupSnapshotState.COMMITTED);
  }
}
