package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.export.ExportsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent configuration's {@code exports:} and {@code exportConcurrency:}. */
class ExportsConfigTest {
  @TempDir Path tmp;
  Path data;
  Path password;
  Path script;

  @BeforeEach
  void setUp() throws Exception {
    tmp = tmp.toRealPath();
    data = Files.createDirectories(tmp.resolve("data"));
    password = tmp.resolve("restic.pass");
    Files.writeString(password, "pw\n");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    script = tmp.resolve("export.sh");
    Files.writeString(script, "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
  }

  String base() {
    return "insecure: true\nagentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n"
        + "  - name: data\n    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n";
  }

  String restic(String extra) {
    return "  - name: offsite\n    kind: restic\n    repository: " + tmp.resolve("repo") + "\n    passwordFile: "
        + password + "\n" + extra;
  }

  String exec(String name, String command) {
    return "  - name: " + name + "\n    kind: exec\n    command: " + command + "\n";
  }

  String error(String yaml) {
    Throwable t = catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    return t.getMessage();
  }

  @Test
  void bothKinds_areRead_withTheirDefaults() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", base() + "exportConcurrency: 2\nexports:\n"
        + restic("    limitUploadKiB: 2048\n    createIfMissing: true\n")
        + exec("rsync", "[" + script + ", \"{path}/\", \"backup:/srv/{group}/{run}/{member}\"]")
        + "    forget: [" + script + ", forget, \"{id}\"]\n    timeout: 2h\n");
    assertThat(c.exports().concurrency()).isEqualTo(2);
    assertThat(c.exports().targets()).hasSize(2);
    assertThat(c.exports().target("offsite")).isEqualTo(new ExportTargetConfig.Restic("offsite",
        tmp.resolve("repo").toString(), password, 2048, true, 10, ExportTargetConfig.DEFAULT_TIMEOUT));
    ExportTargetConfig.Exec e = (ExportTargetConfig.Exec) c.exports().target("rsync");
    assertThat(e.command().argv()).containsExactly(script.toString(), "{path}/", "backup:/srv/{group}/{run}/{member}");
    assertThat(e.forget().argv()).containsExactly(script.toString(), "forget", "{id}");
    assertThat(e.timeout()).isEqualTo(Duration.ofHours(2));

    assertThat(ConfigLoader.parse("agent.yaml", base()).exports()).isEqualTo(ExportsConfig.NONE);
  }

  @Test
  void aPasswordFileReadableByOthers_isRefusedNamingTheField() throws Exception {
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(error(base() + "exports:\n" + restic(""))).isEqualTo("agent.yaml: exports[0].passwordFile: "
        + password + ": mode 0644 is refused: a credential file must be 0600 or 0400 (chmod 600 " + password + ")");
    Files.delete(password);
    assertThat(error(base() + "exports:\n" + restic(""))).isEqualTo("agent.yaml: exports[0].passwordFile: "
        + password + ": no such credential file");
  }

  @Test
  void aMissingCommand_isRefusedAtLoad() {
    assertThat(error(base() + "exports:\n" + exec("nas", "[" + tmp.resolve("nope") + ", \"{path}\"]")))
        .isEqualTo("agent.yaml: exports[0].command: command " + tmp.resolve("nope") + " does not exist or is not "
            + "executable");
    assertThat(error(base() + "exports:\n" + exec("nas", "[" + script + "]") + "    forget: [/no/such/tool]\n"))
        .isEqualTo("agent.yaml: exports[0].forget: command /no/such/tool does not exist or is not executable");
  }

  @Test
  void badInput_isOneLineNamingTheField() {
    assertThat(error(base() + "exports:\n" + exec("nas", "[" + script + "]") + exec("nas", "[" + script + "]")))
        .isEqualTo("agent.yaml: exports[1].name: duplicate export target name 'nas'");
    assertThat(error(base() + "exports:\n  - name: x\n    kind: tape\n"))
        .isEqualTo("agent.yaml: exports[0].kind: unknown export kind 'tape' (known: exec, restic)");
    assertThat(error(base() + "exports:\n" + exec("nas", "[" + script + "]") + "    repository: /r\n"))
        .startsWith("agent.yaml: exports[0].repository: unknown field (known: command, forget, kind, name, timeout)");
    assertThat(error(base() + "exports:\n" + exec("nas", "[" + script + ", \"{target}\"]")))
        .startsWith("agent.yaml: exports[0].command: argument 1 ('{target}'): placeholder {target} is not "
            + "available here");
    assertThat(error(base() + "exports:\n" + exec("nas", "[export.sh]")))
        .isEqualTo("agent.yaml: exports[0].command: command 'export.sh' must be an absolute path");
    assertThat(error(base() + "exports:\n" + restic("    nice: 40\n")))
        .isEqualTo("agent.yaml: exports[0].nice: must be an integer within 0..19");
    assertThat(error(base() + "exportConcurrency: 0\n"))
        .isEqualTo("agent.yaml: exportConcurrency: must be an integer within 1..64");
    assertThat(error(base() + "exports:\n  - name: ../x\n    kind: exec\n    command: [" + script + "]\n"))
        .startsWith("agent.yaml: exports[0].name: value '../x' is not a valid name");
  }
}
