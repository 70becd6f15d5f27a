package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.command.StandInCoordinator.Result;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code groupsnap group ...} against a real coordinator and ZooKeeper, and the parsing of its options: what is given
 * is what is stored, an update changes only what it names, bad input is exit 2 with one line naming the option.
 */
class GroupCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  TestingServer zk;
  Coordinator coordinator;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
    await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
  }

  @AfterEach
  void stop() throws Exception {
    coordinator.close();
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
  void create_storesWhatWasGiven_andUpdate_changesOnlyWhatItNames() throws Exception {
    Result made = run("group", "create", "db", "--member", "db-1:data", "--optional-member", "cache-1",
        "--selector", "tier=db,env=prod:wal", "--freeze-timeout", "5s", "--lease", "30s", "--export-target", "offsite",
        "--keep-last", "3", "--keep-daily", "7", "--keep-within", "2h", "--export-keep-monthly", "12",
        "--max-attempts", "4", "--retry-backoff", "10s", "--time-zone", "Europe/Berlin", "--description", "the dbs");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    assertThat(made.out()).startsWith("created group db");
    GroupSpec g = coordinator.groups().getGroup("db").getGroup();
    assertThat(g.getMembersList()).containsExactly(GroupMember.newBuilder().setAgentId("db-1").setVolume("data")
        .build(), GroupMember.newBuilder().setAgentId("cache-1").setOptional(true).build());
    assertThat(g.getSelectorsList()).containsExactly(LabelSelector.newBuilder().putMatchLabels("tier", "db")
        .putMatchLabels("env", "prod").setVolume("wal").build());
    assertThat(g.getFreezeTimeoutMillis()).isEqualTo(5000);
    assertThat(g.getLeaseMillis()).isEqualTo(30000);
    assertThat(g.getLocalRetention().getKeepLast()).isEqualTo(3);
    assertThat(g.getLocalRetention().getKeepWithinMillis()).isEqualTo(7_200_000);
    assertThat(g.getExportRetention().getKeepMonthly()).isEqualTo(12);
    assertThat(g.getRetry().getInitialBackoffMillis()).isEqualTo(10_000);
    assertThat(g.getTimeZone()).isEqualTo("Europe/Berlin");

    Result updated = run("group", "update", "db", "--keep-daily", "14", "--selector", "tier=db");
    assertThat(updated.exit()).as(updated.err()).isEqualTo(ExitCodes.OK);
    GroupSpec after = coordinator.groups().getGroup("db").getGroup();
    assertThat(after.getLocalRetention().getKeepDaily()).isEqualTo(14);
    assertThat(after.getLocalRetention().getKeepLast()).as("kept").isEqualTo(3);
    assertThat(after.getMembersList()).as("kept").isEqualTo(g.getMembersList());
    assertThat(after.getSelectorsList()).containsExactly(LabelSelector.newBuilder().putMatchLabels("tier", "db")
        .build());
    assertThat(after.getExportTarget()).isEqualTo("offsite");

    JsonNode shown = JSON.readTree(run("group", "show", "db", "-o", "json").out());
    assertThat(shown.get("name").asText()).isEqualTo("db");
    assertThat(shown.get("selectors").get(0).asText()).isEqualTo("tier=db");
    assertThat(shown.get("leftOut").get(0).asText()).isEqualTo("cache-1");
    assertThat(shown.get("problems").toString()).contains("required member db-1:data is not registered")
        .contains("selectors[0] {tier=db} matches no registered agent");
    Result text = run("group", "show", "db");
    assertThat(text.out()).contains("member:   db-1:data (required)", "selector: tier=db",
        "local retention: last 3, daily 14, within 7200000ms", "problem: required member db-1:data");

    JsonNode listed = JSON.readTree(run("group", "list", "-o", "json").out());
    assertThat(listed.get("groups").get(0).get("name").asText()).isEqualTo("db");
    assertThat(run("group", "list").out()).contains("NAME", "db", "db-1:data,cache-1?", "tier=db", "offsite");

    assertThat(run("group", "delete", "db").out()).isEqualTo("deleted group db\n");
    Result again = run("group", "delete", "db");
    assertThat(again.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).isEqualTo("groupsnap: no group 'db'\n");
  }

  @Test
  void badInput_exitsTwo_onOneLineNamingIt() throws Exception {
    Result noMembers = run("group", "create", "db");
    assertThat(noMembers.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(noMembers.err())
        .isEqualTo("groupsnap: --member or --selector: group db needs at least one member or selector\n");
    assertThat(run("group", "create", "../x", "--member", "a").err())
        .startsWith("groupsnap: NAME '../x' is not a valid name");
    assertThat(run("group", "create", "db", "--selector", "tier").err())
        .isEqualTo("groupsnap: --selector 'tier': 'tier' is not KEY=VALUE\n");
    assertThat(run("group", "create", "db", "--selector", "a=1,a=2").err())
        .isEqualTo("groupsnap: --selector 'a=1,a=2': label a is given twice\n");
    assertThat(run("group", "create", "db", "--selector", "a=1:../v").err())
        .startsWith("groupsnap: --selector 'a=1:../v': volume '../v' is not a valid name");
    assertThat(run("group", "create", "db", "--member", "a:b:c").err())
        .isEqualTo("groupsnap: --member 'a:b:c': expected AGENT or AGENT:VOLUME\n");
    assertThat(run("group", "create", "db", "--member", "a", "--keep-daily", "-1").err())
        .isEqualTo("groupsnap: --keep-daily: -1 must not be negative\n");
    assertThat(run("group", "create", "db", "--member", "a", "--export-keep-within", "soon").err())
        .startsWith("groupsnap: --export-keep-within: invalid duration 'soon'");
    assertThat(run("group", "create", "db", "--member", "a", "--time-zone", "Mars/Base").err())
        .startsWith("groupsnap: --time-zone: time_zone 'Mars/Base' is not an IANA time zone id");
    // values only the coordinator's rules refuse are named by the option that set them, before any call
    assertThat(run("group", "create", "db", "--member", "a", "--max-attempts", "101").err())
        .startsWith("groupsnap: --max-attempts: retry.max_attempts 101 is outside 0..");
    assertThat(run("group", "create", "db", "--member", "a", "--freeze-timeout", "20m").err())
        .startsWith("groupsnap: --freeze-timeout: freeze_timeout 1200000ms is outside");
    assertThat(run("group", "create", "db", "--member", "a", "--retry-backoff", "25h").err())
        .startsWith("groupsnap: --retry-backoff: retry.initial_backoff_millis");
    assertThat(coordinator.groups().listGroups().records()).as("nothing stored by refused input").isEmpty();
    assertThat(run("group", "create", "db", "--member", "a", "--max-attempts", "x").exit())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run("group", "show", "nope").err()).isEqualTo("groupsnap: no group 'nope'\n");
    assertThat(run("group", "update", "nope", "--keep-last", "1").err()).isEqualTo("groupsnap: no group 'nope'\n");
    Result both = run("snapshot", "create", "--group", "db", "--member", "a");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).isEqualTo("groupsnap: --group: a group names its own members (not with --member)\n");
    Result unknown = run("snapshot", "create", "--group", "nope");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).isEqualTo("groupsnap: no group 'nope'\n");
    assertThat(coordinator.groups()).isNotNull();
  }

  @Test
  void verifyEvery_isStored_shown_andTurnedOff_andABadValueIsNamedByTheOption() throws Exception {
    assertThat(run("group", "create", "db", "--member", "a", "--verify-every", "soon").err())
        .startsWith("groupsnap: --verify-every: invalid duration 'soon'");
    assertThat(run("group", "create", "db", "--member", "a", "--verify-every", "30s").err())
        .isEqualTo("groupsnap: --verify-every: verify.every_millis 30000 is outside 1m..366d (0: no scheduled "
            + "verification)\n");
    assertThat(coordinator.groups().listGroups().records()).as("nothing stored by refused input").isEmpty();

    Result made = run("group", "create", "db", "--member", "a", "--verify-every", "24h");
    assertThat(made.exit()).as(made.err()).isEqualTo(ExitCodes.OK);
    assertThat(coordinator.groups().getGroup("db").getGroup().getVerify().getEveryMillis()).isEqualTo(86_400_000L);
    assertThat(run("group", "show", "db").out()).contains("test restores: the newest completed run, every 24h");
    assertThat(JSON.readTree(run("group", "show", "db", "-o", "json").out()).get("verifyEveryMillis").asLong())
        .isEqualTo(86_400_000L);
    assertThat(run("group", "list").out()).contains("VERIFY", "every 24h");

    assertThat(run("group", "update", "db", "--keep-last", "2").exit()).isEqualTo(ExitCodes.OK);
    assertThat(coordinator.groups().getGroup("db").getGroup().getVerify().getEveryMillis()).as("kept")
        .isEqualTo(86_400_000L);
    assertThat(run("group", "update", "db", "--verify-every", "90m").exit()).isEqualTo(ExitCodes.OK);
    assertThat(run("group", "list").out()).contains("every 90m");
    assertThat(run("group", "update", "db", "--verify-every", "off").exit()).isEqualTo(ExitCodes.OK);
    assertThat(coordinator.groups().getGroup("db").getGroup().getVerify().getEveryMillis()).isZero();
    assertThat(run("group", "show", "db").out()).contains("test restores: on demand only (groupsnap verify)");
  }
}
