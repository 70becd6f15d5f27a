package io.groupsnap.devkit.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.devkit.cluster.DevCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end on a small cluster: its group snapshots are consistent cuts, and the last one, restored to new
 * places through the coordinator, is checked as a cut on the restored trees, which are removed afterwards.
 */
class DemoTest {
  @TempDir Path tmp;

  @Test
  void theLastGroupSnapshot_restoredToNewPlaces_isAConsistentCut_andTheRestoredTreesAreRemoved() throws Exception {
    StringWriter text = new StringWriter();
    boolean ok = Demo.run(new Demo.Options(3, 1, 2, tmp, null), new PrintWriter(text, true));

    String out = text.toString();
    assertThat(ok).as(out).isTrue();
    assertThat(out.lines().filter(l -> l.startsWith("restored:")).findFirst().orElse(""))
        .as(out).contains(" 2 members, ").endsWith("consistent (header counts and ledger checked on the restored "
            + "trees)");
    Path root = DevCluster.restoreRoot(tmp);
    try (Stream<Path> left = Files.exists(root) ? Files.list(root) : Stream.empty()) {
      assertThat(left).as("restored trees left under %s", root).isEmpty();
    }
  }
}
