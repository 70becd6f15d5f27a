package io.groupsnap.agent.volume.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A separate OS process that appends a counter to a file, one line at a time (about a hundred a second), and prints
 * each number after its append has returned. {@link #count()} is the last number printed: an append it covers has
 * completed. A process appending to a frozen file system stops inside its write, so its count stops too.
 *
 * <p>The script is fixed; the file is passed as a positional argument, never interpolated into it. {@link #close()}
 * kills the process; a process blocked on a frozen file system only dies once that file system is thawed, so thaw
 * first (the {@code thawFirst} given at start is run before the kill).
 */
public final class AppendingProcess implements AutoCloseable {
  private static final String SCRIPT =
      "i=0; while :; do i=$((i+1)); echo \"$i\" >> \"$1\" || exit 3; echo \"$i\"; sleep 0.01; done";

  private final Process process;
  private final AtomicLong count = new AtomicLong();
  private final Runnable thawFirst;

  private AppendingProcess(Process process, Runnable thawFirst) {
    this.process = process;
    this.thawFirst = thawFirst;
    Thread reader = new Thread(this::read, "appending-process-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts appending to {@code file}; {@code thawFirst} runs before the process is killed at {@link #close()}. */
  public static AppendingProcess start(Path file, Runnable thawFirst) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", SCRIPT, "appender", file.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    return new AppendingProcess(pb.start(), thawFirst);
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        count.set(Long.parseLong(line.strip()));
      }
    } catch (IOException | NumberFormatException e) {
      // the process ended
    }
  }

  /** The number of appends known to have completed. */
  public long count() {
    return count.get();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    thawFirst.run();
    process.destroyForcibly();
    try {
      process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
