package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.command.StandInCoordinator.Result;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code groupsnap version} and {@code --version}: one source of the version, the coordinator's asked for. */
class VersionCommandTest {
  final String client = Version.current();
  StandInCoordinator coordinator;

  @BeforeEach
  void start() throws Exception {
    coordinator = new StandInCoordinator();
  }

  @AfterEach
  void stop() throws Exception {
    coordinator.close();
  }

  @Test
  void dashDashVersion_andTheVersionCommand_printTheBuildsVersion() {
    assertThat(client).isNotEqualTo(Version.UNKNOWN);
    assertThat(StandInCoordinator.runCli("--version").out()).isEqualTo("groupsnap " + client + "\n");
    coordinator.version = client;
    Result r = coordinator.run("version");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo("client:      " + client + "\ncoordinator: " + client + " ("
        + coordinator.endpoint() + ")\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aCoordinatorOfAnotherMajorMinor_isWarnedAbout_onStderr_stillExitZero() throws Exception {
    coordinator.version = "99.7.1";
    Result r = coordinator.run("version");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).endsWith("coordinator: 99.7.1 (" + coordinator.endpoint() + ")\n");
    assertThat(r.err()).isEqualTo("groupsnap: warning: client " + client + " and coordinator 99.7.1 differ in "
        + "major.minor version; use a client of the coordinator's version\n");
    JsonNode json = new ObjectMapper().readTree(coordinator.run("version", "-o", "json").out());
    assertThat(json.get("client").asText()).isEqualTo(client);
    assertThat(json.get("coordinator").asText()).isEqualTo("99.7.1");
    assertThat(json.get("coordinatorEndpoint").asText()).isEqualTo(coordinator.endpoint());
    assertThat(json.get("mismatch").asBoolean()).isTrue();
    assertThat(json.has("coordinatorUnreachable")).isFalse();

    coordinator.version = Version.majorMinor(client).orElseThrow() + ".999";
    Result patch = coordinator.run("version");
    assertThat(patch.err()).as("a patch release apart is no mismatch").isEmpty();
  }

  @Test
  void aCoordinatorThatDoesNotReportItsVersion_isSaidSo_withoutAWarning() {
    Result r = coordinator.run("version");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).endsWith("coordinator: not reported by " + coordinator.endpoint() + " (a build from before "
        + "coordinators reported it)\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void noCoordinatorReachable_exitsZero_sayingWhy() throws Exception {
    Result r = StandInCoordinator.runCli("version", "--coordinator", "127.0.0.1:1", "--insecure");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).startsWith("client:      " + client + "\ncoordinator: unreachable (cannot reach "
        + "coordinator at 127.0.0.1:1").hasLineCount(2);
    JsonNode json = new ObjectMapper().readTree(StandInCoordinator.runCli("version", "-o", "json", "--coordinator",
        "127.0.0.1:1", "--insecure").out());
    assertThat(json.get("coordinator").isNull()).isTrue();
    assertThat(json.get("coordinatorUnreachable").asText()).startsWith("cannot reach coordinator at 127.0.0.1:1");
    assertThat(json.get("mismatch").asBoolean()).isFalse();
  }

  @Test
  void noCoordinatorGiven_exitsZero_sayingNoneWasGiven() {
    assumeTrue(System.getenv("GROUPSNAP_COORDINATOR") == null && System.getenv("GROUPSNAP_ZOOKEEPER") == null);
    Result r = StandInCoordinator.runCli("version");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo("client:      " + client + "\ncoordinator: unreachable (none given: --coordinator, "
        + "--zookeeper, GROUPSNAP_COORDINATOR or GROUPSNAP_ZOOKEEPER)\n");
  }

  @Test
  void aMalformedCoordinatorAddress_isBadInput_exitTwo() {
    Result r = StandInCoordinator.runCli("version", "--coordinator", "nowhere");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: --coordinator: endpoint 'nowhere' is not host:port\n");
  }
}
