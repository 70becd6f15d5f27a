package io.groupsnap.cli.command;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.command.StandInCoordinator.Result;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.audit.AuditArguments;
import io.groupsnap.coordinator.audit.AuditStore;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.proto.v1.AuditOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code groupsnap audit list} against a real coordinator and ZooKeeper: {@code --since} as a duration or a time
 * filters, {@code --limit} keeps the newest, {@code -o json} parses, an undecodable entry is listed as damaged, and
 * bad input is exit 2 with one line.
 */
class AuditCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ZkLayout LAYOUT = new ZkLayout("default");

  TestingServer zk;
  CuratorFramework client;
  Coordinator coordinator;
  Instant now = Instant.now();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
    await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
    AuditStore store = new AuditStore(client, LAYOUT);
    forget(new AuditTrail(store, Clock.fixed(now.minus(Duration.ofHours(3)), ZoneOffset.UTC), "c:1"), "old-op",
        "a-old");
    client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(LAYOUT.auditEntryPrefix(), new byte[] {9});
    forget(new AuditTrail(store, Clock.fixed(now.minus(Duration.ofMinutes(10)), ZoneOffset.UTC), "c:1"), "alice",
        "a-new");
  }

  static void forget(AuditTrail trail, String who, String agent) throws Exception {
    AuditTrail.Call c = trail.call(new Identity(who, Set.of(Role.ADMIN)), "ForgetAgent",
        AuditArguments.of().with("agent_id", agent));
    c.started("");
    c.finished(AuditOutcome.AUDIT_SUCCEEDED, "forgotten", "");
  }

  @AfterEach
  void stop() throws Exception {
    coordinator.close();
    client.close();
    zk.close();
  }

  Result run(String... args) {
    String[] all = new String[args.length + 3];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--coordinator";
    all[args.length + 1] = coordinator.endpoint().toString();
    all[args.length + 2] = "--insecure";
    return StandInCoordinator.runCli(all);
  }

  @Test
  void since_keepsTheRecentEntries_asATable() {
    Result r = run("audit", "list", "--since", "1h");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out().lines()).as("two entries, then the damaged one: written just now, by its mtime").hasSize(5);
    assertThat(r.out().lines().findFirst().orElseThrow()).startsWith("TIME").contains("WHO", "METHOD", "TARGET",
        "OUTCOME");
    assertThat(r.out()).contains("alice", "ForgetAgent", "a-new", "STARTED", "SUCCEEDED: forgotten")
        .contains("1 audit entry UNDECODABLE").doesNotContain("old-op");

    Result all = run("audit", "list");
    assertThat(all.out()).contains("old-op", "alice", "1 audit entry UNDECODABLE", LAYOUT.audit() + "/e-");
    Result byTime = run("audit", "list", "--since", now.minus(Duration.ofHours(4)).toString());
    assertThat(byTime.out()).contains("old-op");
  }

  @Test
  void json_parses_withTheEntriesNewestLast_andTheDamagedOne() throws Exception {
    Result r = run("audit", "list", "-o", "json");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    JsonNode list = JSON.readTree(r.out());
    assertThat(list.size()).isEqualTo(5);
    assertThat(list.get(3).get("identity").asText()).isEqualTo("alice");
    assertThat(list.get(3).get("outcome").asText()).isEqualTo("SUCCEEDED");
    assertThat(list.get(3).get("arguments").get("agent_id").asText()).isEqualTo("a-new");
    assertThat(list.get(3).get("request").asText()).isEqualTo(list.get(2).get("name").asText());
    assertThat(list.get(4).get("state").asText()).isEqualTo("UNDECODABLE");
    assertThat(list.get(4).get("kind").asText()).isEqualTo("audit");

    JsonNode newest = JSON.readTree(run("audit", "list", "--limit", "1", "-o", "json").out());
    assertThat(newest.size()).isEqualTo(1);
    assertThat(newest.get(0).get("name").asText()).isEqualTo(list.get(3).get("name").asText());
  }

  @Test
  void aBadSinceOrLimit_isExitTwo_inOneLine() {
    for (String bad : new String[] {"yesterday", "2026-13-01T00:00:00Z", "-5m", "1h\nx"}) {
      Result r = run("audit", "list", "--since", bad);
      assertThat(r.exit()).as(bad).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as(bad).startsWith("groupsnap: --since: '").endsWith("\n");
      assertThat(r.err().lines()).as(bad).hasSize(1);
    }
    Result limit = run("audit", "list", "--limit", "0");
    assertThat(limit.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(limit.err()).isEqualTo("groupsnap: --limit: 0 is outside 1..100000\n");
  }

  @Test
  void theRetentionFlags_areBoundsChecked_beforeAnyConnection() {
    Result entries = StandInCoordinator.runCli("coordinator", "--zookeeper", "127.0.0.1:1", "--audit-max-entries",
        "5");
    assertThat(entries.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(entries.err()).isEqualTo("groupsnap: --audit-max-entries: audit max entries 5 is outside "
        + "100..200000\n");
    Result age = StandInCoordinator.runCli("coordinator", "--zookeeper", "127.0.0.1:1", "--audit-retention", "30m");
    assertThat(age.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(age.err()).isEqualTo("groupsnap: --audit-retention: audit retention 30m00s is outside 1h..3650d\n");
    Result garbage = StandInCoordinator.runCli("coordinator", "--zookeeper", "127.0.0.1:1", "--audit-retention",
        "forever");
    assertThat(garbage.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(garbage.err()).startsWith("groupsnap: --audit-retention: ").endsWith("\n");
    assertThat(garbage.err().lines()).hasSize(1);
  }
}
