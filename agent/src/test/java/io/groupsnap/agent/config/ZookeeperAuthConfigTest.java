package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.common.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code zookeeperAuth:} field: an absolute path to a 0600/0400 file with an agents line, required unless
 * {@code insecure: true} (which may still give it: it is used).
 */
class ZookeeperAuthConfigTest {
  @TempDir Path tmp;
  String volumes;
  String base;

  @BeforeEach
  void dirs() throws Exception {
    tmp = tmp.toRealPath();
    Path data = Files.createDirectories(tmp.resolve("data"));
    volumes = "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snapshots") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n";
    String tls = "tls:\n";
    for (String f : new String[] {"ca", "cert", "key"}) {
      tls += "  " + f + ": " + Files.writeString(tmp.resolve(f + ".pem"), "PEM") + "\n";
    }
    base = volumes + tls;
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
  void absent_isRefused_sayingWhatToPutThere() {
    assertThat(message(base)).isEqualTo("agent.yaml: zookeeperAuth: required unless insecure: true (zookeeperAuth: "
        + "FILE, mode 0600, holding the line agents:PASSWORD of the coordinators' --zookeeper-auth file)");
    assertThat(message(base + "insecure: false\n")).startsWith(
        "agent.yaml: zookeeperAuth: required unless insecure: true");
  }

  @Test
  void absent_withInsecure_meansAnonymous() throws Exception {
    assertThat(ConfigLoader.parse("agent.yaml", volumes + "insecure: true\n").zookeeperAuth()).isNull();
  }

  @Test
  void anOwnerOnlyFileWithAnAgentsLine_isTaken() throws Exception {
    Path f = credentials("agents:pw-1\n", "r--------");
    assertThat(ConfigLoader.parse("agent.yaml", base + "zookeeperAuth: " + f).zookeeperAuth()).isEqualTo(f);
  }

  @Test
  void withInsecure_givenCredentials_areStillTaken() throws Exception {
    Path f = credentials("agents:pw-1\n", "rw-------");
    AgentConfig c = ConfigLoader.parse("agent.yaml", volumes + "insecure: true\nzookeeperAuth: " + f);
    assertThat(c.zookeeperAuth()).isEqualTo(f);
    assertThat(c.insecure()).isTrue();
  }

  @Test
  void aConfigBuiltInCode_needsThemToo_unlessInsecure() throws Exception {
    AgentConfig.Builder b = AgentConfig.builder("host-a", tmp.resolve("snapshots")).volumes(List.of(
        new VolumeConfig("data", "dir", tmp.resolve("data"), Map.of("allowUnheld", "true"))))
        .tls(new TlsFiles(tmp.resolve("ca.pem"), tmp.resolve("cert.pem"), tmp.resolve("key.pem")));
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.validate("in code", b.build()))
        .getMessage()).startsWith("in code: zookeeperAuth: required unless insecure: true");
    Path f = credentials("agents:pw-1\n", "rw-------");
    assertThat(ConfigLoader.validate("in code", b.zookeeperAuth(f).build())).isNotNull();
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
