package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.groupsnap.agent.kinds.VolumeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A volume's {@code verify:} command and {@code verifyTimeout:} in agent.yaml, for test restores. */
class VerifyConfigTest {
  @TempDir Path tmp;
  Path data;

  @BeforeEach
  void setUp() throws Exception {
    data = Files.createDirectories(tmp.resolve("data"));
  }

  private String yaml(String volumeExtra) {
    return "insecure: true\nagentId: host-a\nsnapshotRoot: " + tmp.resolve("snapshots") + "\nvolumes:\n"
        + "  - name: data\n    kind: dir\n    path: " + data + "\n" + volumeExtra + ConfigLoaderTest.UNHELD;
  }

  @Test
  void withoutTheField_aVolumeHasNoVerifyCommand() throws Exception {
    VolumeConfig v = ConfigLoader.parse("agent.yaml", yaml("")).volumes().get(0);
    assertThat(v.verify()).isEmpty();
    assertThat(v.verifyTimeout()).isEqualTo(VolumeConfig.VERIFY_TIMEOUT);
  }

  @Test
  void theCommand_isKeptAsAnArgumentVector_withItsPlaceholders() throws Exception {
    VolumeConfig v = ConfigLoader.parse("agent.yaml", yaml("    verify: [/usr/local/bin/check, \"{path}\", --quick]\n"
        + "    verifyTimeout: 2m\n")).volumes().get(0);
    assertThat(v.verify()).containsExactly("/usr/local/bin/check", "{path}", "--quick");
    assertThat(v.verifyTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void anEmptyOrRelativeOrUnquotedCommand_isRefusedInOneLineNamingTheField() {
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("    verify: []\n"))))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("agent.yaml: volumes[0].verify: is empty");
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("    verify: [check, x]\n"))))
        .hasMessage("agent.yaml: volumes[0].verify[0]: 'check' must be an absolute path");
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("    verify: [/bin/check, {path}]\n"))))
        .hasMessageStartingWith("agent.yaml: volumes[0].verify[1]: is a YAML mapping");
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("    verify: /bin/check\n"))))
        .hasMessage("agent.yaml: volumes[0].verify: must be a list");
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("    verify: [/bin/true]\n"
        + "    verifyTimeout: 0s\n"))))
        .hasMessageStartingWith("agent.yaml: volumes[0].verifyTimeout:").hasMessageEndingWith("must be positive");
  }
}
