package io.groupsnap.devkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
  @TempDir Path tmp;

  @Test
  void delete_removesTheWholeTree_butNeverFollowsALinkOutOfIt() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "precious");
    Path root = Files.createDirectories(tmp.resolve("root/a/b"));
    Files.writeString(root.resolve("f"), "x");
    Files.createSymbolicLink(tmp.resolve("root/a/link"), outside);

    FileTrees.delete(tmp.resolve("root"));

    assertThat(tmp.resolve("root")).doesNotExist();
    assertThat(outside.resolve("keep")).hasContent("precious");
  }

  @Test
  void delete_ofNothing_doesNothing() throws Exception {
    FileTrees.delete(tmp.resolve("absent"));
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void copy_reproducesTheTree_replacingFilesThere() throws Exception {
    Path from = Files.createDirectories(tmp.resolve("from/sub"));
    Files.writeString(from.resolve("f"), "new");
    Files.createDirectories(tmp.resolve("to/sub"));
    Files.writeString(tmp.resolve("to/sub/f"), "old");

    FileTrees.copy(tmp.resolve("from"), tmp.resolve("to"));

    assertThat(tmp.resolve("to/sub/f")).hasContent("new");
  }
}
