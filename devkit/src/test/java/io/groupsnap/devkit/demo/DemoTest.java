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
 * places through the coordinator, is checked as a cut on the restored trees, which are removed afterwards; the
 * cluster is then restored in place to it, its workloads carry on from that cut, and the next group snapshot is
 * consistent.
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
    assertThat(out.lines().filter(l -> l.startsWith("restored in place:")).findFirst().orElse(""))
        .as(out).matches("restored in place: gs-\\S+ on 2 members in \\d+ms \\(switched\\); workloads resumed "
            + "from the cut: ledgers continue the captured logs; next group snapshot gs-\\S+: consistent");
    Path root = DevCluster.restoreRoot(tmp);
    try (Stream<Path> left = Files.exists(root) ? Files.list(root) : Stream.empty()) {
      assertThat(left).as("restored trees left under %s", root).isEmpty();
    }
  }
}
