package io.groupsnap.common.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.MDC;

/**
 * The transaction, backup run and group that the current thread works for, kept in the SLF4J MDC so that every log line
 * written meanwhile names them ({@code [txn=...]} in text logs, {@code "txn"} in JSON logs). Executors and lanes hand
 * work between threads and the MDC does not follow, so each task that concerns one transaction opens a context itself:
 * <pre>{@code try (LogContext ignored = LogContext.txn(txnId, group)) { ... } }</pre>
 * Closing restores what the thread had before, so contexts nest (a run that starts a transaction). Opening one is a few
 * map writes: cheap enough for the freeze path, where it is opened once per call, never per volume.
 */
public final class LogContext implements AutoCloseable {
  /** MDC key of the group snapshot transaction id. */
  public static final String TXN = "txn";
  /** MDC key of the backup run id. */
  public static final String RUN = "run";
  /** MDC key of the group name. */
  public static final String GROUP = "group";

  private static final LogContext EMPTY = new LogContext(List.of());

  private final List<String[]> previous; // {key, value before this context (or null)}

  private LogContext(List<String[]> previous) {
    this.previous = previous;
  }

  /** Names transaction {@code txn} (no-op when null). */
  public static LogContext txn(String txn) {
    return open(TXN, txn, null, null);
  }

  /** Names transaction {@code txn} of {@code group}; either may be null (then it is left as it is). */
  public static LogContext txn(String txn, String group) {
    return open(TXN, txn, GROUP, group);
  }

  /** Names backup run {@code run} of {@code group}; either may be null (then it is left as it is). */
  public static LogContext run(String run, String group) {
    return open(RUN, run, GROUP, group);
  }

  /**
   * An executor that runs each task on {@code lane} inside {@link #txn(String, String)}: for the continuations of a
   * future chain ({@code thenApplyAsync(fn, executor)}) that all concern one transaction.
   */
  public static Executor txnExecutor(Executor lane, String txn, String group) {
    return task -> lane.execute(() -> {
      try (LogContext ignored = txn(txn, group)) {
        task.run();
      }
    });
  }

  private static LogContext open(String key1, String value1, String key2, String value2) {
    if (value1 == null && value2 == null) {
      return EMPTY;
    }
    List<String[]> previous = new ArrayList<>(2);
    put(previous, key1, value1);
    put(previous, key2, value2);
    return new LogContext(previous);
  }

  private static void put(List<String[]> previous, String key, String value) {
    if (key == null || value == null || value.isEmpty()) {
      return;
    }
    previous.add(new String[] {key, MDC.get(key)});
    MDC.put(key, value);
  }

  /** Restores the values the thread had before this context. */
  @Override
  public void close() {
    for (int i = previous.size() - 1; i >= 0; i--) {
      String[] entry = previous.get(i);
      if (entry[1] == null) {
        MDC.remove(entry[0]);
      } else {
        MDC.put(entry[0], entry[1]);
      }
    }
  }
}
