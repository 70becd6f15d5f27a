package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The hook processes of one transaction of an exec writer in session mode ({@code options.mode: session}): started at
 * PREPARE, so that FREEZE costs a pipe write and a line read per hook instead of a process start.
 *
 * <p><b>Protocol</b> (lines of ASCII on the hook's standard input and output; standard error goes to the writer's
 * log). On start the hook answers {@code ready} (or {@code error REASON}: PREPARE fails). Then groupsnap writes at
 * most two words, each answered by one line, {@code ok} or {@code error REASON}: {@code freeze}, then
 * {@code thaw}; or only {@code abort} when the transaction ends before the hook was told to freeze. Every hook told
 * {@code freeze} is told {@code thaw}, whatever it answered. Then its input ends; it must exit. End of input at any
 * moment (the agent died, or gave up on the hook) means: release anything held and exit.
 *
 * <p><b>Order and failures</b> are those of the process-per-phase hooks: freeze in name order, final words in reverse.
 * A hook that answers {@code error}, dies, does not answer within the time left of the writer's {@code timeout}, or
 * answers anything else fails the call; it is killed (with what it started) unless it answered {@code error}, and the
 * hooks told {@code freeze} so far, itself included, are told {@code thaw}, the others {@code abort}. The first
 * {@link #end} (THAW, the lease watchdog, ABORT, a failed FREEZE, the agent closing) ends the session; later ones get
 * its answer. An end that comes while a hook is answering {@code freeze} waits for that answer (bounded by the
 * freeze's deadline, when the hook is killed), and no later hook is told {@code freeze}. Each final word gets the time
 * left of the call's {@code timeout}, and at least its share of it, and so does each hook's exit after its input
 * closes; a hook still running then is killed with its process tree. Thread-safe.
 */
final class ExecSession {
  private final List<SessionHook> hooks;
  private final Duration timeout;
  private final CompletableFuture<WriterResult> ended = new CompletableFuture<>();
  /** Hooks told (or being told) freeze: the first {@code started}. Guarded by this. */
  private int started;
  /** The session is ending or ended: no hook may be told freeze any more. Guarded by this. */
  private boolean released;

  private ExecSession(List<SessionHook> hooks, Duration timeout) {
    this.hooks = hooks;
    this.timeout = timeout;
  }

  /** One hook to start: how errors name it, and its argument vector. */
  record Launch(String what, List<String> argv) {}

  /**
   * Starts every hook (in order), then waits for each one's {@code ready} within {@code timeout} in all. Fails, after
   * telling the hooks started so far {@code abort}, when one cannot start or does not answer {@code ready}.
   */
  static Opened open(List<Launch> launches, Map<String, String> env, Path log, Duration timeout) {
    List<SessionHook> hooks = new ArrayList<>();
    ExecSession s = new ExecSession(hooks, timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Launch l : launches) {
      try {
        hooks.add(SessionHook.start(l.what(), l.argv(), env, log));
      } catch (IOException e) {
        s.end();
        return new Opened(null, WriterResult.nonRetryable("prepare " + l.what() + " " + l.argv().get(0)
            + " could not start: " + e.getMessage()));
      }
    }
    for (SessionHook h : hooks) {
      WriterResult r = h.awaitReady(deadline);
      if (!r.ok()) {
        s.end();
        return new Opened(null, r);
      }
    }
    return new Opened(s, WriterResult.OK);
  }

  /** What {@link #open} gave: the session when the answer is OK. */
  record Opened(ExecSession session, WriterResult answer) {}

  /** The hooks' process ids, in order (for tests and logs). */
  List<Long> pids() {
    return hooks.stream().map(SessionHook::pid).toList();
  }

  /** Tells each hook {@code freeze}, in order; the first failure ends the session and is the answer. */
  WriterResult freeze() {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < hooks.size(); i++) {
      synchronized (this) {
        if (released) {
          return WriterResult.nonRetryable("released before " + hooks.get(i).what() + " froze");
        }
        started = i + 1;
      }
      WriterResult r = hooks.get(i).ask("freeze", deadline);
      if (!r.ok()) {
        synchronized (this) {
          if (released) {
            return r; // a thaw (the lease watchdog) has taken over and thaws what was started
          }
        }
        WriterResult undo = end();
        return undo.ok() ? r : new WriterResult(r.outcome(), r.reason() + "; then " + undo.reason());
      }
    }
    return WriterResult.OK;
  }

  /**
   * Ends the session, once: {@code thaw} to the hooks told {@code freeze}, {@code abort} to the others, in reverse
   * order, each answer awaited, then each hook's input closed and its exit awaited. The answer is OK only if every
   * hook told {@code thaw} answered {@code ok}. Later calls wait for the first one's answer.
   */
  WriterResult end() {
    int frozen;
    boolean first;
    synchronized (this) {
      first = !released;
      released = true;
      frozen = started;
    }
    if (!first) {
      return ended.join(); // outside the monitor: the first end may wait for a freeze that needs it
    }
    WriterResult r;
    try {
      r = finishAll(frozen);
    } catch (RuntimeException | Error e) {
      hooks.forEach(SessionHook::killTree);
      ended.complete(WriterResult.nonRetryable("ending the session failed: " + e));
      throw e;
    }
    ended.complete(r);
    return r;
  }

  /** True once {@link #end} has answered. */
  boolean isEnded() {
    return ended.isDone();
  }

  private WriterResult finishAll(int frozen) {
    if (hooks.isEmpty()) {
      return WriterResult.OK;
    }
    long share = timeout.toNanos() / hooks.size();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> failures = new ArrayList<>();
    for (int i = hooks.size() - 1; i >= 0; i--) {
      SessionHook h = hooks.get(i);
      boolean thaw = i < frozen;
      WriterResult r = h.ask(thaw ? "thaw" : "abort", Math.max(deadline, System.nanoTime() + share));
      if (thaw && !r.ok()) {
        failures.add(r.reason());
      }
      h.finish(Math.max(deadline, System.nanoTime() + share) - System.nanoTime());
    }
    return failures.isEmpty() ? WriterResult.OK : WriterResult.nonRetryable(String.join("; ", failures));
  }
}
