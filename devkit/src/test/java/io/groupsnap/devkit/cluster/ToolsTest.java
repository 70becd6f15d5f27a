package io.groupsnap.devkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolsTest {
  @Test
  void which_findsTheShell_andNotAnInventedTool() {
    assertThat(Tools.which("sh")).hasValueSatisfying(p -> assertThat(p).isExecutable());
    assertThat(Tools.which("no-such-tool-groupsnap")).isEmpty();
  }

  @Test
  void run_failing_reportsTheLastLineItPrinted_neverInterpretingArguments() {
    String sh = Tools.which("sh").orElseThrow().toString();
    assertThatThrownBy(() -> Tools.run(List.of(sh, "-c", "echo first; echo \"$0\" >&2; exit 3", "$(reboot)"),
        Duration.ofSeconds(30))).isInstanceOf(IOException.class).hasMessage("$(reboot)");
  }

  @Test
  void run_pastItsTimeout_isKilled() {
    String sleep = Tools.which("sleep").orElseThrow().toString();
    long start = System.nanoTime();
    assertThatThrownBy(() -> Tools.run(List.of(sleep, "30"), Duration.ofMillis(200))).hasMessage("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }
}
