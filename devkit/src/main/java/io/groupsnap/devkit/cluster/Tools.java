package io.groupsnap.devkit.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The external tools the dev volumes drive ({@code btrfs}): argument vectors started directly, never through a
 * shell, with a deadline. Blocking; safe from any thread.
 */
final class Tools {
  /** Searched after {@code PATH}: where storage tools live even when a user's PATH lacks them. */
  private static final String SYSTEM_DIRS = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final int MAX_OUTPUT = 64 * 1024;

  private Tools() {}

  /** The first executable named {@code tool} on {@code PATH} or in the system directories. */
  static Optional<Path> which(String tool) {
    String search = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + SYSTEM_DIRS;
    for (String dir : search.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, tool);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Runs {@code argv} with no input and waits at most {@code timeout} (then kills it).
   *
   * @throws IOException when it cannot start, times out or exits non-zero; the message is the last line it printed
   *     (or "timed out", or its exit code)
   */
  static void run(List<String> argv, Duration timeout) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException(lastLine(output.get(timeout.toMillis(), TimeUnit.MILLISECONDS), p.exitValue()));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("exit code " + p.exitValue(), e);
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lastLine(String output, int exitCode) {
    String[] lines = output.strip().split("\n");
    String last = lines[lines.length - 1].strip();
    return last.isEmpty() ? "exit code " + exitCode : last;
  }
}
