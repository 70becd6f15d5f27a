package io.groupsnap.agent.config.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.common.Names;
import io.groupsnap.common.fuzz.FuzzChecks;
import io.groupsnap.common.fuzz.ShortFuzz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fuzzes the agent's configuration loader with arbitrary YAML text. Every input ends as either a configuration that
 * validates (valid names, unique volumes, absolute paths) or a {@link ConfigException} whose message is one bounded
 * line starting with the file's name and then the line and column of a YAML error or the field at fault; never
 * another exception.
 *
 * <p>The stored inputs are agent configurations written against {@link #DIR} ({@code /tmp/groupsnap-config-fuzz}),
 * whose {@code data} and {@code logs} directories this class creates, so that mutants of them get past the checks of
 * the file system and into those of kinds and writers. The loader only reads the file system.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigLoaderFuzzTest {
  static final Path DIR = Path.of("/tmp/groupsnap-config-fuzz");
  /**
   * "agent.yaml: ", where (a YAML position, or the field as a path such as {@code volumes[1].options.create}, escaped
   * as written) and what; or the one message that needs no place.
   */
  private static final Pattern WHERE = Pattern.compile(
      "agent\\.yaml: (line \\d+, column \\d+: not valid YAML: .+|[^ ].*: .+|the file is empty)");
  private static final AtomicInteger VALID = new AtomicInteger();

  static {
    try {
      Files.createDirectories(DIR.resolve("data"));
      Files.createDirectories(DIR.resolve("logs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void load(FuzzedDataProvider data) {
    String yaml = data.consumeRemainingAsString();
    AgentConfig config;
    try {
      config = ConfigLoader.parse("agent.yaml", yaml);
    } catch (ConfigException e) {
      FuzzChecks.oneLine("message", e.getMessage(), 2000);
      assertThat(e.getMessage()).as("names the file and where").matches(WHERE);
      return;
    }
    VALID.incrementAndGet();
    assertThat(Names.isValid(config.agentId())).isTrue();
    assertThat(Names.isValid(config.cluster())).isTrue();
    assertThat(config.snapshotRoot().isAbsolute()).isTrue();
    assertThat(config.volumes()).isNotEmpty();
    Set<String> names = new HashSet<>();
    for (VolumeConfig v : config.volumes()) {
      assertThat(Names.isValid(v.name())).isTrue();
      assertThat(names.add(v.name())).as("volume %s once", v.name()).isTrue();
      assertThat(v.path().isAbsolute()).isTrue();
    }
  }

  @Test
  @Order(1)
  void shortRun() throws IOException {
    VALID.set(0);
    ShortFuzz.Report r = ShortFuzz.of(ConfigLoaderFuzzTest.class, "load").budget(2500, 20_000).maxLength(2048)
        .seeds(List.of(Files.readAllBytes(deploySample()))).run(this::load);
    assertThat(r.runs()).isGreaterThan(r.seeds());
    assertThat(VALID.get()).as("the stored inputs include configurations that load").isPositive();
  }

  /** The sample configuration shipped in deploy/ (its paths do not exist here: it fails, late). */
  private static Path deploySample() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("deploy/config/agent.yaml"))) {
      p = p.getParent();
    }
    assertThat(p).as("deploy/config/agent.yaml above the module").isNotNull();
    return p.resolve("deploy/config/agent.yaml");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
