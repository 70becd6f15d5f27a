package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code restoreRoots:} in agent.yaml: a default under the state directory, never overlapping a volume. */
class RestoreRootsConfigTest {
  @TempDir Path tmp;
  Path data;

  @BeforeEach
  void setUp() throws Exception {
    data = Files.createDirectories(tmp.resolve("data"));
  }

  private String yaml(String extra) {
    return "insecure: true\nagentId: host-a\nsnapshotRoot: " + tmp.resolve("snapshots") + "\nvolumes:\n"
        + "  - name: data\n    kind: dir\n    path: " + data + "\n" + ConfigLoaderTest.UNHELD + extra;
  }

  @Test
  void withoutTheField_restoresGoUnderTheStateDirectory() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml(""));
    assertThat(c.restoreRoots()).containsExactly(c.stateDir().resolve("restores"));
  }

  @Test
  void givenRoots_areKeptInOrder() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml("restoreRoots: [" + tmp.resolve("r1") + ", "
        + tmp.resolve("r2") + "]\n"));
    assertThat(c.restoreRoots()).containsExactly(tmp.resolve("r1"), tmp.resolve("r2"));
  }

  @Test
  void aRootInsideOrAroundAVolume_orARelativeOne_isRefusedInOneLineNamingTheField() throws Exception {
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("restoreRoots: [" + tmp.resolve("ok")
        + ", " + data.resolve("restored") + "]\n")))).isInstanceOf(ConfigException.class)
        .hasMessage("agent.yaml: restoreRoots[1]: " + data.resolve("restored") + " overlaps volume data, "
            + "volumes[0].path " + data + ": a restore must never write into live data");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), data);
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("restoreRoots: [" + link + "]\n"))))
        .hasMessageStartingWith("agent.yaml: restoreRoots[0]: " + link + " (really " + data.toRealPath() + ")");
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("restoreRoots: [" + tmp + "]\n"))))
        .hasMessageStartingWith("agent.yaml: restoreRoots[0]: " + tmp + " overlaps volume data");
    assertThat(catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml("restoreRoots: [relative/x]\n"))))
        .hasMessageStartingWith("agent.yaml: restoreRoots[0]:").satisfies(e ->
            assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(List.of(data.toFile().list())).isEmpty();
  }
}
