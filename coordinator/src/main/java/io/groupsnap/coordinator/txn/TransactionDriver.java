package io.groupsnap.coordinator.txn;

import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Transaction}s for real: carries out their actions through its ports — an {@link AgentClient}, a
 * {@link TxnStore}, a {@link Scheduler} for events and deadlines — and feeds the answers back as events. It reads no
 * clock of its own, so the simulation runs it on virtual time.
 *
 * <p>Threading: every transaction event, and every deadline, is handled on the {@code serial} lane, so a
 * transaction's state needs no locks. Store writes run on {@code storeWriter}, off the serial lane, so a slow
 * ZooKeeper never delays a THAW; their outcomes come back to the lane. Transactions whose members share no agent run
 * at the same time (issue 14: independent groups through one leader); one that shares an agent with a running
 * transaction, or with one queued before it, waits in a FIFO queue (two overlapping transactions would only make
 * agents refuse each other as busy). Each transaction has a {@link WriteLane} of its own: its record writes start one
 * at a time, each once the one before has completed and its outcome is on the serial lane, in the order it asked for
 * them; writes of different transactions overlap on the store writers' threads. {@link #submit},
 * {@link #leadershipLost} and {@link #isRunning} may be called from any thread.
 *
 * <p>The freeze window is kept free of the lane's own work: of one step's actions, the calls to agents are started
 * first (a THAW leaves before anything else is done with the last FROZEN answer), and progress reports met while the
 * transaction is FREEZING are held back and delivered, in order, once it has left FREEZING (a caller's stream is not
 * written to while members are frozen).
 */
public final class TransactionDriver {
  private static final Logger log = LoggerFactory.getLogger(TransactionDriver.class);

  /** Durable writes of transaction records. */
  public interface TxnStore {
    /**
     * Writes the record for the given state; COMMITTING is the commit point. Called on the store-writer executor; a
     * transaction's writes one at a time, each once the future of the one before has completed, in the order the
     * transaction asked for them. Writes of different transactions may be called at the same time, from different
     * threads. May block there (and return a completed future).
     *
     * @return completes when the write was applied; exceptionally with {@link UncertainWriteException} when its
     *     outcome is unknown, with any other exception when it was definitely not applied
     */
    CompletableFuture<Void> persist(TxnState state, GroupSnapshot record);
  }

  /** Progress of one transaction, called on the serial lane; must not block. */
  public interface Progress {
    void phase(String txnId, TxnState state, String detail);

    void member(String txnId, String agentId, MemberState state, String detail);

    Progress NONE = new Progress() {
      @Override
      public void phase(String txnId, TxnState state, String detail) {}

      @Override
      public void member(String txnId, String agentId, MemberState state, String detail) {}
    };
  }

  /**
   * Told of every transaction once it is final (its record is the one {@link #submit}'s future completes with), on the
   * serial lane after its freeze window has closed; must not block (the daemon counts it in its metrics).
   */
  @FunctionalInterface
  public interface Outcomes {
    void finished(GroupSnapshot record);

    Outcomes NONE = record -> { };
  }

  private final AgentClient agents;
  private final TxnStore store;
  private final Scheduler serial;
  private final Executor storeWriter;
  private final DecisionRule rule;
  private final Clock clock;
  private final LongSupplier nanos;
  private final FaultPoints faults;
  private final Outcomes outcomes;
  private final Queue<Running> queue = new ArrayDeque<>();
  /** Ids of the transactions queued or running: their records are theirs to write. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  /** The transactions started and not yet finished: no two share an agent. */
  private final List<Running> active = new ArrayList<>();

  /**
   * @param serial the lane every event and deadline of a transaction runs on (one at a time, in order)
   * @param storeWriter where {@link TxnStore#persist} is called: a transaction's writes one at a time, in order;
   *     several threads let writes of different transactions overlap
   * @param clock wall time for the record's timestamps
   * @param nanos monotonic time in nanoseconds, for durations and the freeze window
   * @param faults the points {@code coordinator.*} a test may arm
   */
  public TransactionDriver(AgentClient agents, TxnStore store, Scheduler serial, Executor storeWriter,
      DecisionRule rule, Clock clock, LongSupplier nanos, FaultPoints faults) {
    this(agents, store, serial, storeWriter, rule, clock, nanos, faults, Outcomes.NONE);
  }

  /** As above, telling {@code outcomes} of every final record. */
  public TransactionDriver(AgentClient agents, TxnStore store, Scheduler serial, Executor storeWriter,
      DecisionRule rule, Clock clock, LongSupplier nanos, FaultPoints faults, Outcomes outcomes) {
    this.outcomes = outcomes;
    this.agents = agents;
    this.store = store;
    this.serial = serial;
    this.storeWriter = storeWriter;
    this.rule = rule;
    this.clock = clock;
    this.nanos = nanos;
    this.faults = faults;
  }

  /**
   * Claims a transaction id before its {@link #submit}: false when a transaction of that id is queued or running here,
   * or the id is claimed already. From now on {@link #isRunning} is true of it, until its transaction has finished or
   * {@link #unclaim} gives it back. Thread-safe.
   */
  public boolean claim(String txnId) {
    return running.add(txnId);
  }

  /** Gives back a claimed id that will not be submitted after all. */
  public void unclaim(String txnId) {
    running.remove(txnId);
  }

  /** Queues a transaction (its id claimed or not); the future completes with its final record. */
  public CompletableFuture<GroupSnapshot> submit(TxnSpec spec, Progress progress) {
    Running r = new Running(new Transaction(spec, rule, clock, nanos), progress, new WriteLane(storeWriter));
    running.add(spec.txnId());
    serial.execute(() -> {
      queue.add(r);
      startNext();
      if (queue.contains(r)) {
        try (LogContext ignored = context(r)) {
          progress.phase(spec.txnId(), TxnState.BEGINNING, "queued behind " + blocker(r));
        }
      }
    });
    return r.result;
  }

  /** This coordinator lost leadership: the active transactions stop issuing commands; queued ones fail. */
  public void leadershipLost(String why) {
    serial.execute(() -> {
      Running q;
      while ((q = queue.poll()) != null) { // first, so that finishing the active one starts none of them
        running.remove(q.txn.spec().txnId());
        q.result.completeExceptionally(new IllegalStateException("leadership lost before the transaction started; "
            + "retry (the CLI follows the new leader)"));
      }
      for (Running a : List.copyOf(active)) {
        feed(a, new TxnEvent.LeadershipLost(why));
      }
    });
  }

  /**
   * Whether a transaction is queued or running here. A record whose transaction is not is no longer written by this
   * driver (except a COMMITTED record's finalized flag, written just after the transaction finished). Thread-safe.
   */
  public boolean isRunning(String txnId) {
    return running.contains(txnId);
  }

  /**
   * Starts every queued transaction that shares no agent with a running one nor with one queued before it (so
   * overlapping transactions keep their FIFO order and none is overtaken for ever).
   */
  private void startNext() {
    Set<String> taken = new HashSet<>();
    active.forEach(a -> taken.addAll(agents(a)));
    List<Running> starting = new ArrayList<>();
    for (Iterator<Running> it = queue.iterator(); it.hasNext(); ) {
      Running r = it.next();
      Set<String> mine = agents(r);
      if (Collections.disjoint(mine, taken)) {
        it.remove();
        active.add(r);
        starting.add(r);
      }
      taken.addAll(mine);
    }
    starting.forEach(this::start); // after the walk: a start that fails at once calls startNext again
  }

  private static Set<String> agents(Running r) {
    Set<String> ids = new HashSet<>();
    r.txn.spec().members().forEach(m -> ids.add(m.agentId()));
    return ids;
  }

  /** The id of the running or earlier queued transaction that shares an agent with {@code r}. */
  private String blocker(Running r) {
    Set<String> mine = agents(r);
    for (Running a : active) {
      if (!Collections.disjoint(mine, agents(a))) {
        return a.txn.spec().txnId();
      }
    }
    for (Running q : queue) {
      if (q != r && !Collections.disjoint(mine, agents(q))) {
        return q.txn.spec().txnId();
      }
    }
    return "another transaction";
  }

  private void start(Running r) {
    List<TxnAction> actions;
    try (LogContext ignored = context(r)) {
      try {
        actions = r.txn.start();
      } catch (RuntimeException e) {
        broken(r, e);
        return;
      }
      apply(r, actions);
    }
  }

  private void feed(Running r, TxnEvent event) {
    if (r.result.isDone()) {
      return;
    }
    List<TxnAction> actions;
    try (LogContext ignored = context(r)) {
      try {
        actions = r.txn.on(event);
      } catch (RuntimeException e) {
        broken(r, e);
        return;
      }
      apply(r, actions);
    }
  }

  /** Names the transaction on every log line written while handling it (lanes do not carry the MDC along). */
  private static LogContext context(Running r) {
    return LogContext.txn(r.txn.spec().txnId(), r.txn.spec().group());
  }

  /**
   * The state machine threw (a bug): the transaction ends here so that the ones queued behind it still run. What it
   * left is resolved as any unfinished record is: an undecided one is aborted by the periodic pass, and every hold
   * ends with its lease on the agents.
   */
  private void broken(Running r, RuntimeException e) {
    String id = r.txn.spec().txnId();
    log.error("txn {}: the transaction failed in {} and is left to the periodic resolution", id, r.txn.state(), e);
    running.remove(id);
    r.result.completeExceptionally(e);
    if (active.remove(r)) {
      startNext();
    }
  }

  private void apply(Running r, List<TxnAction> actions) {
    boolean freezing = sends(actions, TxnAction.Call.FREEZE);
    boolean thawing = sends(actions, TxnAction.Call.THAW);
    if (thawing) {
      faults.hit("coordinator.after-all-frozen");
    }
    // calls first: nothing else a step does (records, deadlines, progress) is needed before an agent hears of it
    for (TxnAction a : actions) {
      if (a instanceof TxnAction.Send s) {
        send(r, s);
      }
    }
    boolean windowOpen = r.txn.state() == TxnState.FREEZING;
    for (TxnAction a : actions) {
      if (a instanceof TxnAction.Send) {
        continue;
      } else if (a instanceof TxnAction.Persist p) {
        r.writes.enqueue(() -> persist(r, p));
      } else if (a instanceof TxnAction.ArmDeadline d) {
        serial.schedule(d.after(), () -> feed(r, new TxnEvent.DeadlinePassed(d.state())));
      } else if (a instanceof TxnAction.PhaseChanged p) {
        r.reports.report(windowOpen, () -> r.progress.phase(r.txn.spec().txnId(), p.state(), p.detail()));
      } else if (a instanceof TxnAction.MemberChanged m) {
        r.reports.report(windowOpen, () -> r.progress.member(r.txn.spec().txnId(), m.agentId(), m.state(), m.detail()));
      } else if (a instanceof TxnAction.Finish f) {
        r.reports.flush();
        finish(r, f.result());
      }
    }
    if (!windowOpen) {
      r.reports.flush();
    }
    if (freezing) {
      faults.hit("coordinator.after-freeze-sent");
    }
    if (thawing) {
      faults.hit("coordinator.after-thaw-sent");
    }
  }

  private static boolean sends(List<TxnAction> actions, TxnAction.Call call) {
    return actions.stream().anyMatch(a -> a instanceof TxnAction.Send s && s.call() == call);
  }

  /**
   * On a store writer, once the transaction's previous write has completed: starts the write; its outcome goes back
   * to the serial lane as an event. The future completes once that event was posted (the lane's next write waits).
   */
  private CompletableFuture<?> persist(Running r, TxnAction.Persist p) {
    try (LogContext ignored = context(r)) {
      return startPersist(r, p);
    }
  }

  private CompletableFuture<?> startPersist(Running r, TxnAction.Persist p) {
    boolean commit = p.state() == TxnState.COMMITTING;
    CompletableFuture<Void> write;
    try {
      if (commit) {
        faults.hit("coordinator.before-commit-write");
      }
      write = store.persist(p.state(), p.record());
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    return write.whenComplete((ok, err) -> {
      try (LogContext ignored = context(r)) {
        persisted(r, p, commit, err);
      }
    });
  }

  /** The outcome of a write, on whichever thread completed it: goes back to the serial lane as an event. */
  private void persisted(Running r, TxnAction.Persist p, boolean commit, Throwable err) {
    TxnEvent event;
    if (err == null) {
      if (commit) {
        faults.hit("coordinator.after-commit-write");
      }
      event = new TxnEvent.Persisted(p.state());
    } else {
      Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      log.warn("txn {}: could not persist {}: {}", p.record().getId(), p.state(), e.toString());
      event = new TxnEvent.PersistFailed(p.state(), e.getMessage() == null ? e.toString() : e.getMessage(),
          !(e instanceof UncertainWriteException));
    }
    serial.execute(() -> feed(r, event));
  }

  private void send(Running r, TxnAction.Send s) {
    TxnSpec spec = r.txn.spec();
    Member m = s.member();
    String id = m.agentId();
    CompletableFuture<TxnEvent> call = switch (s.call()) {
      case PREPARE -> agents.prepare(spec, m).thenApply(x -> new TxnEvent.PrepareAnswered(id, x));
      case FREEZE -> agents.freeze(spec, m).thenApply(x -> new TxnEvent.FreezeAnswered(id, x));
      case THAW -> agents.thaw(spec, m).thenApply(x -> new TxnEvent.ThawAnswered(id, x));
      case COMMIT -> agents.commit(spec, m).thenApply(x -> new TxnEvent.CommitAnswered(id, x));
      case ABORT -> agents.abort(spec, m, r.txn.record().getAbortReason())
          .thenApply(x -> new TxnEvent.AbortAnswered(id, x));
    };
    call.whenComplete((event, err) -> serial.execute(() -> feed(r, event != null ? event : failed(s, id, err))));
  }

  /** The client broke its contract (its futures never fail): the call counts as refused, with the exception. */
  private static TxnEvent failed(TxnAction.Send s, String id, Throwable err) {
    String why = "call failed: " + err;
    Replies.Failure f = Replies.Failure.REFUSED;
    return switch (s.call()) {
      case PREPARE -> new TxnEvent.PrepareAnswered(id, Replies.PrepareReply.failed(f, why));
      case FREEZE -> new TxnEvent.FreezeAnswered(id, Replies.FreezeReply.failed(f, why));
      case THAW -> new TxnEvent.ThawAnswered(id, Replies.ThawReply.failed(f, why));
      case COMMIT -> new TxnEvent.CommitAnswered(id, Ack.failed(f, why));
      case ABORT -> new TxnEvent.AbortAnswered(id, Ack.failed(f, why));
    };
  }

  private void finish(Running r, GroupSnapshot result) {
    logOutcome(result);
    try {
      outcomes.finished(result);
    } catch (RuntimeException e) {
      log.warn("txn {}: its outcome was not counted: {}", result.getId(), e.toString());
    }
    running.remove(r.txn.spec().txnId());
    r.result.complete(result);
    if (active.remove(r)) {
      startNext();
    }
  }

  /** One line per transaction, once it is final (never inside a freeze window): what an operator looks for first. */
  private static void logOutcome(GroupSnapshot g) {
    if (g.getState() == io.groupsnap.proto.v1.GroupSnapshotState.COMMITTED) {
      log.info("txn {}: COMMITTED, {} member(s), prepare {}ms, freeze window {}ms (coordinator saw {}ms)", g.getId(),
          g.getMembersCount(), g.getPrepareMillis(), g.getFreezeWindowMillis(), g.getCoordinatorWindowMillis());
    } else {
      log.info("txn {}: {}{}: {}", g.getId(), g.getState(),
          g.getAbortMember().isEmpty() ? "" : " (member " + g.getAbortMember() + ")", g.getAbortReason());
    }
  }

  private static final class Running {
    final Transaction txn;
    final Progress progress;
    final CompletableFuture<GroupSnapshot> result = new CompletableFuture<>();
    /** Progress reports, held back while the transaction is FREEZING. */
    final HeldReports reports;
    /** Its record writes, one at a time in the order asked for, beside those of other transactions. */
    final WriteLane writes;

    Running(Transaction txn, Progress progress, WriteLane writes) {
      this.txn = txn;
      this.progress = progress;
      this.writes = writes;
      this.reports = new HeldReports(txn.spec().txnId());
    }
  }
}
