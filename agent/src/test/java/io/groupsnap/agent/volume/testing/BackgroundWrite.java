package io.groupsnap.agent.volume.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** A write on a daemon thread of its own, so a test can watch it block on a frozen file system and resume at thaw. */
public final class BackgroundWrite {
  private BackgroundWrite() {}

  /** Writes {@code text} to {@code file} on a new daemon thread; the future completes when the write returned. */
  public static CompletableFuture<Void> start(Path file, String text) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        Files.writeString(file, text);
        done.complete(null);
      } catch (IOException e) {
        done.completeExceptionally(e);
      }
    }, "frozen-write");
    t.setDaemon(true);
    t.start();
    return done;
  }
}
