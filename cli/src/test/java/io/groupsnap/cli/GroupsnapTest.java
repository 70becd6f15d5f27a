package io.groupsnap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.support.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and validation that happen before anything is contacted: exit 2, one line, nothing started. */
class GroupsnapTest {
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void help_andVersion_exitZero() {
    assertThat(run("--help").out()).contains("snapshot").contains("dev").contains("demo").contains("Exit codes");
    assertThat(run("--version").out()).startsWith("groupsnap ");
    assertThat(run("snapshot", "create", "--help").out()).contains("--member").contains("--freeze-timeout");
  }

  @Test
  void unknownOptionsAndCommands_exitTwo_onOneLine() {
    Result r = run("snapshot", "create", "--frobnicate");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("create: Unknown option: '--frobnicate' (see 'groupsnap snapshot create --help')\n");
    assertThat(run("snapshots").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("snapshot", "show").err()).contains("Missing required parameter: 'ID'");
  }

  @Test
  void badMembersAndDurations_areRefusedBeforeAnyConnection() {
    Result member = run("snapshot", "create", "--member", "a:b:c", "--coordinator", "127.0.0.1:1");
    assertThat(member.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(member.err()).isEqualTo("groupsnap: --member 'a:b:c': expected AGENT or AGENT:VOLUME\n");
    Result shell = run("snapshot", "create", "--member", "$(reboot)", "--coordinator", "127.0.0.1:1");
    assertThat(shell.err()).startsWith("groupsnap: --member '$(reboot)': agent '$(reboot)' is not a valid name");
    Result duration = run("snapshot", "create", "--freeze-timeout", "-5s", "--coordinator", "127.0.0.1:1");
    assertThat(duration.err()).isEqualTo("groupsnap: --freeze-timeout: duration '-5s' must be positive\n");
    Result endpoint = run("snapshot", "list", "--coordinator", "nowhere");
    assertThat(endpoint.err()).isEqualTo("groupsnap: --coordinator: endpoint 'nowhere' is not host:port\n");
    assertThat(run("dev", "--agents", "0").err()).contains("--agents must be between 1 and 64");
  }

  @Test
  void anOverflowingDuration_exitsTwo_namingTheOption() {
    Result r = run("snapshot", "create", "--lease", "PT2562047788015215H", "--coordinator", "127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: --lease: duration 'PT2562047788015215H' is too long (at most 87600h, "
        + "ten years)\n");
    assertThat(run("snapshot", "create", "--freeze-timeout", "999999999h", "--coordinator", "127.0.0.1:1").err())
        .startsWith("groupsnap: --freeze-timeout: duration '999999999h' is too long");
  }

  @Test
  void aMemberWithANewlineOrAHundredThousandCharacters_isEchoedEscapedAndCut_onOneLine() {
    Result newline = run("snapshot", "create", "--member", "agent-1\nrm -rf /", "--coordinator", "127.0.0.1:1");
    assertThat(newline.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(newline.err()).isEqualTo("groupsnap: --member 'agent-1\\nrm -rf /': agent 'agent-1\\nrm -rf /' is "
        + "not a valid name (letters, digits, '.', '_', '-'; starts with a letter or digit; at most 63)\n");
    String huge = "a".repeat(100_000);
    for (String member : new String[] {huge, huge + ":data", "a:b:" + huge}) {
      Result r = run("snapshot", "create", "--member", member, "--coordinator", "127.0.0.1:1");
      assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).endsWith("\n").hasSizeLessThan(400).containsPattern("a{60}…\\(1000\\d\\d chars\\)")
          .doesNotContain("a".repeat(65));
      assertThat(r.err().strip()).doesNotContain("\n");
    }
  }

  @Test
  void everyErrorLine_isEscapedAndBounded_evenThoseWrittenByTheParser() {
    Result option = run("snapshot", "create", "--frob\nnicate" + "x".repeat(100_000));
    assertThat(option.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(option.err()).startsWith("create: Unknown option: '--frob\\nnicate").endsWith("\n")
        .hasSizeLessThan(1100);
    assertThat(option.err().strip()).doesNotContain("\n");
    Result id = run("snapshot", "show", "gs-\u001b[31mred" + "y".repeat(100_000), "--coordinator", "127.0.0.1:1");
    assertThat(id.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(id.err()).startsWith("groupsnap: ID 'gs-\\u001b[31mred").contains("…(100011 chars)")
        .doesNotContain("\u001b").hasSizeLessThan(400);
  }

  @Test
  void globalOptions_mayComeBeforeTheSubcommand() {
    assertThat(Groupsnap.hoistGlobalOptions(new String[] {"--coordinator", "h:1", "-o=json", "snapshot", "list"}))
        .containsExactly("snapshot", "list", "--coordinator", "h:1", "-o=json");
    assertThat(Groupsnap.hoistGlobalOptions(new String[] {"snapshot", "list", "--coordinator", "h:1"}))
        .containsExactly("snapshot", "list", "--coordinator", "h:1");
    assertThat(run("--coordinator", "nowhere", "snapshot", "list").err())
        .isEqualTo("groupsnap: --coordinator: endpoint 'nowhere' is not host:port\n");
  }

  @Test
  void agentCheck_refusesConfigurationsThatWouldNeverWork_exitTwo_onOneLine_creatingNothing(@TempDir Path tmp)
      throws Exception {
    Path data = Files.createDirectories(tmp.toRealPath().resolve("data"));
    Path link = Files.createSymbolicLink(data.resolveSibling("snapshots"), data);
    Path cfg = Files.writeString(tmp.resolve("agent.yaml"), "snapshotRoot: " + link.resolve("root")
        + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n");
    Result loop = run("agent", "--config", cfg.toString(), "--check");
    assertThat(loop.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(loop.err()).isEqualTo("groupsnap: " + cfg + ": snapshotRoot: " + link.resolve("root") + " (really "
        + data.resolve("root") + ") overlaps volume data, volumes[0].path " + data + ": a capture would contain "
        + "itself\n");
    Files.writeString(cfg, Files.readString(cfg).replace("    options: {allowUnheld: \"true\"}\n", "")
        .replace(link.resolve("root").toString(), tmp.resolve("elsewhere").toString()));
    Result unheld = run("agent", "--config", cfg.toString(), "--check");
    assertThat(unheld.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unheld.err()).startsWith("groupsnap: " + cfg + ": volumes[0]: volume data: no writer holds it, and a "
        + "capture of kind dir is only consistent while its writers hold").doesNotContain("\n\n").hasLineCount(1);
    try (var inData = Files.list(data)) {
      assertThat(inData).isEmpty();
    }
    assertThat(tmp.resolve("elsewhere")).doesNotExist();
  }

  @Test
  void snapshotCheck_andTheScrubInterval_refuseBadInputBeforeAnyConnection() {
    Result id = run("snapshot", "check", "../etc", "--coordinator", "127.0.0.1:1");
    assertThat(id.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(id.err()).startsWith("groupsnap: ID '../etc' is not a valid name");
    Result scrub = run("coordinator", "--zookeeper", "127.0.0.1:1", "--scrub-interval", "10ms");
    assertThat(scrub.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(scrub.err()).isEqualTo("groupsnap: --scrub-interval: scrub interval 10ms is shorter than 100ms\n");
  }

  @Test
  void aBadMetricsAddress_exitsTwo_namingTheOption_beforeAnyConnection() {
    Result bad = run("coordinator", "--zookeeper", "127.0.0.1:1", "--metrics-listen", "9464");
    assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).isEqualTo("groupsnap: --metrics-listen: endpoint '9464' is not host:port (or none)\n");
  }

  @Test
  void aSessionTimeoutOutsideItsBounds_exitsTwo_namingTheOption_beforeAnyConnection() {
    Result tooShort = run("coordinator", "--zookeeper", "127.0.0.1:1", "--zookeeper-session-timeout", "500ms");
    assertThat(tooShort.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(tooShort.err()).isEqualTo("groupsnap: --zookeeper-session-timeout: ZooKeeper session timeout 500ms "
        + "is outside [2.0s, 2m00s]\n");
    Result tooLong = run("coordinator", "--zookeeper", "127.0.0.1:1", "--zookeeper-session-timeout", "1h");
    assertThat(tooLong.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(tooLong.err()).startsWith("groupsnap: --zookeeper-session-timeout: ZooKeeper session timeout 60m00s");
  }

  @Test
  void anAgentSessionTimeoutOutsideItsBounds_exitsTwo_namingTheOptionOrTheField(@TempDir Path tmp) throws Exception {
    Path data = Files.createDirectories(tmp.toRealPath().resolve("data"));
    String yaml = "snapshotRoot: " + tmp.toRealPath().resolve("snapshots") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\ninsecure: true\n";
    Path cfg = Files.writeString(tmp.resolve("agent.yaml"), yaml);
    Result flag = run("agent", "--config", cfg.toString(), "--zookeeper-session-timeout", "500ms", "--check");
    assertThat(flag.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(flag.err()).isEqualTo("groupsnap: --zookeeper-session-timeout: ZooKeeper session timeout 500ms "
        + "is outside [2.0s, 2m00s]\n");
    assertThat(run("agent", "--config", cfg.toString(), "--zookeeper-session-timeout", "30s", "--check").exit())
        .isZero();

    Files.writeString(cfg, yaml + "zookeeperSessionTimeout: 3m\n");
    Result field = run("agent", "--config", cfg.toString(), "--check");
    assertThat(field.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(field.err()).isEqualTo("groupsnap: " + cfg + ": zookeeperSessionTimeout: ZooKeeper session timeout "
        + "3m00s is outside [2.0s, 2m00s]\n");
  }
}
