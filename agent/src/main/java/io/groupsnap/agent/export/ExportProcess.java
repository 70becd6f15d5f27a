package io.groupsnap.agent.export;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One run of an export tool: an argument vector started directly (never through a shell) in a working directory,
 * its output read line by line as it comes (a tool's progress), the tail of its error output kept for a one-line
 * reason, killed at its timeout or when the waiting thread is interrupted. Output lines are cut at
 * {@link #MAX_LINE} characters, so a tool cannot make the agent hold unbounded text.
 */
final class ExportProcess {
  static final int MAX_LINE = 8192;
  private static final int KEPT_ERROR_LINES = 20;
  /** How long the output readers are waited for once the process has ended (a child it left may hold the pipes). */
  private static final Duration DRAIN = Duration.ofSeconds(5);

  /**
   * What a run did.
   *
   * @param exitCode its exit code; -1 when it was killed at its timeout
   * @param lastOutputLine the last non-empty line it printed on standard output; empty when none
   * @param errorLines the last lines of its error output, oldest first
   */
  record Outcome(int exitCode, boolean timedOut, String lastOutputLine, List<String> errorLines) {
    boolean ok() {
      return exitCode == 0 && !timedOut;
    }

    /** The last non-empty error line, else what is known of the end. */
    String lastErrorLine() {
      for (int i = errorLines.size() - 1; i >= 0; i--) {
        if (!errorLines.get(i).isBlank()) {
          return errorLines.get(i).strip();
        }
      }
      return timedOut ? "timed out" : "exit code " + exitCode;
    }
  }

  private ExportProcess() {}

  /**
   * Runs {@code argv} and waits for it.
   *
   * @param workDir its working directory; null: the agent's
   * @param env changes to the agent's environment: a null value removes the variable
   * @param onLine called with each line of standard output, from a reader thread
   * @param ledger where the running process is written down until it ends (a successor agent stops it)
   * @throws IOException when it cannot be started (the message names the program)
   * @throws InterruptedException when the calling thread was interrupted: the process has been killed
   */
  static Outcome run(List<String> argv, Path workDir, Map<String, String> env, Duration timeout,
      Consumer<String> onLine, ToolLedger ledger) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.environment().put("LC_ALL", "C");
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Process p = pb.start();
    ledger.started(p.toHandle());
    try {
      return waitFor(p, timeout, onLine);
    } finally {
      ledger.ended(p.toHandle());
    }
  }

  private static Outcome waitFor(Process p, Duration timeout, Consumer<String> onLine) throws InterruptedException {
    AtomicReference<String> last = new AtomicReference<>("");
    Deque<String> errors = new ArrayDeque<>();
    Thread out = reader("out", p.getInputStream(), line -> {
      if (!line.isBlank()) {
        last.set(line.strip());
      }
      onLine.accept(line);
    });
    Thread err = reader("err", p.getErrorStream(), line -> {
      synchronized (errors) {
        errors.addLast(line);
        if (errors.size() > KEPT_ERROR_LINES) {
          errors.removeFirst();
        }
      }
    });
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(p);
      throw e;
    }
    if (!done) {
      kill(p);
    }
    try {
      out.join(DRAIN.toMillis());
      err.join(DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (errors) {
      return new Outcome(done ? p.exitValue() : -1, !done, last.get(), List.copyOf(errors));
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static Thread reader(String which, InputStream in, Consumer<String> onLine) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = r.read()) >= 0) {
          if (c == '\n') {
            onLine.accept(line.toString());
            line.setLength(0);
          } else if (line.length() < MAX_LINE) {
            line.append((char) c);
          }
        }
        if (line.length() > 0) {
          onLine.accept(line.toString());
        }
      } catch (IOException | RuntimeException e) {
        // the process ended or was killed; what was read stands
      }
    }, "groupsnap-export-" + which);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
