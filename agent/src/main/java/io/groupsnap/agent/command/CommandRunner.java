package io.groupsnap.agent.command;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the external tools volume kinds drive ({@code btrfs}, {@code lvcreate}, {@code zfs}, an operator's commands):
 * argument vectors started directly, never through a shell, so names and paths in them are never interpreted. Tests
 * substitute a runner that records the commands and plays answers back.
 */
public interface CommandRunner {
  /** How long output kept from one command may be, per stream. */
  int MAX_OUTPUT = 64 * 1024;

  /**
   * Runs {@code argv} and waits at most {@code timeout}; a command still running then is killed.
   *
   * @throws IOException when the command cannot be started at all
   */
  Result run(List<String> argv, Duration timeout) throws IOException;

  /** The executable {@code tool} resolves to: itself when absolute, else the first match on the search path. */
  Optional<Path> which(String tool);

  /**
   * What a command did.
   *
   * @param exitCode its exit code; -1 when it timed out
   * @param stdout what it printed (truncated to {@link #MAX_OUTPUT})
   * @param stderr its error output (truncated)
   * @param timedOut whether it was killed at the timeout
   */
  record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }

    /** The last non-empty line of error output (or of output), for a one-line message. */
    public String lastLine() {
      for (String text : List.of(stderr, stdout)) {
        String[] lines = text.strip().split("\n");
        if (lines.length > 0 && !lines[lines.length - 1].isBlank()) {
          return lines[lines.length - 1].strip();
        }
      }
      return timedOut ? "timed out" : "exit code " + exitCode;
    }
  }

  /** Directories searched after {@code PATH}: where storage tools live even when an agent's PATH lacks them. */
  String SYSTEM_DIRS = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** Runs real processes; the search path is {@code PATH} plus {@link #SYSTEM_DIRS}. */
  static CommandRunner system() {
    return system(System.getenv().getOrDefault("PATH", "") + ":" + SYSTEM_DIRS);
  }

  /**
   * Runs real processes; {@link #which} searches only {@code searchPath} (directories separated by ':'). For tests
   * that put stand-in tools first, and for agents whose tools live somewhere unusual.
   */
  static CommandRunner system(String searchPath) {
    return new CommandRunner() {
      @Override
      public Result run(List<String> argv, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        boolean done;
        try {
          done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          p.destroyForcibly();
          Thread.currentThread().interrupt();
          throw new IOException(argv.get(0) + " interrupted", e);
        }
        if (!done) {
          p.destroyForcibly();
          return new Result(-1, out.getNow(""), err.getNow(""), true);
        }
        return new Result(p.exitValue(), out.join(), err.join(), false);
      }

      @Override
      public Optional<Path> which(String tool) {
        Path t = Path.of(tool);
        if (t.isAbsolute()) {
          return Files.isExecutable(t) ? Optional.of(t) : Optional.empty();
        }
        for (String dir : searchPath.split(":")) {
          if (dir.isEmpty()) {
            continue;
          }
          Path candidate = Path.of(dir, tool);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return Optional.of(candidate);
          }
        }
        return Optional.empty();
      }
    };
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        byte[] all = in.readAllBytes();
        int n = Math.min(all.length, MAX_OUTPUT);
        return new String(all, 0, n, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
