package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.kinds.ConfiguredWriter;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.WriterResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writer kind {@code exec}: the application is driven by commands, one per phase, or by the hooks of a hook directory.
 *
 * <p><b>Commands.</b> {@code prepare} (optional), {@code freeze}, {@code thaw}, {@code abort} (optional) are argument
 * vectors started directly, never through a shell, so names and paths in them cannot be interpreted.
 *
 * <p><b>Hook directory.</b> Instead of commands, option {@code hookDir} names a directory whose executables are all run
 * for every phase, each as {@code <hook> <phase>} ({@code prepare}, {@code freeze}, {@code thaw}, {@code abort}): in
 * name order for prepare and freeze, in reverse name order for thaw and abort, so the hook frozen first is thawed
 * last. Which entries are hooks is decided by {@link HookDir}. The directory is listed and checked at PREPARE; the
 * freeze runs the list kept from then, so nothing is read from the directory inside the freeze window. A hook that
 * fails at prepare aborts the hooks prepared so far (itself included); a hook that fails at freeze thaws the hooks
 * frozen so far (itself included: it may have half-frozen), and the call fails. A hook that fails at thaw does not stop
 * the others from being thawed; the answer is then not OK. A thaw that comes while a freeze hook still runs (the lease
 * watchdog) thaws that hook too, and no later hook freezes. Commands and {@code hookDir} cannot be combined.
 *
 * <p><b>Both.</b> The transaction is passed in the environment: {@code GROUPSNAP_PHASE}, {@code GROUPSNAP_TXN},
 * {@code GROUPSNAP_EPOCH}, {@code GROUPSNAP_VOLUMES} (comma separated) and, at freeze,
 * {@code GROUPSNAP_LEASE_DEADLINE_MILLIS} (epoch millis by which the application must release by itself: the agent's
 * watchdog runs the thaw at the lease's end, but a thaw can be lost if the agent dies). Exit 0 is OK, an exit code
 * listed in {@code retryableExitCodes} is RETRYABLE, anything else — including a timeout — is NON_RETRYABLE. The writer's
 * {@code timeout} bounds one call: all hooks of a phase share it, and a hook still running when it is used up is killed
 * and fails the call. Thaw and abort are the exception, as they must reach every hook: a hook whose turn comes after the
 * call's time is used up still gets its share ({@code timeout} divided by the number of hooks), so a thaw lasts at most
 * about twice the timeout. Output goes to {@code <stateDir>/writers/<name>.log}. Needs whatever the commands need; the
 * writer keeps no captures.
 *
 * <p><b>Session mode</b> ({@code options.mode: session}): the session command (the writer's {@code freeze} command)
 * or each hook (as {@code HOOK session}) is started at PREPARE and told {@code freeze}, {@code thaw} or {@code abort}
 * on its standard input, so that FREEZE costs a pipe write instead of a process start; see {@link ExecSession}.
 * Restore events still start a process each. Closing the writer ends every session still open.
 */
public final class ExecWriter extends ConfiguredWriter implements AutoCloseable {
  private static final int KEEP_RUNS = 16;

  private final ExecWriterOptions options;
  private final Path log;
  private final Path hookDir;
  /** The sessions, in session mode; null otherwise. */
  private final ExecSessions sessions;
  private final HookProcess process;
  private final ExecRestoreEvents restoreEvents;
  /** Hooks listed at prepare, per transaction; the most recent few. */
  private final Map<String, HookRun> runs = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, HookRun> eldest) {
      return size() > KEEP_RUNS;
    }
  };

  /**
   * @param stateDir the agent's state directory; the writer's log goes under it
   */
  public ExecWriter(WriterConfig config, ExecWriterOptions options, Path stateDir) {
    super(config, "exec");
    this.options = options;
    this.log = stateDir.resolve("writers").resolve(config.name() + ".log");
    this.hookDir = options.hookDir();
    this.sessions = options.session() ? new ExecSessions(config.name(), options, config.timeout(), log) : null;
    this.process = new HookProcess(log, options.retryableExitCodes());
    this.restoreEvents = new ExecRestoreEvents(config.name(), options, config.timeout(), process);
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    if (sessions != null) {
      if (hookDir == null) {
        File exe = new File(options.freeze().get(0));
        if (!exe.isFile() || !exe.canExecute()) {
          return WriterResult.nonRetryable("command " + exe + " does not exist or is not executable");
        }
      }
      return sessions.prepare(txn);
    }
    if (hookDir != null) {
      return prepareHooks(txn);
    }
    for (List<String> cmd : List.of(options.freeze(), options.thaw())) {
      File exe = new File(cmd.get(0));
      if (!exe.isFile() || !exe.canExecute()) {
        return WriterResult.nonRetryable("command " + exe + " does not exist or is not executable");
      }
    }
    return options.prepare().isEmpty() ? WriterResult.OK
        : run("prepare", "command", options.prepare(), txn, Map.of(), config.timeout());
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    if (sessions != null) {
      return sessions.freeze(txn);
    }
    Map<String, String> env = Map.of("GROUPSNAP_LEASE_DEADLINE_MILLIS", Long.toString(leaseDeadline.toEpochMilli()));
    if (hookDir != null) {
      return freezeHooks(txn, env);
    }
    return run("freeze", "command", options.freeze(), txn, env, config.timeout());
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    if (sessions != null) {
      return sessions.thaw(txn);
    }
    if (hookDir != null) {
      return thawHooks(txn);
    }
    return run("thaw", "command", options.thaw(), txn, Map.of(), config.timeout());
  }

  @Override
  public void abort(TxnContext txn) {
    if (sessions != null) {
      sessions.abort(txn);
    } else if (hookDir != null) {
      abortHooks(txn);
    } else if (!options.abort().isEmpty()) {
      run("abort", "command", options.abort(), txn, Map.of(), config.timeout());
    }
  }

  /** In session mode, ends every session still open (thaws what is frozen, aborts the rest). */
  @Override
  public void close() {
    if (sessions != null) {
      sessions.close();
    }
  }

  /** The process ids of the transaction's session hooks, in order; empty outside session mode or without one. */
  List<Long> sessionPids(String txnId) {
    return sessions == null ? List.of() : sessions.pids(txnId);
  }

  /** One transaction's hooks, as listed at prepare, and how far its freeze got. Guarded by itself. */
  private static final class HookRun {
    final List<Path> hooks;
    /** Hooks whose freeze has started (the first {@code started} of {@link #hooks}). */
    int started;
    /** A thaw, a rollback or an abort has taken the hold over; no further hook may freeze. */
    boolean released;
    WriterResult thawAnswer;

    HookRun(List<Path> hooks) {
      this.hooks = hooks;
    }
  }

  private WriterResult prepareHooks(TxnContext txn) {
    List<Path> hooks;
    try {
      hooks = HookDir.list(hookDir);
    } catch (IOException e) {
      return WriterResult.nonRetryable("options." + ExecWriterOptions.HOOK_DIR + ": " + e.getMessage());
    }
    long deadline = System.nanoTime() + config.timeout().toNanos();
    for (int i = 0; i < hooks.size(); i++) {
      WriterResult r = runHook("prepare", hooks.get(i), txn, Map.of(), deadline);
      if (!r.ok()) {
        runAll("abort", hooks.subList(0, i + 1), txn);
        return r;
      }
    }
    synchronized (runs) {
      runs.put(txn.txnId(), new HookRun(hooks));
    }
    return WriterResult.OK;
  }

  private WriterResult freezeHooks(TxnContext txn, Map<String, String> env) {
    HookRun run = recall(txn.txnId());
    if (run == null) {
      return WriterResult.nonRetryable("transaction " + txn.txnId() + " was not prepared by this writer (its hooks "
          + "are listed at prepare)");
    }
    long deadline = System.nanoTime() + config.timeout().toNanos();
    for (int i = 0; i < run.hooks.size(); i++) {
      synchronized (run) {
        if (run.released) {
          return WriterResult.nonRetryable("released before hook " + run.hooks.get(i).getFileName() + " froze");
        }
        run.started = i + 1;
      }
      WriterResult r = runHook("freeze", run.hooks.get(i), txn, env, deadline);
      if (!r.ok()) {
        int frozen;
        synchronized (run) {
          if (run.released) {
            return r; // a thaw (the lease watchdog) has taken over and thaws what was started
          }
          run.released = true;
          frozen = run.started;
        }
        WriterResult undo = runAll("thaw", run.hooks.subList(0, frozen), txn);
        synchronized (run) {
          run.thawAnswer = undo;
        }
        return undo.ok() ? r : new WriterResult(r.outcome(), r.reason() + "; then " + undo.reason());
      }
    }
    return WriterResult.OK;
  }

  private WriterResult thawHooks(TxnContext txn) {
    HookRun run = recall(txn.txnId());
    if (run == null) {
      // not prepared by this process: a restart's recovery thaws whatever the directory holds now
      try {
        return runAll("thaw", HookDir.list(hookDir), txn);
      } catch (IOException e) {
        return WriterResult.nonRetryable("options." + ExecWriterOptions.HOOK_DIR + ": " + e.getMessage());
      }
    }
    int frozen;
    synchronized (run) {
      if (run.released) {
        return run.thawAnswer != null ? run.thawAnswer : WriterResult.OK;
      }
      run.released = true;
      frozen = run.started;
    }
    WriterResult r = runAll("thaw", run.hooks.subList(0, frozen), txn);
    synchronized (run) {
      run.thawAnswer = r;
    }
    return r;
  }

  private void abortHooks(TxnContext txn) {
    HookRun run;
    synchronized (runs) {
      run = runs.remove(txn.txnId());
    }
    List<Path> hooks;
    if (run != null) {
      int frozen;
      synchronized (run) {
        frozen = run.released ? 0 : run.started;
        run.released = true;
      }
      runAll("thaw", run.hooks.subList(0, frozen), txn);
      hooks = run.hooks;
    } else {
      try {
        hooks = HookDir.list(hookDir);
      } catch (IOException e) {
        return;
      }
    }
    runAll("abort", hooks, txn);
  }

  private HookRun recall(String txnId) {
    synchronized (runs) {
      return runs.get(txnId);
    }
  }

  /**
   * Runs {@code phase} on every one of {@code hooks} in reverse order, whatever the earlier ones answered: each gets the
   * time left of the call's timeout, and at least its share of it.
   */
  private WriterResult runAll(String phase, List<Path> hooks, TxnContext txn) {
    if (hooks.isEmpty()) {
      return WriterResult.OK;
    }
    long share = config.timeout().toNanos() / hooks.size();
    long deadline = System.nanoTime() + config.timeout().toNanos();
    List<String> failures = new ArrayList<>();
    WriterResult.Outcome worst = WriterResult.Outcome.OK;
    for (int i = hooks.size() - 1; i >= 0; i--) {
      WriterResult r = runHook(phase, hooks.get(i), txn, Map.of(), Math.max(deadline, System.nanoTime() + share));
      if (!r.ok()) {
        failures.add(r.reason());
        worst = worst == WriterResult.Outcome.NON_RETRYABLE ? worst : r.outcome();
      }
    }
    return failures.isEmpty() ? WriterResult.OK : new WriterResult(worst, String.join("; ", failures));
  }

  private WriterResult runHook(String phase, Path hook, TxnContext txn, Map<String, String> env, long deadline) {
    long left = deadline - System.nanoTime();
    String what = "hook " + hook.getFileName();
    if (left <= 0) {
      return WriterResult.nonRetryable(phase + " " + what + " not started: the writer's timeout of "
          + config.timeout().toMillis() + "ms was used up by the hooks before it");
    }
    return run(phase, what, List.of(hook.toString(), phase), txn, env, Duration.ofNanos(left));
  }

  private WriterResult run(String phase, String what, List<String> argv, TxnContext txn,
      Map<String, String> extraEnv, Duration timeout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GROUPSNAP_PHASE", phase);
    env.put("GROUPSNAP_TXN", txn.txnId());
    env.put("GROUPSNAP_EPOCH", Long.toString(txn.epoch()));
    env.put("GROUPSNAP_VOLUMES", String.join(",", txn.volumes()));
    env.putAll(extraEnv);
    return run(phase, what, argv, env, timeout);
  }

  // ---- in-place restores: ExecRestoreEvents ----

  @Override
  public WriterResult preRestore(RestoreContext restore) {
    return restoreEvents.pre(restore);
  }

  @Override
  public WriterResult postRestore(RestoreContext restore, boolean restored) {
    return restoreEvents.post(restore, restored);
  }

  private WriterResult run(String phase, String what, List<String> argv, Map<String, String> phaseEnv,
      Duration timeout) {
    return process.run(phase, what, argv, phaseEnv, timeout);
  }
}
