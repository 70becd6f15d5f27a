package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.writer.WriterResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One run of an exec writer's command or hook, never through a shell: exit 0 is OK, an exit code listed in
 * {@code retryableExitCodes} RETRYABLE, anything else (a timeout, a command that cannot start) NON_RETRYABLE, each
 * answer one line naming the phase, the command or hook and the writer's log.
 */
final class HookProcess {
  private final Path log;
  private final Set<Integer> retryable;

  HookProcess(Path log, Set<Integer> retryable) {
    this.log = log;
    this.retryable = Set.copyOf(retryable);
  }

  /**
   * Runs {@code argv} with {@code phaseEnv} added to the agent's environment, stdin from /dev/null, output appended to
   * the writer's log; killed after {@code timeout}.
   */
  WriterResult run(String phase, String what, List<String> argv, Map<String, String> phaseEnv,
      Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.putAll(phaseEnv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p;
    try {
      Files.createDirectories(log.getParent());
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      p = pb.start();
    } catch (IOException e) {
      return WriterResult.nonRetryable(phase + " " + what + " " + argv.get(0) + " could not start: "
          + e.getMessage());
    }
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        p.destroyForcibly();
        return WriterResult.nonRetryable(phase + " " + what + " timed out after " + timeout.toMillis() + "ms (log "
            + log + ")");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return WriterResult.retryable(phase + " interrupted");
    }
    int code = p.exitValue();
    if (code == 0) {
      return WriterResult.OK;
    }
    String reason = phase + " " + what + " exited " + code + " (log " + log + ")";
    return retryable.contains(code) ? WriterResult.retryable(reason)
        : WriterResult.nonRetryable(reason);
  }
}
