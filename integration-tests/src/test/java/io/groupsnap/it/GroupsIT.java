package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named groups end to end through the CLI, against a real cluster (mutual TLS, secured ZooKeeper, real agents): a
 * group snapshot of a group takes exactly the members its selector resolves to now and its record names the group; a
 * required member whose agent is stopped fails the run naming the host and writes no transaction record; a selector
 * that matches nothing is an error, not an empty group.
 */
class GroupsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  ClusterFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new ClusterFixture(tmp.resolve("cluster"), 3);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--coordinator");
    all.add(f.cluster.coordinator().endpoint().toString());
    return f.cli(all.toArray(String[]::new));
  }

  int transactions() {
    return f.coordinator.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder().setIncludeAborted(true).build())
        .getSnapshotsCount();
  }

  List<String> members(JsonNode g) {
    List<String> out = new ArrayList<>();
    g.get("members").forEach(m -> out.add(m.get("agent").asText() + ":" + m.get("volume").asText()));
    return out;
  }

  @Test
  void aGroupOfASelector_takesExactlyItsRegisteredMatches_andARequiredMemberDownFailsBeforeAnyFreeze()
      throws Exception {
    Cli made = cli("group", "create", "dev", "--selector", "dev=true:data", "--freeze-timeout", "8s");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    assertThat(cli("group", "create", "pinned", "--member", "agent-1", "--member", "agent-3:data").exit()).isZero();
    assertThat(cli("group", "create", "nobody", "--selector", "dev=false").exit()).isZero();

    Cli all = cli("snapshot", "create", "--group", "dev", "--wait", "-o", "json");
    assertThat(all.exit()).as(all.err()).isEqualTo(ExitCodes.OK);
    JsonNode g = JSON.readTree(all.out());
    assertThat(g.get("state").asText()).isEqualTo("COMMITTED");
    assertThat(g.get("group").asText()).isEqualTo("dev");
    assertThat(g.get("freezeTimeoutMillis").asLong()).isEqualTo(8000);
    assertThat(members(g)).containsExactly("agent-1:data", "agent-2:data", "agent-3:data");

    f.cluster.agents().get("agent-3").close();
    await().atMost(Duration.ofSeconds(30)).until(() -> f.coordinator.listAgents(ListAgentsRequest
        .getDefaultInstance()).getAgentsCount() == 2);
    Cli two = cli("snapshot", "create", "--group", "dev", "--wait", "-o", "json");
    assertThat(two.exit()).as(two.err()).isEqualTo(ExitCodes.OK);
    JsonNode g2 = JSON.readTree(two.out());
    assertThat(members(g2)).as("the selector resolved now").containsExactly("agent-1:data", "agent-2:data");
    GroupSnapshot stored = f.coordinator.getGroupSnapshot(io.groupsnap.proto.v1.GetGroupSnapshotRequest.newBuilder()
        .setId(g2.get("id").asText()).build());
    assertThat(stored.getGroup()).as("the record names the group").isEqualTo("dev");

    int before = transactions();
    Cli pinned = cli("snapshot", "create", "--group", "pinned", "--wait");
    assertThat(pinned.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(pinned.err()).isEqualTo("groupsnap: group pinned: required member agent-3:data is not registered "
        + "(host agent-3 down or cut off)\n");
    Cli nobody = cli("snapshot", "create", "--group", "nobody", "--wait");
    assertThat(nobody.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(nobody.err()).isEqualTo("groupsnap: group nobody: selectors[0] {dev=false} matches no registered "
        + "agent\n");
    assertThat(transactions()).as("no transaction record written").isEqualTo(before);

    Cli shown = cli("group", "show", "pinned");
    assertThat(shown.out()).contains("problem: required member agent-3:data is not registered");
  }
}
