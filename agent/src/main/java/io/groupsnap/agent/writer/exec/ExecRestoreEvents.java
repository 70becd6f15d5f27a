package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exec writer's restore events (in-place restores): its {@code preRestore} / {@code postRestore} commands, or every
 * hook of its hook directory as {@code HOOK pre-restore} (name order) and {@code HOOK post-restore} (reverse order,
 * the hooks that ran pre-restore). The restore is passed in the environment: {@code GROUPSNAP_PHASE},
 * {@code GROUPSNAP_RESTORE}, {@code GROUPSNAP_GROUP_SNAPSHOT}, {@code GROUPSNAP_EPOCH}, {@code GROUPSNAP_VOLUMES} and,
 * after, {@code GROUPSNAP_RESTORED} (true when the volumes were switched). Thread-safe.
 */
final class ExecRestoreEvents {
  static final String PRE_RESTORE = "pre-restore";
  static final String POST_RESTORE = "post-restore";

  private final String name;
  private final ExecWriterOptions options;
  private final Duration timeout;
  private final HookProcess process;
  /** Hooks that ran pre-restore, per restore, until post-restore. Guarded by itself. */
  private final Map<String, List<Path>> restoreHooks = new LinkedHashMap<>();

  ExecRestoreEvents(String name, ExecWriterOptions options, Duration timeout, HookProcess process) {
    this.name = name;
    this.options = options;
    this.timeout = timeout;
    this.process = process;
  }

  /**
   * Runs {@code preRestore} (or every hook with {@code pre-restore}, in name order; one failing runs
   * {@code post-restore} with GROUPSNAP_RESTORED=false for those before it and itself, and refuses). Without either
   * the restore is refused: an exec writer that was not told how to stop its application must not have its data
   * replaced under it.
   */
  WriterResult pre(Writer.RestoreContext restore) {
    if (options.hookDir() != null) {
      List<Path> hooks;
      try {
        hooks = HookDir.list(options.hookDir());
      } catch (IOException e) {
        return WriterResult.nonRetryable("options." + ExecWriterOptions.HOOK_DIR + ": " + e.getMessage());
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      for (int i = 0; i < hooks.size(); i++) {
        WriterResult r = runRestoreHook(PRE_RESTORE, hooks.get(i), restore, null, deadline);
        if (!r.ok()) {
          for (int j = i; j >= 0; j--) {
            runRestoreHook(POST_RESTORE, hooks.get(j), restore, false, System.nanoTime()
                + timeout.toNanos() / hooks.size());
          }
          return r;
        }
      }
      synchronized (restoreHooks) {
        restoreHooks.put(restore.restoreId(), hooks);
      }
      return WriterResult.OK;
    }
    if (options.preRestore().isEmpty()) {
      return WriterResult.nonRetryable("exec writer " + name + " has no preRestore command: an in-place restore "
          + "needs the application stopped (give preRestore and postRestore)");
    }
    return process.run(PRE_RESTORE, "command", options.preRestore(), restoreEnv(PRE_RESTORE, restore, null),
        timeout);
  }

  /** Runs {@code postRestore} (or the hooks that ran pre-restore, in reverse name order: each gets its share). */
  WriterResult post(Writer.RestoreContext restore, boolean restored) {
    if (options.hookDir() != null) {
      List<Path> hooks;
      synchronized (restoreHooks) {
        hooks = restoreHooks.remove(restore.restoreId());
      }
      if (hooks == null || hooks.isEmpty()) {
        return WriterResult.OK;
      }
      long share = timeout.toNanos() / hooks.size();
      List<String> failures = new ArrayList<>();
      for (int i = hooks.size() - 1; i >= 0; i--) {
        WriterResult r = runRestoreHook(POST_RESTORE, hooks.get(i), restore, restored, System.nanoTime() + share);
        if (!r.ok()) {
          failures.add(r.reason());
        }
      }
      return failures.isEmpty() ? WriterResult.OK : WriterResult.nonRetryable(String.join("; ", failures));
    }
    if (options.postRestore().isEmpty()) {
      return WriterResult.OK;
    }
    return process.run(POST_RESTORE, "command", options.postRestore(), restoreEnv(POST_RESTORE, restore, restored),
        timeout);
  }

  private WriterResult runRestoreHook(String phase, Path hook, Writer.RestoreContext restore, Boolean restored,
      long deadline) {
    long left = deadline - System.nanoTime();
    return process.run(phase, "hook " + hook.getFileName(), List.of(hook.toString(), phase),
        restoreEnv(phase, restore, restored), Duration.ofNanos(Math.max(left, 1)));
  }

  private static Map<String, String> restoreEnv(String phase, Writer.RestoreContext restore, Boolean restored) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GROUPSNAP_PHASE", phase);
    env.put("GROUPSNAP_RESTORE", restore.restoreId());
    env.put("GROUPSNAP_GROUP_SNAPSHOT", restore.groupSnapshotId());
    env.put("GROUPSNAP_EPOCH", Long.toString(restore.epoch()));
    env.put("GROUPSNAP_VOLUMES", String.join(",", restore.volumes()));
    if (restored != null) {
      env.put("GROUPSNAP_RESTORED", restored.toString());
    }
    return env;
  }
}
