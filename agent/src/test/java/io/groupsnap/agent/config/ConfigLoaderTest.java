package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    data = Files.createDirectories(tmp.resolve("data"));
    root = tmp.resolve("snapshots");
  }

  private String base() {
    return "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data
        + "\n";
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
    assertThat(w.thaw()).containsExactly("/bin/true", "thaw");
    assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(w.retryableExitCodes()).containsExactlyInAnyOrder(75, 99);
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
    assertThat(error(yaml).getMessage()).startsWith("agent.yaml: volumes[0].path: ").contains("overlaps snapshotRoot");
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
    return "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: data\n    kind: " + kind + "\n    path: "
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
            + "dataset, timeout)");
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
    AgentConfig c = ConfigLoader.parse("agent.yaml", volume("exec", cmds));
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
            + "atomic, check, create, delete, list, timeout)");
    assertThat(error(volume("dir", "      allowUnheld: [\"true\"]\n")))
        .hasMessage("agent.yaml: volumes[0].options.allowUnheld: must be true or false");
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
