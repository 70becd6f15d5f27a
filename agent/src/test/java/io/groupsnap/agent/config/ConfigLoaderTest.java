package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        .hasMessage("agent.yaml: volumes[0].kind: unknown volume kind 'tape' (known: dir, exec, lvm, zfs)");
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

  @Test
  void load_namesAnUnreadableFile() {
    Path missing = tmp.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(missing + ": cannot read");
  }
}
