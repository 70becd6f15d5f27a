package io.groupsnap.agent.fakes;

import io.groupsnap.agent.command.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link CommandRunner} that runs nothing: it records every argument vector and plays back the answers a test gave
 * for it, or its handler makes of it. Tools it {@link #installs} resolve to {@code /usr/sbin/<tool>}; every other
 * tool is missing. An answer is chosen by the longest registered argument prefix that matches; without one a command
 * succeeds with no output. Thread-safe.
 */
public final class RecordingCommandRunner implements CommandRunner {
  /** Where installed tools live. */
  public static final String BIN = "/usr/sbin/";

  private final List<List<String>> calls = new CopyOnWriteArrayList<>();
  private final List<Duration> timeouts = new CopyOnWriteArrayList<>();
  private final Map<String, Path> tools = new HashMap<>();
  private final Map<List<String>, Answer> answers = new HashMap<>();

  private record Answer(Result result, IOException failure, Function<List<String>, Result> handler) {}

  /** Makes these tools resolvable. */
  public RecordingCommandRunner installs(String... names) {
    for (String n : names) {
      tools.put(n, Path.of(BIN + n));
    }
    return this;
  }

  /** The path an installed tool resolves to. */
  public static String bin(String tool) {
    return BIN + tool;
  }

  /** Answers every command starting with {@code prefix} with {@code result}. */
  public synchronized RecordingCommandRunner on(List<String> prefix, Result result) {
    answers.put(List.copyOf(prefix), new Answer(result, null, null));
    return this;
  }

  /**
   * Answers every command starting with {@code prefix} with what {@code handler} makes of it: a tool with state (a
   * fake {@code zfs} whose datasets the commands change), still recorded like any other.
   */
  public synchronized RecordingCommandRunner on(List<String> prefix, Function<List<String>, Result> handler) {
    answers.put(List.copyOf(prefix), new Answer(null, null, handler));
    return this;
  }

  /** Every command starting with {@code prefix} fails to start. */
  public synchronized RecordingCommandRunner failToStart(List<String> prefix, String message) {
    answers.put(List.copyOf(prefix), new Answer(null, new IOException(message), null));
    return this;
  }

  /** A successful run printing {@code stdout}. */
  public static Result ok(String stdout) {
    return new Result(0, stdout, "", false);
  }

  /** A failed run with exit code {@code code} and error output {@code stderr}. */
  public static Result exit(int code, String stderr) {
    return new Result(code, "", stderr, false);
  }

  /** A run killed at its timeout. */
  public static Result timedOut() {
    return new Result(-1, "", "", true);
  }

  /** Every command run so far, in order. */
  public List<List<String>> calls() {
    return List.copyOf(calls);
  }

  /** The timeout each command was given, in order. */
  public List<Duration> timeouts() {
    return List.copyOf(timeouts);
  }

  public void clear() {
    calls.clear();
    timeouts.clear();
  }

  @Override
  public Result run(List<String> argv, Duration timeout) throws IOException {
    calls.add(List.copyOf(argv));
    timeouts.add(timeout);
    Answer best = null;
    int bestLength = -1;
    synchronized (this) {
      for (Map.Entry<List<String>, Answer> e : answers.entrySet()) {
        List<String> p = e.getKey();
        if (p.size() > bestLength && argv.size() >= p.size() && argv.subList(0, p.size()).equals(p)) {
          best = e.getValue();
          bestLength = p.size();
        }
      }
    }
    if (best == null) {
      return ok("");
    }
    if (best.failure() != null) {
      throw best.failure();
    }
    if (best.handler() != null) {
      synchronized (this) {
        return best.handler().apply(List.copyOf(argv));
      }
    }
    return best.result();
  }

  @Override
  public synchronized Optional<Path> which(String tool) {
    return Optional.ofNullable(tools.get(tool));
  }

  /** The calls as lines, for readable assertion failures. */
  @Override
  public String toString() {
    List<String> lines = new ArrayList<>();
    calls.forEach(c -> lines.add(String.join(" ", c)));
    return String.join("\n", lines);
  }
}
