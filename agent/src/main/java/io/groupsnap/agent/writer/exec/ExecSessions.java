package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.writer.Writer.TxnContext;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session mode of an exec writer: its {@link ExecSession}s by transaction, and the four phases on them. The
 * session command (the writer's {@code freeze} command) or every hook of the hook directory, as {@code HOOK session},
 * is started at PREPARE with the environment of the process-per-phase mode ({@code GROUPSNAP_PHASE=session}) and
 * {@code GROUPSNAP_SESSION=1}; THAW and ABORT end the session. Ended sessions are remembered a while, so that the
 * agent's thaw after a failed FREEZE gets the answer of the thaw that FREEZE already did. Thread-safe.
 */
final class ExecSessions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExecSessions.class);
  private static final int KEEP_ENDED = 16;

  private final String writer;
  private final ExecWriterOptions options;
  private final Duration timeout;
  private final Path logFile;
  /** Live and recently ended sessions, oldest first. Guarded by itself. */
  private final Map<String, ExecSession> sessions = new LinkedHashMap<>();
  private boolean closed;

  ExecSessions(String writer, ExecWriterOptions options, Duration timeout, Path logFile) {
    this.writer = writer;
    this.options = options;
    this.timeout = timeout;
    this.logFile = logFile;
  }

  WriterResult prepare(TxnContext txn) {
    synchronized (sessions) {
      if (closed) {
        return WriterResult.nonRetryable("exec writer " + writer + " is closing");
      }
    }
    List<ExecSession.Launch> launches = new ArrayList<>();
    if (options.hookDir() != null) {
      try {
        for (Path hook : HookDir.list(options.hookDir())) {
          launches.add(new ExecSession.Launch("hook " + hook.getFileName(), List.of(hook.toString(), "session")));
        }
      } catch (IOException e) {
        return WriterResult.nonRetryable("options." + ExecWriterOptions.HOOK_DIR + ": " + e.getMessage());
      }
    } else {
      launches.add(new ExecSession.Launch("command", options.freeze()));
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GROUPSNAP_PHASE", "session");
    env.put("GROUPSNAP_SESSION", "1");
    env.put("GROUPSNAP_TXN", txn.txnId());
    env.put("GROUPSNAP_EPOCH", Long.toString(txn.epoch()));
    env.put("GROUPSNAP_VOLUMES", String.join(",", txn.volumes()));
    ExecSession.Opened o = ExecSession.open(launches, env, logFile, timeout);
    if (!o.answer().ok()) {
      return o.answer();
    }
    ExecSession replaced;
    boolean refused;
    synchronized (sessions) {
      refused = closed;
      replaced = refused ? null : sessions.remove(txn.txnId());
      if (!refused) {
        sessions.put(txn.txnId(), o.session());
        forgetEnded();
      }
    }
    if (replaced != null) {
      replaced.end();
    }
    if (refused) {
      o.session().end();
      return WriterResult.nonRetryable("exec writer " + writer + " is closing");
    }
    return WriterResult.OK;
  }

  WriterResult freeze(TxnContext txn) {
    ExecSession s = find(txn.txnId());
    if (s == null || s.isEnded()) {
      return WriterResult.nonRetryable("transaction " + txn.txnId() + " has no session of this writer (its hooks "
          + "are started at prepare)");
    }
    return s.freeze();
  }

  WriterResult thaw(TxnContext txn) {
    ExecSession s = find(txn.txnId());
    if (s == null) {
      // not prepared by this process: the hooks of a previous one saw their input end when it went, and released
      log.info("exec writer {}: no session holds {} (hooks of an earlier agent process released at the end of their "
          + "input)", writer, txn.txnId());
      return WriterResult.OK;
    }
    return s.end();
  }

  void abort(TxnContext txn) {
    ExecSession s = find(txn.txnId());
    if (s != null) {
      s.end();
    }
  }

  /** The pids of the session's hooks, in order; empty when there is none. */
  List<Long> pids(String txnId) {
    ExecSession s = find(txnId);
    return s == null ? List.of() : s.pids();
  }

  /** Ends every live session (thaw what is frozen, abort the rest); no session starts afterwards. */
  @Override
  public void close() {
    List<ExecSession> live = new ArrayList<>();
    synchronized (sessions) {
      closed = true;
      live.addAll(sessions.values());
    }
    live.forEach(ExecSession::end);
  }

  private ExecSession find(String txnId) {
    synchronized (sessions) {
      return sessions.get(txnId);
    }
  }

  /** Drops the oldest ended sessions beyond {@link #KEEP_ENDED}; live ones are kept whatever their number. */
  private void forgetEnded() {
    int over = sessions.size() - KEEP_ENDED;
    for (Iterator<ExecSession> it = sessions.values().iterator(); over > 0 && it.hasNext(); ) {
      if (it.next().isEnded()) {
        it.remove();
        over--;
      }
    }
  }
}
