package io.groupsnap.agent.writer.cgroup;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.ConfiguredWriter;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer kind {@code cgroup}: freezes every process of a cgroup, for applications that know nothing of groupsnap.
 *
 * <p><b>Consistency on its own.</b> While frozen, no process of the cgroup (subtree included) runs, so none writes:
 * the volumes it writes to are captured as after a power cut of the application at that instant — crash-consistent
 * for the application, not application-consistent (nothing was flushed first). I/O the processes had already submitted
 * may still complete; the file-system tier (fsfreeze or an atomic snapshot) takes care of that.
 *
 * <p><b>Options.</b> Exactly one of {@code cgroup} — an absolute directory under {@code /sys/fs/cgroup}, no {@code .}
 * or {@code ..}: a cgroup v2 directory (with {@code cgroup.freeze}) or a cgroup v1 freezer directory (with
 * {@code freezer.state}) — or {@code unit}, a systemd unit name ({@code app.service}, also {@code .scope},
 * {@code .slice}, {@code .socket}, {@code .mount}, {@code .swap}), resolved at every PREPARE with
 * {@code systemctl show -p ControlGroup --value <unit>} (never inside the freeze window), found in the v2 hierarchy
 * first and else in the v1 freezer. {@code allowEmpty: "true"} lets PREPARE accept a cgroup with no process (by
 * default refused: an application that is not running, or a wrong path, would otherwise be "held" by a no-op).
 *
 * <p><b>Phases.</b> PREPARE checks the cgroup exists and has a freezer, does not hold this agent (a thread of the agent
 * in the cgroup or below it: the agent would freeze itself and never thaw), is not frozen already (some other tool
 * holds it: RETRYABLE) and has processes, and that the control file is writable. FREEZE writes {@code 1} /
 * {@code FROZEN} and polls until the kernel reports the whole subtree frozen ({@code frozen 1} in
 * {@code cgroup.events}, {@code FROZEN} in {@code freezer.state}), pausing 50µs at first and at most 2ms (v1: writing
 * {@code FROZEN} again every 100ms, as a v1 freeze can stay incomplete until asked again); a freeze that
 * does not complete within the writer's {@code timeout} (a process in uninterruptible sleep, say) is thawed and
 * NON_RETRYABLE. The poll is deliberate: kernfs announces {@code cgroup.events} changes to inotify only for files
 * already looked up, and Java's watch service watches directories, so a notification can be missed. THAW writes
 * {@code 0} / {@code THAWED}; it is idempotent.
 *
 * <p><b>Was the hold unbroken?</b> Just after the freeze completes the writer notes the subtree's processes and how
 * its frozen state can be followed (see {@link Cgroup}): on v1 the run time of its tasks (a v1-frozen task sleeps in a
 * state no signal wakes, so it stands still), on v2 the kernel's count of the cgroup's frozen time,
 * {@code frozen_usec} (Linux 6.17+), read between two clock readings. THAW, before thawing, answers not OK when the
 * kernel no longer reports the cgroup frozen (someone thawed it), when processes joined or left, or when it was thawed
 * and frozen again in between: v1, its tasks ran; v2, the frozen time grew less than the time that passed. Blind spots,
 * documented rather than guessed at: a process moved out, run elsewhere and moved back; on v2 a thaw-and-refreeze
 * shorter than the two reads' own duration (tens to hundreds of microseconds); and on v2 kernels without
 * {@code frozen_usec}, any thaw-and-refreeze (only "thawed and left thawed" is seen). CPU time cannot serve on v2: a
 * v2-frozen task woken by a signal (a timer, a child's exit) runs a few microseconds in the kernel and sleeps again,
 * still frozen, which would mark sound holds broken. On v1, a task's last slice could in theory be accounted a moment
 * after the kernel reports it frozen; that could only cause a false "broken" (a retried snapshot), never a false
 * "unbroken".
 *
 * <p><b>Ending the hold without a THAW.</b> The agent's lease watchdog calls {@link #thaw} when the lease runs out; a
 * restarted agent calls it for every transaction in its journal. A thaw this process knows nothing about (after a
 * restart) thaws unconditionally: groupsnap takes the freezer state of the configured cgroup as its own, so do not
 * point it at a cgroup another tool freezes ({@code systemctl freeze} included).
 *
 * <p>Needs root (writes to cgroupfs), a kernel with the v2 freezer (5.2+) or a mounted v1 freezer hierarchy, and for
 * {@code unit} a running systemd. Keeps no captures. Threading: {@link #thaw} may come from the lease watchdog during a
 * {@link #freeze}; a thaw before the freeze's write prevents it, a thaw during the wait ends it.
 */
public final class CgroupWriter extends ConfiguredWriter {
  private static final long FIRST_PAUSE_NANOS = 50_000;
  private static final long MAX_PAUSE_NANOS = 2_000_000;
  private static final long V1_REASK_NANOS = 100_000_000;
  private static final int KEEP_HOLDS = 16;
  /** frozen_usec and the elapsed time are both truncated to whole microseconds. */
  private static final long ROUNDING_MICROS = 2;
  private static final Logger log = LoggerFactory.getLogger(CgroupWriter.class);

  private final CgroupTarget target;
  private final boolean allowEmpty;
  /** The holds of the most recent transactions, by id. */
  private final Map<String, Hold> holds = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Hold> eldest) {
      return size() > KEEP_HOLDS;
    }
  };

  public CgroupWriter(WriterConfig config, CgroupOptions options, CommandRunner commands) {
    this(config, options, commands, CgroupTarget.SYSTEMD_RUNNING);
  }

  /** With the path whose existence says systemd is running (tests). */
  CgroupWriter(WriterConfig config, CgroupOptions options, CommandRunner commands, Path systemdRunning) {
    super(config, "cgroup");
    this.target = new CgroupTarget(options.cgroup(), options.unit(), commands, systemdRunning, config.timeout());
    this.allowEmpty = options.allowEmpty();
  }

  /** Stops the writer's systemd unit for an in-place restore ({@code systemctl stop}); refused without a unit. */
  @Override
  public WriterResult preRestore(RestoreContext restore) {
    return target.unitCommand("stop", name());
  }

  /** Starts the unit again, on whatever data the restore left ({@code systemctl start}). */
  @Override
  public WriterResult postRestore(RestoreContext restore, boolean restored) {
    return target.unitCommand("start", name());
  }

  /** Where the hold of one transaction is. */
  private enum State { PREPARED, FREEZING, FROZEN, RELEASED }

  /** One transaction's hold. Guarded by itself. */
  private static final class Hold {
    final Cgroup cgroup;
    final String label;
    State state = State.PREPARED;
    Set<Long> members = Set.of();
    /** v1: the run time of its tasks when frozen. */
    long runNanos;
    /** v2: the kernel's frozen time when frozen; null when the kernel does not account it. */
    Cgroup.FrozenTime frozenTime;
    WriterResult thawAnswer;

    Hold(Cgroup cgroup, String label) {
      this.cgroup = cgroup;
      this.label = label;
    }
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    Cgroup cg;
    try {
      cg = target.resolve();
    } catch (CgroupTarget.Unresolved u) {
      return u.result;
    }
    String label = target.label(cg);
    try {
      for (Path own : Cgroup.ofThisProcess()) {
        if (own.startsWith(cg.dir())) {
          return WriterResult.nonRetryable(label + " holds this agent itself (its cgroup " + own
              + "): the agent would freeze itself");
        }
      }
      if (!cg.thawed()) {
        return WriterResult.retryable(label + " is already frozen (" + cg.describe() + "): another tool holds it");
      }
      if (!allowEmpty && !cg.populated()) {
        return WriterResult.nonRetryable(label + " has no process (is the application running? set options."
            + CgroupOptions.ALLOW_EMPTY + ": \"true\" to take snapshots without it)");
      }
      if (!Files.isWritable(cg.control())) {
        return WriterResult.nonRetryable(label + ": " + cg.control() + " is not writable by the agent (needs root)");
      }
    } catch (IOException | RuntimeException e) {
      return WriterResult.nonRetryable(label + ": cannot be checked: " + e.getMessage());
    }
    synchronized (holds) {
      holds.put(txn.txnId(), new Hold(cg, label));
    }
    return WriterResult.OK;
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    Hold h = recall(txn.txnId());
    if (h == null) {
      return WriterResult.nonRetryable("transaction " + txn.txnId() + " was not prepared by this writer");
    }
    synchronized (h) {
      if (h.state != State.PREPARED) {
        return WriterResult.nonRetryable(h.label + ": released before its freeze (" + h.state + ")");
      }
      h.state = State.FREEZING;
      try {
        h.cgroup.requestFreeze();
      } catch (IOException e) {
        return failFreeze(h, h.label + ": cannot freeze: " + e.getMessage(), false);
      }
    }
    long start = System.nanoTime();
    long deadline = start + config.timeout().toNanos();
    long pause = FIRST_PAUSE_NANOS;
    long lastAsk = start;
    while (true) {
      boolean frozen;
      try {
        frozen = h.cgroup.frozen();
      } catch (IOException e) {
        return failFreeze(h, h.label + ": cannot read its freezer state: " + e.getMessage(), false);
      }
      synchronized (h) {
        if (h.state != State.FREEZING) {
          return WriterResult.nonRetryable(h.label + ": thawed before its freeze completed");
        }
        if (frozen) {
          try {
            h.members = h.cgroup.members();
            if (h.cgroup.version() == Cgroup.Version.V1) {
              h.runNanos = h.cgroup.runNanos();
            } else {
              h.frozenTime = h.cgroup.frozenTime().orElse(null);
            }
          } catch (IOException | RuntimeException e) {
            return failFreeze(h, h.label + ": frozen, but what it holds cannot be read: " + e.getMessage(), false);
          }
          h.state = State.FROZEN;
          return WriterResult.OK;
        }
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        return failFreeze(h, h.label + " did not freeze within " + config.timeout().toMillis() + "ms ("
            + h.cgroup.describe() + "; a process may be in uninterruptible sleep)", false);
      }
      if (Thread.currentThread().isInterrupted()) {
        return failFreeze(h, h.label + ": freeze interrupted", true);
      }
      if (h.cgroup.version() == Cgroup.Version.V1 && now - lastAsk >= V1_REASK_NANOS) {
        // a v1 freeze can stay incomplete (a task forked at the wrong moment); asking again retries the stragglers
        synchronized (h) {
          if (h.state != State.FREEZING) {
            return WriterResult.nonRetryable(h.label + ": thawed before its freeze completed");
          }
          try {
            h.cgroup.requestFreeze();
          } catch (IOException e) {
            return failFreeze(h, h.label + ": cannot freeze: " + e.getMessage(), false);
          }
        }
        lastAsk = now;
      }
      LockSupport.parkNanos(Math.min(pause, deadline - now));
      pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
  }

  /** Thaws after a freeze that failed half-way, unless a thaw already took the hold over. */
  private WriterResult failFreeze(Hold h, String reason, boolean retryable) {
    synchronized (h) {
      if (h.state == State.FREEZING || h.state == State.FROZEN) {
        h.state = State.RELEASED;
        h.thawAnswer = WriterResult.OK;
        try {
          h.cgroup.requestThaw();
        } catch (IOException e) {
          h.thawAnswer = WriterResult.nonRetryable(h.label + ": cannot thaw: " + e.getMessage());
          reason += "; and it cannot be thawed: " + e.getMessage();
        }
      }
    }
    return retryable ? WriterResult.retryable(reason) : WriterResult.nonRetryable(reason);
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    Hold h = recall(txn.txnId());
    if (h == null) {
      return thawUnknown(txn);
    }
    State was;
    synchronized (h) {
      if (h.state == State.RELEASED) {
        return h.thawAnswer != null ? h.thawAnswer : WriterResult.OK;
      }
      was = h.state;
      h.state = State.RELEASED;
    }
    WriterResult answer = WriterResult.OK;
    if (was != State.PREPARED) {
      // read before thawing: afterwards the processes run again and nothing can be told any more
      String broken = was == State.FROZEN ? brokenHold(h) : h.label + ": thawed before its freeze completed";
      try {
        h.cgroup.requestThaw();
      } catch (IOException e) {
        broken = (broken == null ? "" : broken + "; ") + h.label + ": cannot thaw: " + e.getMessage();
      }
      answer = broken == null ? WriterResult.OK : WriterResult.nonRetryable(broken);
    }
    synchronized (h) {
      h.thawAnswer = answer;
    }
    return answer;
  }

  /** Why the hold cannot be vouched for, or null when the cgroup stayed frozen with the same processes. */
  private static String brokenHold(Hold h) {
    try {
      if (!h.cgroup.frozen()) {
        return h.label + " was thawed by someone else while held (" + h.cgroup.describe() + ")";
      }
      Set<Long> now = h.cgroup.members();
      if (!now.equals(h.members)) {
        Set<Long> joined = new TreeSet<>(now);
        joined.removeAll(h.members);
        Set<Long> left = new TreeSet<>(h.members);
        left.removeAll(now);
        return h.label + ": its processes changed while held (joined " + joined + ", left " + left + ")";
      }
      if (h.cgroup.version() == Cgroup.Version.V1) {
        long ran = h.cgroup.runNanos() - h.runNanos;
        if (ran != 0) {
          return h.label + ": its processes ran for " + ran / 1000 + "µs while held (thawed and frozen again by "
              + "someone else)";
        }
      } else if (h.frozenTime != null) {
        Cgroup.FrozenTime later = h.cgroup.frozenTime().orElseThrow(() -> new IOException("frozen_usec vanished"));
        // at least this much time passed between the two readings; the kernel must have counted all of it as frozen
        long elapsedMicros = (later.before() - h.frozenTime.after()) / 1000;
        long missing = elapsedMicros - (later.micros() - h.frozenTime.micros()) - ROUNDING_MICROS;
        if (missing > 0) {
          return h.label + " was not frozen for at least " + missing + "µs of the hold (thawed and frozen again by "
              + "someone else)";
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return h.label + ": cannot tell whether it stayed frozen: " + e.getMessage();
    }
  }

  /** A thaw for a transaction this process did not prepare (after a restart): thaws whatever the state. */
  private WriterResult thawUnknown(TxnContext txn) {
    try {
      Cgroup cg = target.resolve();
      cg.requestThaw();
      log.info("writer {}: thawed {} for transaction {} (not prepared by this process)", name(), cg.dir(),
          txn.txnId());
      return WriterResult.OK;
    } catch (CgroupTarget.Unresolved u) {
      return u.result;
    } catch (IOException e) {
      return WriterResult.nonRetryable("cannot thaw: " + e.getMessage());
    }
  }

  @Override
  public void abort(TxnContext txn) {
    Hold h = recall(txn.txnId());
    if (h == null) {
      return;
    }
    synchronized (h) {
      if (h.state == State.FREEZING || h.state == State.FROZEN) {
        h.thawAnswer = WriterResult.nonRetryable(h.label + ": released by abort");
        try {
          h.cgroup.requestThaw();
        } catch (IOException e) {
          log.error("writer {}: {} could not be thawed at abort: {}", name(), h.cgroup.dir(), e.getMessage());
        }
      }
      h.state = State.RELEASED;
    }
  }

  private Hold recall(String txnId) {
    synchronized (holds) {
      return holds.get(txnId);
    }
  }
}
