package io.groupsnap.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper and a deletion of the same group snapshot may delete one capture tree at the same time: each walk then
 * meets entries the other removed. Both must end without an error, the tree gone (a bench run on fsfreeze volumes
 * once failed a deletion with NoSuchFileException on a file the reaper had just removed).
 */
class ConcurrentTreeDeleteTest {
  @TempDir Path dir;
  final ExecutorService two = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    two.shutdownNow();
  }

  interface Delete {
    void delete(Path root) throws IOException;
  }

  private static Path tree(Path at) throws IOException {
    for (int d = 0; d < 8; d++) {
      Path sub = Files.createDirectories(at.resolve("d" + d).resolve("inner"));
      for (int f = 0; f < 40; f++) {
        Files.writeString(sub.resolve("f" + f), "x");
        Files.writeString(sub.getParent().resolve("g" + f), "y");
      }
    }
    return at;
  }

  private void twoAtOnce(Delete delete) throws Exception {
    for (int round = 0; round < 15; round++) {
      Path root = tree(dir.resolve("capture-" + round));
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<?>> both = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        both.add(two.submit(() -> {
          start.await();
          delete.delete(root);
          return null;
        }));
      }
      for (Future<?> f : both) {
        f.get(30, TimeUnit.SECONDS); // an exception here is the race
      }
      assertThat(root).doesNotExist();
    }
  }

  @Test
  void captureTreeDelete_twoAtOnce_bothSucceed_andTheTreeIsGone() throws Exception {
    twoAtOnce(CaptureTree::delete);
  }

  @Test
  void capturesDeleteTree_twoAtOnce_bothSucceed_andTheTreeIsGone() throws Exception {
    twoAtOnce(Captures::deleteTree);
  }

  @Test
  void aSymbolicLinkAsTheRoot_isRemovedItself_notFollowed() throws Exception {
    Path target = tree(dir.resolve("elsewhere"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    Captures.deleteTree(link);
    assertThat(link).doesNotExist();
    assertThat(target.resolve("d0/inner/f0")).exists();
  }
}
