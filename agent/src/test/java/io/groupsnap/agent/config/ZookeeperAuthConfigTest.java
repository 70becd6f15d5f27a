package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's {@code zookeeperAuth:} field: optional, an absolute path to a 0600/0400 file with an agents line. */
class ZookeeperAuthConfigTest {
  @TempDir Path tmp;
  String base;

  @BeforeEach
  void dirs() throws Exception {
    tmp = tmp.toRealPath();
    Path data = Files.createDirectories(tmp.resolve("data"));
    base = "agentId: host-a\ninsecure: true\nsnapshotRoot: " + tmp.resolve("snapshots") + "\nvolumes:\n  - name: data\n    kind: dir\n"
        + "    path: " + data + "\n    options: {allowUnheld: \"true\"}\n";
  }

  Path credentials(String text, String mode) throws Exception {
    Path f = tmp.resolve("zk.auth");
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  String message(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("agent.yaml", yaml)).getMessage();
  }

  @Test
  void absent_meansAnonymous() throws Exception {
    assertThat(ConfigLoader.parse("agent.yaml", base).zookeeperAuth()).isNull();
  }

  @Test
  void anOwnerOnlyFileWithAnAgentsLine_isTaken() throws Exception {
    Path f = credentials("agents:pw-1\n", "r--------");
    assertThat(ConfigLoader.parse("agent.yaml", base + "zookeeperAuth: " + f).zookeeperAuth()).isEqualTo(f);
  }

  @Test
  void aFileOthersMayRead_isRefusedWithOneLine() throws Exception {
    Path f = credentials("agents:pw-1\n", "rw-r--r--");
    assertThat(message(base + "zookeeperAuth: " + f)).isEqualTo("agent.yaml: zookeeperAuth: " + f
        + ": mode 0644 is refused: a credential file must be 0600 or 0400 (chmod 600 " + f + ")");
  }

  @Test
  void aRelativePathOrAFileWithoutAgents_isRefused() throws Exception {
    assertThat(message(base + "zookeeperAuth: zk.auth"))
        .isEqualTo("agent.yaml: zookeeperAuth: 'zk.auth' must be an absolute path");
    Path f = credentials("coordinator:pw-2\n", "rw-------");
    assertThat(message(base + "zookeeperAuth: " + f)).isEqualTo("agent.yaml: zookeeperAuth: " + f
        + ": an agent needs a line 'agents:PASSWORD' (it has coordinator)").doesNotContain("pw-2");
  }
}
