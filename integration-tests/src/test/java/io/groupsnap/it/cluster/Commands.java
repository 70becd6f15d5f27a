package io.groupsnap.it.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs short external commands ({@code ip}, {@code kill}) as argument vectors — never through a shell, so a name or a
 * path can never be interpreted — and waits for them a bounded time.
 */
final class Commands {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private Commands() {}

  /** What a command did: its exit code and its combined output. */
  record Result(List<String> argv, int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return String.join(" ", argv) + " exited " + exitCode + (output.isBlank() ? "" : ": " + output.strip());
    }
  }

  /** Runs {@code argv}; a command still running after {@code timeout} is killed and reported as exit code -1. */
  static Result run(Duration timeout, List<String> argv) {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(argv, -1, "could not start: " + e.getMessage());
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(argv, -1, "timed out after " + timeout.toMillis() + "ms");
      }
      return new Result(argv, p.exitValue(), out.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(argv, -1, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return new Result(argv, p.exitValue(), "(output unreadable: " + e + ")");
    }
  }

  static Result run(String... argv) {
    return run(DEFAULT_TIMEOUT, List.of(argv));
  }

  /** Runs {@code argv} and returns its output; fails with the command and its output when it exits non-zero. */
  static String check(String... argv) {
    Result r = run(argv);
    if (!r.ok()) {
      throw new IllegalStateException(r.toString());
    }
    return r.output();
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
