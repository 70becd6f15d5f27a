package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.exec.ExecWriterKind;
import io.groupsnap.agent.writer.exec.ExecWriterOptions;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.zkauth.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path tmp;
  Path data;
  Path root;

  @BeforeEach
  void dirs() throws IOException {
    tmp = tmp.toRealPath();
    data = Files.createDirectories(tmp.resolve("data"));
    root = tmp.resolve("snapshots");
  }

  /** Declares that nothing writes to the volume, so that it needs no writer. */
  static final String UNHELD = "    options: {allowUnheld: \"true\"}\n";
  /** A writer holding every volume. */
  static final String WRITER = "writers:\n  - name: app\n    kind: exec\n    freeze: [/bin/true]\n"
      + "    thaw: [/bin/true]\n";

  /** A valid configuration of one unheld dir volume, plaintext (the TLS rules have tests of their own). */
  private String base() {
    return "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data
        + "\n" + UNHELD;
  }

  private ConfigException error(String yaml) {
    return (ConfigException) org.assertj.core.api.Assertions.catchThrowable(
        () -> ConfigLoader.parse("agent.yaml", yaml));
  }

  @Test
  void volumeRoots_confineEveryVolume_evenThroughASymbolicLink() throws Exception {
    Path srv = Files.createDirectories(tmp.resolve("srv"));
    assertThat(error(base() + "volumeRoots: [" + srv + "]")).hasMessage("agent.yaml: volumes[0].path: " + data
        + " is outside volumeRoots [" + srv.toRealPath() + "]");
    Path link = srv.resolve("data");
    Files.createSymbolicLink(link, data);
    assertThat(error(base().replace("path: " + data, "path: " + link) + "volumeRoots: [" + srv + "]"))
        .hasMessage("agent.yaml: volumes[0].path: " + link + " (really " + data.toRealPath() + ") is outside "
            + "volumeRoots [" + srv.toRealPath() + "]");
    assertThat(error(base() + "volumeRoots: [" + tmp.resolve("nowhere") + "]"))
        .hasMessage("agent.yaml: volumeRoots[0]: " + tmp.resolve("nowhere") + " does not exist");
    AgentConfig ok = ConfigLoader.parse("agent.yaml", base() + "volumeRoots: [" + tmp + "]");
    assertThat(ok.volumeRoots()).containsExactly(tmp.toRealPath());
  }

  @Test
  void loads_aMinimalConfigWithDefaults() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", base());
    assertThat(c.agentId()).isEqualTo("host-a");
    assertThat(c.cluster()).isEqualTo("default");
    assertThat(c.listen().port()).isEqualTo(7400);
    assertThat(c.stateDir()).isEqualTo(root.resolve(".groupsnap-state"));
    assertThat(c.maxFreezeLease()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.volumes()).singleElement().satisfies(v -> assertThat(v.path()).isEqualTo(data));
  }

  @Test
  void loads_execWriters_withTimeoutAndRetryableCodes() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", base() + "writers:\n  - name: app\n    kind: exec\n"
        + "    freeze: [/bin/true]\n    thaw: [/bin/true, thaw]\n    timeout: 2s\n    retryableExitCodes: [75, 99]\n");
    WriterConfig w = c.writers().get(0);
    ExecWriterOptions exec = new ExecWriterKind().parse(w);
    assertThat(exec.thaw()).containsExactly("/bin/true", "thaw");
    assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(exec.retryableExitCodes()).containsExactlyInAnyOrder(75, 99);
  }

  @Test
  void errorsName_theFileAndTheField() {
    assertThat(error(base().replace("kind: dir", "kind: tape")))
        .hasMessage("agent.yaml: volumes[0].kind: unknown volume kind 'tape' (known: btrfs, dir, exec, fsfreeze, lvm, zfs)");
    assertThat(error(base().replace("name: data", "name: ../etc")).getMessage())
        .startsWith("agent.yaml: volumes[0].name: ");
    assertThat(error(base().replace("path: " + data, "path: relative/dir")).getMessage())
        .isEqualTo("agent.yaml: volumes[0].path: 'relative/dir' must be an absolute path");
    assertThat(error(base().replace("path: " + data, "path: " + tmp.resolve("missing"))).getMessage())
        .startsWith("agent.yaml: volumes[0].path: ").endsWith("is not an existing directory");
    assertThat(error(base() + "maxFreezeLease: soon\n").getMessage())
        .startsWith("agent.yaml: maxFreezeLease: invalid duration 'soon'");
    assertThat(error(base() + "snapshotRot: /x\n").getMessage())
        .startsWith("agent.yaml: snapshotRot: unknown field");
    assertThat(error(base().replace("snapshotRoot: " + root + "\n", "")).getMessage())
        .isEqualTo("agent.yaml: snapshotRoot: is required");
    assertThat(error("volumes: [").getMessage()).startsWith("agent.yaml").contains("not valid YAML");
    assertThat(error("").getMessage()).isEqualTo("agent.yaml: the file is empty");
  }

  @Test
  void refuses_aSnapshotRootInsideAVolume() {
    String yaml = base().replace("snapshotRoot: " + root, "snapshotRoot: " + data.resolve("snaps"));
    assertThat(error(yaml)).hasMessage("agent.yaml: snapshotRoot: " + data.resolve("snaps") + " overlaps volume data, "
        + "volumes[0].path " + data + ": a capture would contain itself");
    assertThat(error(base().replace("snapshotRoot: " + root, "snapshotRoot: " + tmp))).hasMessage("agent.yaml: "
        + "snapshotRoot: " + tmp + " overlaps volume data, volumes[0].path " + data + ": a capture would contain "
        + "itself");
  }

  @Test
  void refuses_aSnapshotRootThatIsASymbolicLinkIntoAVolume_andCreatesNothing() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("link"), data);
    String yaml = base().replace("snapshotRoot: " + root, "snapshotRoot: " + link.resolve("snaps"));
    assertThat(error(yaml)).hasMessage("agent.yaml: snapshotRoot: " + link.resolve("snaps") + " (really "
        + data.toRealPath().resolve("snaps") + ") overlaps volume data, volumes[0].path " + data
        + ": a capture would contain itself");
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), data.resolve("later"));
    assertThat(error(base().replace("snapshotRoot: " + root, "snapshotRoot: " + dangling)).getMessage())
        .isEqualTo("agent.yaml: snapshotRoot: " + dangling + " (really " + data.toRealPath().resolve("later")
            + ") overlaps volume data, volumes[0].path " + data + ": a capture would contain itself");
    try (var files = Files.list(data)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void refuses_aVolumeThatIsASymbolicLinkIntoTheSnapshotRoot() throws Exception {
    Path inside = Files.createDirectories(root.resolve("vol"));
    Path link = Files.createSymbolicLink(tmp.resolve("vlink"), inside);
    assertThat(error(base().replace("path: " + data, "path: " + link))).hasMessage("agent.yaml: snapshotRoot: " + root
        + " overlaps volume data, volumes[0].path " + link + " (really " + inside + "): a capture would contain "
        + "itself");
  }

  @Test
  void refuses_volumesThatOverlapOrNameTheSamePath_evenThroughASymbolicLink() throws Exception {
    Path sub = Files.createDirectories(data.resolve("sub"));
    String second = "  - name: more\n    kind: dir\n    path: %s\n" + UNHELD;
    assertThat(error(base() + second.formatted(sub))).hasMessage("agent.yaml: volumes[1].path: " + sub
        + " overlaps volume data, volumes[0].path " + data + ": its files would be captured twice");
    assertThat(error(base() + second.formatted(data))).hasMessage("agent.yaml: volumes[1].path: " + data
        + " is the same directory as volume data, volumes[0].path " + data);
    Path link = Files.createSymbolicLink(tmp.resolve("alias"), data);
    assertThat(error(base() + second.formatted(link))).hasMessage("agent.yaml: volumes[1].path: " + link
        + " (really " + data.toRealPath() + ") is the same directory as volume data, volumes[0].path " + data);
    String inner = "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: inner\n    kind: dir\n    path: "
        + sub + "\n" + UNHELD;
    assertThat(error(inner + second.formatted(data))).hasMessage("agent.yaml: volumes[1].path: " + data
        + " overlaps volume inner, volumes[0].path " + sub + ": its files would be captured twice");
  }

  @Test
  void loads_nestedVolumes_whenEachCapturesOnlyItsOwnFileSystem() throws Exception {
    Path wal = Files.createDirectories(data.resolve("wal"));
    AgentConfig c = ConfigLoader.parse("agent.yaml", volume("zfs", "      dataset: tank/db\n")
        + "  - name: wal\n    kind: zfs\n    path: " + wal + "\n    options: {dataset: tank/db/wal}\n");
    assertThat(c.volumes()).extracting(VolumeConfig::path).containsExactly(data, wal);
    assertThat(error(volume("zfs", "      dataset: tank/db\n") + "  - name: wal\n    kind: zfs\n    path: " + data
        + "\n    options: {dataset: tank/db/wal}\n")).hasMessage("agent.yaml: volumes[1].path: " + data
        + " is the same directory as volume data, volumes[0].path " + data);
  }

  @Test
  void refuses_aStateDirInsideAVolume_evenThroughASymbolicLink() throws Exception {
    assertThat(error(base() + "stateDir: " + data.resolve("state") + "\n")).hasMessage("agent.yaml: stateDir: "
        + data.resolve("state") + " overlaps volume data, volumes[0].path " + data
        + ": the agent's own state must lie outside every volume");
    Path link = Files.createSymbolicLink(tmp.resolve("state"), data);
    assertThat(error(base() + "stateDir: " + link + "\n")).hasMessage("agent.yaml: stateDir: " + link + " (really "
        + data.toRealPath() + ") overlaps volume data, volumes[0].path " + data
        + ": the agent's own state must lie outside every volume");
  }

  @Test
  void refuses_aMaxFreezeLeaseBelowTheShortestLeaseAPrepareAdmits() throws Exception {
    assertThat(error(base() + "maxFreezeLease: 99ms\n")).hasMessage("agent.yaml: maxFreezeLease: 99ms is shorter "
        + "than the shortest lease an agent admits (100ms): no group snapshot could ever be prepared");
    assertThat(ConfigLoader.parse("agent.yaml", base() + "maxFreezeLease: 100ms\n").maxFreezeLease())
        .isEqualTo(io.groupsnap.agent.txn.Participant.MIN_LEASE);
  }

  @Test
  void metricsListen_isOffByDefault_parsedWhenGiven_andABadOneNamesTheField() throws Exception {
    assertThat(ConfigLoader.parse("agent.yaml", base()).metricsListen()).isNull();
    assertThat(ConfigLoader.parse("agent.yaml", base() + "metrics:\n  listen: 127.0.0.1:9465\n").metricsListen())
        .isEqualTo(new io.groupsnap.common.HostPort("127.0.0.1", 9465));
    assertThat(ConfigLoader.parse("agent.yaml", base() + "metrics: {listen: none}\n").metricsListen()).isNull();
    assertThat(error(base() + "metrics: {listen: localhost}\n"))
        .hasMessage("agent.yaml: metrics.listen: endpoint 'localhost' is not host:port");
    assertThat(error(base() + "metrics: {listen: 127.0.0.1:9465, port: 1}\n").getMessage())
        .startsWith("agent.yaml: metrics").contains("port").doesNotContain("\n");
    assertThat(error(base() + "metrics: 127.0.0.1:9465\n").getMessage()).startsWith("agent.yaml: metrics: ");
  }

  @Test
  void aSessionTimeoutOutsideTwoSecondsToTwoMinutes_isRefused_namingTheField() throws Exception {
    assertThat(ConfigLoader.parse("agent.yaml", base()).zookeeperSessionTimeout())
        .isEqualTo(ZkClients.SESSION_TIMEOUT);
    assertThat(ConfigLoader.parse("agent.yaml", base() + "zookeeperSessionTimeout: 30s\n")
        .zookeeperSessionTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(error(base() + "zookeeperSessionTimeout: 1s\n")).hasMessage("agent.yaml: zookeeperSessionTimeout: "
        + "ZooKeeper session timeout 1.0s is outside [2.0s, 2m00s]");
    assertThat(error(base() + "zookeeperSessionTimeout: 1h\n")).hasMessageStartingWith("agent.yaml: "
        + "zookeeperSessionTimeout: ZooKeeper session timeout 60m00s is outside");
    assertThat(error(base() + "zookeeperSessionTimeout: soon\n")).hasMessageStartingWith("agent.yaml: "
        + "zookeeperSessionTimeout: invalid duration 'soon'");
    AgentConfig built = AgentConfig.builder("host-a", root).volumes(ConfigLoader.parse("agent.yaml", base())
        .volumes()).zookeeperSessionTimeout(Duration.ofMillis(500)).insecure(true).build();
    assertThatThrownBy(() -> ConfigLoader.validate("in code", built)).hasMessage("in code: zookeeperSessionTimeout: "
        + "ZooKeeper session timeout 500ms is outside [2.0s, 2m00s]");
  }

  @Test
  void refuses_aVolumeNoWriterHolds_unlessDeclaredAllowUnheld() throws Exception {
    String unheld = base().replace(UNHELD, "");
    String reason = "agent.yaml: volumes[0]: volume data: no writer holds it, and a capture of kind %s is only "
        + "consistent while its writers hold (add a writer for it, or set its option allowUnheld: \"true\" if "
        + "nothing writes to it during snapshots)";
    assertThat(error(unheld)).hasMessage(reason.formatted("dir"));
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    assertThat(error(unheld + "  - name: logs\n    kind: dir\n    path: " + logs + "\n" + WRITER
        + "    volumes: [logs]\n")).hasMessage(reason.formatted("dir"));
    assertThat(ConfigLoader.parse("agent.yaml", unheld + WRITER).writers()).hasSize(1);
    AgentConfig allowed = ConfigLoader.parse("agent.yaml", base());
    assertThat(allowed.volumes().get(0).options()).containsEntry("allowUnheld", "true");
    String exec = "      create: [/bin/true]\n      delete: [/bin/true]\n      list: [/bin/true]\n";
    assertThat(error(volume("exec", exec))).hasMessage(reason.formatted("exec"));
    assertThat(ConfigLoader.parse("agent.yaml", volume("exec", exec + "      atomic: \"true\"\n")).volumes())
        .hasSize(1);
  }

  @Test
  void validate_countsWritersLivingInTheProcess_asHolders() throws Exception {
    AgentConfig unheld = ConfigLoader.parse("agent.yaml", base().replace(UNHELD, "") + WRITER);
    AgentConfig bare = unheld.withVolumes(unheld.volumes(), List.of());
    assertThatThrownBy(() -> ConfigLoader.validate("agent host-a", bare)).hasMessageStartingWith(
        "agent host-a: volumes[0]: volume data: no writer holds it");
    ConfigLoader.validate("agent host-a", bare, List.of(java.util.Set.of()));
    ConfigLoader.validate("agent host-a", bare, List.of(java.util.Set.of("data")));
    assertThatThrownBy(() -> ConfigLoader.validate("agent host-a", bare, List.of(java.util.Set.of("other"))))
        .hasMessageStartingWith("agent host-a: volumes[0]: volume data: no writer holds it");
  }

  @Test
  void invalidYaml_isOneLine_namingTheFileLineAndColumn() {
    assertThat(error("agentId: a\nvolumes: [\n")).hasMessage("agent.yaml: line 3, column 1: not valid YAML: "
        + "expected the node content, but found '<stream end>'");
    assertThat(error("agentId: a\n\tsnapshotRoot: /x\n")).hasMessage("agent.yaml: line 2, column 1: not valid YAML: "
        + "found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)");
    assertThat(error("agentId: a\nsnapshotRoot: /x\nsnapshotRoot: /y\n")).hasMessage("agent.yaml: line 3, column 13: "
        + "not valid YAML: Duplicate field 'snapshotRoot'");
  }

  @Test
  void unknownFieldsAndTypeMismatches_areOneLine_namingTheFieldPath() {
    assertThat(error(base() + "\"snap\\nshot\": 1\n").getMessage()).startsWith("agent.yaml: snap\\nshot: unknown field")
        .doesNotContain("\n");
    assertThat(error(base().replace(UNHELD, "    options: [a, b]\n")))
        .hasMessage("agent.yaml: volumes[0].options: must be a mapping");
    assertThat(error(base().replace(UNHELD, "    options: {\"allow\\nUnheld\": {a: b}}\n")))
        .hasMessage("agent.yaml: volumes[0].options.allow\\nUnheld: must be a string");
    assertThat(error(base() + WRITER + "    tier: high\n")).hasMessage("agent.yaml: writers[0].tier: must be a "
        + "non-negative integer");
    assertThat(error(base() + "labels: [a]\n")).hasMessage("agent.yaml: labels: must be a mapping");
  }

  @Test
  void refuses_writerCommandsGivenAsShellStringsOrMissing() {
    assertThat(error(base() + "writers:\n  - name: app\n    kind: exec\n    freeze: \"/bin/app freeze; rm -rf /\"\n"
        + "    thaw: [/bin/true]\n").getMessage())
        .startsWith("agent.yaml: writers[0].freeze: must be a list of arguments");
    assertThat(error(base() + "writers:\n  - name: app\n    kind: exec\n    freeze: [/no/such/tool]\n"
        + "    thaw: [/bin/true]\n").getMessage())
        .isEqualTo("agent.yaml: writers[0].freeze: command /no/such/tool does not exist or is not executable");
    assertThat(error(base() + "writers:\n  - name: app\n    kind: exec\n    freeze: [true]\n"
        + "    thaw: [/bin/true]\n").getMessage())
        .isEqualTo("agent.yaml: writers[0].freeze: command 'true' must be an absolute path");
    assertThat(error(base() + "writers:\n  - name: app\n    kind: exec\n    volumes: [logs]\n    freeze: [/bin/true]\n"
        + "    thaw: [/bin/true]\n").getMessage())
        .isEqualTo("agent.yaml: writers[0].volumes: unknown volume 'logs'");
  }

  private String volume(String kind, String options) {
    return "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: data\n    kind: " + kind + "\n    path: "
        + data + "\n    options:\n" + options;
  }

  @Test
  void loads_lvmAndZfsVolumes() throws Exception {
    AgentConfig lvm = ConfigLoader.parse("agent.yaml", volume("lvm", "      vg: vg0\n      lv: data\n"
        + "      snapshotSize: 10%origin\n      timeout: 2m\n"));
    assertThat(lvm.volumes().get(0).options()).containsEntry("vg", "vg0").containsEntry("lv", "data");
    AgentConfig zfs = ConfigLoader.parse("agent.yaml", volume("zfs", "      dataset: tank/db/wal\n"
        + "      allowDegraded: false\n"));
    assertThat(zfs.volumes().get(0).kind()).isEqualTo("zfs");
  }

  @Test
  void refuses_badLvmOptions_namingTheOption() {
    String ok = "      vg: vg0\n      lv: data\n      snapshotSize: 2G\n";
    assertThat(error(volume("lvm", ok + "      size: 2G\n")))
        .hasMessage("agent.yaml: volumes[0].options.size: unknown option for kind lvm (known: lv, snapshotSize, "
            + "timeout, vg)");
    assertThat(error(volume("lvm", "      lv: data\n      snapshotSize: 2G\n")))
        .hasMessage("agent.yaml: volumes[0].options.vg: is required for kind lvm");
    assertThat(error(volume("lvm", ok.replace("vg0", "\"vg0/x\""))))
        .hasMessage("agent.yaml: volumes[0].options.vg: volume group name 'vg0/x' contains '/' (LVM names take "
            + "letters, digits, '.', '_', '-', '+')");
    assertThat(error(volume("lvm", ok.replace("vg0", "\"-vg\""))).getMessage())
        .isEqualTo("agent.yaml: volumes[0].options.vg: volume group name '-vg' starts with '-'");
    assertThat(error(volume("lvm", ok.replace("lv: data", "lv: snapshot0"))))
        .hasMessage("agent.yaml: volumes[0].options.lv: logical volume name LVM reserves names starting with "
            + "'snapshot'");
    assertThat(error(volume("lvm", ok.replace("lv: data", "lv: data_tmeta"))).getMessage())
        .contains("options.lv: ").contains("'_tmeta'");
    assertThat(error(volume("lvm", ok.replace("lv: data", "lv: " + "d".repeat(100)))).getMessage())
        .startsWith("agent.yaml: volumes[0].options.lv: vg and lv names are too long");
    for (String size : List.of("10%", "2", "2X", "0G", "0%ORIGIN", "101%VG", "-1G", "2 G", "10%PVS", "")) {
      assertThat(error(volume("lvm", ok.replace("snapshotSize: 2G", "snapshotSize: \"" + size + "\"")))
          .getMessage()).as(size).startsWith("agent.yaml: volumes[0].options.snapshotSize: ");
    }
    assertThat(error(volume("lvm", ok.replace("2G", "2X"))).getMessage()).endsWith("'2X' is not a snapshot size "
        + "(use a size with a unit K, M, G, T or P such as 2G or 512M, or a percentage such as 10%ORIGIN, 5%VG or "
        + "50%FREE)");
    assertThat(error(volume("lvm", ok + "      timeout: soon\n")).getMessage())
        .startsWith("agent.yaml: volumes[0].options.timeout: invalid duration 'soon'");
  }

  @Test
  void refuses_badZfsOptions_namingTheOption() {
    assertThat(error(volume("zfs", "      pool: tank\n")).getMessage())
        .startsWith("agent.yaml: volumes[0].options.pool: unknown option for kind zfs (known: allowDegraded, "
            + "dataset, restoreParent, timeout)");
    assertThat(error(volume("zfs", "      allowDegraded: \"true\"\n")))
        .hasMessage("agent.yaml: volumes[0].options.dataset: is required for kind zfs");
    for (String bad : List.of("tank//a", "/tank/a", "tank/a/", "tank@snap", "tank/a b", "1tank/a", "mirror0/a",
        "log", "tank/../etc", "tank/a;rm")) {
      assertThat(error(volume("zfs", "      dataset: \"" + bad + "\"\n")).getMessage()).as(bad)
          .startsWith("agent.yaml: volumes[0].options.dataset: dataset '");
    }
    assertThat(error(volume("zfs", "      dataset: tank/a\n      allowDegraded: maybe\n")))
        .hasMessage("agent.yaml: volumes[0].options.allowDegraded: must be true or false");
  }

  @Test
  void execVolumes_takeArgumentLists_withKnownPlaceholdersOnly() throws Exception {
    String cmds = "      create: [/bin/true, \"{path}\", \"{target}\"]\n      delete: [/bin/true, \"{snapshot}\"]\n"
        + "      list: [/bin/true, \"{volume}\"]\n";
    AgentConfig c = ConfigLoader.parse("agent.yaml", volume("exec", cmds) + WRITER);
    assertThat(c.volumes().get(0).options()).containsEntry("create", "[\"/bin/true\",\"{path}\",\"{target}\"]");
    assertThat(error(volume("exec", cmds.replace("[/bin/true, \"{snapshot}\"]", "\"/bin/rm -rf {target}\""))))
        .hasMessage("agent.yaml: volumes[0].options.delete: must be a list of arguments, e.g. [/usr/local/bin/snap, "
            + "create, \"{volume}\"] (no shell is used)");
    assertThat(error(volume("exec", cmds.replace("{target}", "{snap}"))))
        .hasMessage("agent.yaml: volumes[0].options.create: argument 2 ('{snap}'): unknown placeholder {snap} "
            + "(available: {path}, {snapshot}, {target}, {volume}; write {{ and }} for literal braces)");
    assertThat(error(volume("exec", cmds.replace("\"{volume}\"]", "\"{snapshot}\"]"))))
        .hasMessage("agent.yaml: volumes[0].options.list: argument 1 ('{snapshot}'): placeholder {snapshot} is not "
            + "available here (available: {path}, {volume})");
    assertThat(error(volume("exec", cmds.replace("\"{path}\"", "\"{path\""))).getMessage())
        .isEqualTo("agent.yaml: volumes[0].options.create: argument 1 ('{path'): unbalanced '{' (write {{ for a "
            + "literal brace)");
    assertThat(error(volume("exec", cmds.replace("\"{path}\"", "{path}"))))
        .hasMessage("agent.yaml: volumes[0].options.create[1]: is a YAML mapping, not a string: quote placeholders, "
            + "e.g. \"{volume}\"");
    assertThat(error(volume("exec", cmds.replace("[/bin/true, \"{path}\"", "[true, \"{path}\""))))
        .hasMessage("agent.yaml: volumes[0].options.create: command 'true' must be an absolute path");
    assertThat(error(volume("exec", cmds.replace("[/bin/true, \"{volume}\"]", "[\"/bin/{volume}\"]"))))
        .hasMessage("agent.yaml: volumes[0].options.list: the command itself ('/bin/{volume}') cannot hold "
            + "placeholders");
    assertThat(error(volume("exec", cmds.replace("/bin/true, \"{snapshot}\"", "/no/such/tool"))))
        .hasMessage("agent.yaml: volumes[0].options.delete: command /no/such/tool does not exist or is not "
            + "executable");
    assertThat(error(volume("exec", cmds.replace("      list: [/bin/true, \"{volume}\"]\n", ""))))
        .hasMessage("agent.yaml: volumes[0].options.list: is required for kind exec");
    assertThat(error(volume("exec", cmds + "      atomic: yes please\n")))
        .hasMessage("agent.yaml: volumes[0].options.atomic: must be true or false");
    assertThat(error(volume("exec", cmds + "      retries: \"3\"\n")).getMessage())
        .startsWith("agent.yaml: volumes[0].options.retries: unknown option for kind exec (known: allowUnheld, "
            + "atomic, check, create, delete, list, restore, timeout)");
    assertThat(error(volume("dir", "      allowUnheld: [\"true\"]\n")))
        .hasMessage("agent.yaml: volumes[0].options.allowUnheld: must be true or false");
  }

  @Test
  void deploySample_loads_whenItsDirectoriesAndHookExist() throws Exception {
    String sample = Files.readString(Path.of("../deploy/config/agent.yaml"));
    Path tls = Files.createDirectories(tmp.resolve("tls"));
    for (String f : List.of("ca.pem", "agent.pem", "agent.key")) {
      Files.writeString(tls.resolve(f), "PEM"); // read at start, not by the loader
    }
    Path auth = Files.writeString(tmp.resolve("zookeeper-agents.auth"), "agents:secret\n");
    Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    AgentConfig c = ConfigLoader.parse("agent.yaml", sample.replace("/srv/pgdata", data.toString())
        .replace("/etc/groupsnap/tls", tls.toString())
        .replace("/etc/groupsnap/zookeeper-agents.auth", auth.toString())
        .replace("/var/lib/groupsnap/snapshots", root.toString())
        .replace("/usr/local/lib/groupsnap/app-hook", "/bin/true"));
    assertThat(c.volumes()).extracting(VolumeConfig::name).containsExactly("pgdata");
    assertThat(c.writers()).extracting(WriterConfig::volumes).containsExactly(java.util.Set.of("pgdata"));
  }

  @Test
  void load_namesAnUnreadableFile() {
    Path missing = tmp.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(missing + ": cannot read");
  }

  @Test
  void checksumCaptures_isOffByDefault_andMustBeABoolean() throws Exception {
    assertThat(ConfigLoader.parse("agent.yaml", base()).checksumCaptures()).isFalse();
    assertThat(ConfigLoader.parse("agent.yaml", base() + "checksumCaptures: true").checksumCaptures()).isTrue();
    assertThat(error(base() + "checksumCaptures: sometimes"))
        .hasMessage("agent.yaml: checksumCaptures: must be true or false");
  }
}
