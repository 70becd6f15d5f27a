package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.Daemons;
import io.groupsnap.common.Names;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One hook process of an exec writer in session mode, started at PREPARE and spoken to over its standard input and
 * output (see {@link ExecSession} for the protocol): a word is one pipe write, its answer one blocking line read on the
 * calling thread. The read is bounded by a timer that kills the hook's process tree when the deadline passes — the
 * pipe then ends and the read returns — so no thread waits on the hook's behalf and none is woken on the hot path but
 * the caller. A hook that died, did not answer in time or answered out of protocol is <em>gone</em>: it is never
 * spoken to again. Its standard error is appended to the writer's log. One conversation at a time (the monitor).
 */
final class SessionHook {
  /** Longest answer line kept; the rest of a longer line is read and dropped. */
  private static final int MAX_LINE = 1024;
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final String what;
  private final Process process;
  private final OutputStream in;
  private final InputStream out;
  private final Path log;
  /** Why the hook cannot be spoken to any more; null while it can. Guarded by this. */
  private String gone;

  private SessionHook(String what, Process process, Path log) {
    this.what = what;
    this.process = process;
    this.in = process.getOutputStream();
    this.out = process.getInputStream();
    this.log = log;
  }

  /**
   * Starts {@code argv} directly (no shell) with {@code env} added to the agent's environment.
   *
   * @param what how errors name it: {@code hook 10-db} or {@code command}
   */
  static SessionHook start(String what, List<String> argv, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    Files.createDirectories(log.getParent());
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new SessionHook(what, pb.start(), log);
  }

  String what() {
    return what;
  }

  long pid() {
    return process.pid();
  }

  /** Waits for the hook's first line, which must be {@code ready}. */
  synchronized WriterResult awaitReady(long deadlineNanos) {
    return answer("prepare", "ready", deadlineNanos);
  }

  /** Writes {@code word} and waits until {@code deadlineNanos} for its answer: {@code ok} or {@code error REASON}. */
  synchronized WriterResult ask(String word, long deadlineNanos) {
    if (gone != null) {
      return WriterResult.nonRetryable(word + " " + what + " not sent: " + gone);
    }
    try {
      in.write((word + "\n").getBytes(StandardCharsets.US_ASCII));
      in.flush();
    } catch (IOException e) {
      return lost(word, "could not be told " + word + " (" + e.getMessage() + ")");
    }
    return answer(word, "ok", deadlineNanos);
  }

  /**
   * Ends the conversation: closes the hook's input, waits up to {@code graceNanos} for it to exit, then kills what is
   * left of its process tree. Idempotent.
   */
  synchronized void finish(long graceNanos) {
    if (gone == null) {
      gone = "its session ended";
    }
    try {
      in.close();
    } catch (IOException e) {
      // already gone: the wait below sees it
    }
    boolean exited;
    try {
      exited = process.waitFor(Math.max(0, graceNanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    if (!exited) {
      killTree();
    }
    try {
      out.close();
    } catch (IOException e) {
      // nothing left to read
    }
  }

  /** Kills the hook and every process it started, children first (they are found through the hook). */
  void killTree() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Reads one answer line, bounded by a timer that kills the hook at {@code deadlineNanos}. */
  private WriterResult answer(String word, String expected, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      return lost(word, "had no time left to answer " + word);
    }
    // the flag is set before the kill, so an end of stream the kill caused is never taken for the hook's own exit
    java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
    ScheduledFuture<?> timeout = TIMER.schedule(() -> {
      timedOut.set(true);
      killTree();
    }, left, TimeUnit.NANOSECONDS);
    String line;
    try {
      line = readLine();
    } catch (IOException e) {
      line = null;
    }
    timeout.cancel(false);
    if (timedOut.get()) {
      return lost(word, "did not answer " + word + " within " + TimeUnit.NANOSECONDS.toMillis(left) + "ms: killed");
    }
    if (line == null) {
      return lost(word, "ended before answering " + word + exitNote());
    }
    if (line.equals(expected)) {
      return WriterResult.OK;
    }
    if (line.startsWith("error")) {
      String reason = line.substring("error".length()).strip();
      return WriterResult.nonRetryable(word + " " + what + ": " + (reason.isEmpty() ? "error" : reason));
    }
    return lost(word, "answered '" + Names.printable(line) + "' to " + word + " (expected "
        + expected + " or error)");
  }

  /** The hook can no longer be trusted to follow the conversation: it is killed, and the answer is a failure. */
  private WriterResult lost(String word, String problem) {
    gone = what + " " + problem;
    killTree();
    return WriterResult.nonRetryable(word + " " + what + " " + problem + " (log " + log + ")");
  }

  private String exitNote() {
    try {
      if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
        return " (exit " + process.exitValue() + ")";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "";
  }

  /** One line without its end ({@code \n}, and a {@code \r} before it); null at the end of the stream. */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(16);
    int b;
    while ((b = out.read()) != -1 && b != '\n') {
      if (line.size() < MAX_LINE) {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      return null;
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, Daemons.named("groupsnap-exec-session-timer"));
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
}
