package io.groupsnap.agent.txn;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.Results.AbortResult;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.LocalSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's side of the protocol: prepare, freeze and capture, thaw with the "unbroken" answer, commit, abort.
 *
 * <p>Every call is idempotent per (txnId, phase): a repeated call returns the first answer, except that once a
 * transaction is aborted here, a PREPARE or FREEZE for it answers {@link Results.Vote#ABORTED} /
 * {@link Results.FreezeOutcome#ABORTED} with the cause (never an earlier "ok" or "frozen" whose captures are gone).
 * Every call is fenced by {@link EpochFence} first. At most one transaction is active (preparing, prepared, freezing
 * or holding) at a time; a second one is refused as RETRYABLE "busy".
 *
 * <p>A prepared transaction waits for its FREEZE only until its own deadline, which travels with the PREPARE as a
 * duration counted from its arrival ({@link #DEFAULT_FREEZE_WITHIN} when the PREPARE does not say). Then it is
 * aborted here (writers told, pending captures deleted, journal entry removed) by a timer on the injected scheduler,
 * so a vanished coordinator or a stray PREPARE cannot keep the agent busy. A PREPARE from a newer epoch also ends a
 * prepared (never a freezing or frozen) transaction of an older epoch at once: no FREEZE for it can pass the fence any
 * more.
 *
 * <p>Parts: {@link TxnTable} (transactions, tombstones, who may start), {@link Admission} (a request's limits; which
 * prepared transaction may be dropped), {@link LocalTxn} (one transaction; its state follows {@link AgentTxnState}'s
 * table), {@link PrepareRun} and {@link FreezeRun} (those phases' work), {@link LocalAbort}, {@link CaptureStore},
 * {@link RestartRecovery} (the journal), {@link VolumeRoots} (confinement).
 *
 * <p>Threading: any thread may call. A transaction's calls are serialized on its {@link LocalTxn} monitor; the
 * table's monitor guards the set of transactions; a transaction's {@code phaseLock} decides the steps that race
 * (FREEZE against ABORT, its deadline or a newer epoch). The lease watchdog releases a hold from the scheduler's
 * thread without the transaction's monitor ({@link FreezeHold}); the FREEZE deadline's timer drops a prepared
 * transaction from the scheduler's thread, under that monitor.
 */
public final class Participant {
  private static final Logger log = LoggerFactory.getLogger(Participant.class);

  /** The shortest lease accepted: below it a watchdog cannot be armed meaningfully. */
  public static final Duration MIN_LEASE = Duration.ofMillis(100);
  /**
   * How long a prepared transaction waits for its FREEZE when its PREPARE does not say (an older coordinator): what a
   * coordinator with the default timeouts needs (30s to collect every vote, then 10s for FROZEN answers).
   */
  public static final Duration DEFAULT_FREEZE_WITHIN = Duration.ofSeconds(40);
  /** The longest wait for FREEZE a PREPARE may ask for. */
  public static final Duration MAX_FREEZE_WITHIN = Duration.ofHours(1);

  private final String agentId;
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final List<Writer> writers;
  private final EpochFence fence;
  private final Clock clock;
  private final LongSupplier nanos;
  private final TxnTable table = new TxnTable();
  private final Admission admission;
  private final VolumeRoots roots = new VolumeRoots();
  private final CaptureStore captures;
  private final RestartRecovery journal;
  private final PrepareRun prepareRun;
  private final FreezeRun freezeRun;
  private final LocalAbort aborts;

  public Participant(String agentId, List<Volume> volumes, List<Writer> writers, SnapshotCatalog catalog,
      EpochFence fence, Path snapshotRoot, Duration maxLease, ScheduledExecutorService scheduler, Clock clock) {
    this(agentId, volumes, writers, catalog, fence, snapshotRoot, maxLease, scheduler, clock, System::nanoTime,
        TxnJournal.inMemory());
  }

  /**
   * With an injected monotonic clock: a simulation drives {@code scheduler}, {@code clock} and {@code nanos} from one
   * virtual time.
   */
  public Participant(String agentId, List<Volume> volumes, List<Writer> writers, SnapshotCatalog catalog,
      EpochFence fence, Path snapshotRoot, Duration maxLease, ScheduledExecutorService scheduler, Clock clock,
      LongSupplier nanos) {
    this(agentId, volumes, writers, catalog, fence, snapshotRoot, maxLease, scheduler, clock, nanos,
        TxnJournal.inMemory());
  }

  /** With the journal of transactions that may hold something frozen (see {@link TxnJournal}). */
  public Participant(String agentId, List<Volume> volumes, List<Writer> writers, SnapshotCatalog catalog,
      EpochFence fence, Path snapshotRoot, Duration maxLease, ScheduledExecutorService scheduler, Clock clock,
      LongSupplier nanos, TxnJournal journal) {
    this(agentId, volumes, writers, catalog, fence, snapshotRoot, maxLease, scheduler, clock, nanos, journal,
        FaultPoints.NONE);
  }

  /** With the fault points a FREEZE passes ({@code agent.freeze}, {@code agent.after-frozen}). */
  public Participant(String agentId, List<Volume> volumes, List<Writer> writers, SnapshotCatalog catalog,
      EpochFence fence, Path snapshotRoot, Duration maxLease, ScheduledExecutorService scheduler, Clock clock,
      LongSupplier nanos, TxnJournal journal, FaultPoints faults) {
    this.agentId = agentId;
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.writers = writers.stream().sorted(Comparator.comparingInt(Writer::tier)).toList();
    this.fence = fence;
    this.clock = clock;
    this.nanos = nanos;
    this.admission = new Admission(agentId, this.volumes.keySet(), maxLease, nanos);
    this.captures = new CaptureStore(this.volumes, catalog, snapshotRoot, clock);
    this.journal = new RestartRecovery(journal, this.volumes.values(), this.writers, clock);
    this.prepareRun = new PrepareRun(roots, captures, this.journal);
    this.freezeRun = new FreezeRun(scheduler, clock, nanos, faults);
    this.aborts = new LocalAbort(table, captures, this.journal, scheduler, nanos);
  }

  /**
   * Lets a new PREPARE that finds this agent busy with a transaction that is only prepared ask whether the record
   * already ended it (its ABORT was lost, e.g. while the host was cut off): if so it is dropped at once instead of
   * after the reaper's next pass or its FREEZE deadline.
   */
  public void consultRecords(Predicate<String> ended) {
    admission.consultRecords(ended);
  }

  /**
   * Tells {@code listener} of every hold from now on: when it starts and how it ended (the daemon's metrics); set
   * before the first FREEZE.
   */
  public void reportHoldsTo(HoldListener listener) {
    freezeRun.reportHoldsTo(listener);
  }

  /**
   * Confines volumes to these directories: a volume whose path, symbolic links resolved, is not under one of them is
   * refused at PREPARE (its path may have been swapped for a link since the configuration was checked). Empty: no
   * confinement.
   */
  public void confineVolumesTo(List<Path> roots) {
    this.roots.confineTo(roots);
  }

  /** PREPARE with the default wait for FREEZE ({@link #DEFAULT_FREEZE_WITHIN}). */
  public PrepareResult prepare(TxnRef ref, List<String> volumeNames, Duration lease) throws FencedException {
    return prepare(ref, volumeNames, lease, Duration.ZERO);
  }

  /**
   * PREPARE: checks volumes and writers and lets writers prepare; freezes nothing.
   *
   * @param freezeWithin how long, from now, the transaction waits prepared for its FREEZE before it is aborted here;
   *     zero for {@link #DEFAULT_FREEZE_WITHIN}
   * @throws IllegalArgumentException when {@code freezeWithin} is negative or above {@link #MAX_FREEZE_WITHIN}
   */
  public PrepareResult prepare(TxnRef ref, List<String> volumeNames, Duration lease, Duration freezeWithin)
      throws FencedException {
    long received = nanos.getAsLong();
    if (freezeWithin.isNegative() || freezeWithin.compareTo(MAX_FREEZE_WITHIN) > 0) {
      throw new IllegalArgumentException("freeze within " + freezeWithin.toMillis() + "ms is outside [0, "
          + MAX_FREEZE_WITHIN.toMillis() + "ms]");
    }
    Duration wait = freezeWithin.isZero() ? DEFAULT_FREEZE_WITHIN : freezeWithin;
    fence.admit(ref);
    Names.require("txn id", ref.txnId());
    Optional<TxnTable.Start> known = table.lookup(ref.txnId());
    if (known.isPresent()) {
      return answerKnown(ref, known.get());
    }
    Optional<PrepareResult> refused = admission.refuse(volumeNames, lease);
    if (refused.isPresent()) {
      return refused.get();
    }
    TxnTable.Start start = table.start(ref, admission::whyEnded, () -> new LocalTxn(ref, select(volumeNames),
        writers, lease, clock.instant(), wait, received + wait.toNanos()));
    if (!(start instanceof TxnTable.Started started)) {
      return answerKnown(ref, start);
    }
    started.toDrop().forEach(aborts::dropClaimed);
    LocalTxn txn = started.txn();
    synchronized (txn) {
      PrepareResult answer = prepareRun.run(txn);
      txn.transition(answer.ok() ? AgentTxnState.PREPARED : AgentTxnState.ABORTED);
      txn.prepareAnswer = answer;
      if (answer.ok()) {
        aborts.armFreezeDeadline(txn);
      }
      return answer;
    }
  }

  /** The answer to a PREPARE of a transaction that is not new, or that another one is in the way of. */
  private PrepareResult answerKnown(TxnRef ref, TxnTable.Start start) {
    if (start instanceof TxnTable.Buried b) {
      return PrepareResult.aborted(alreadyAborted(ref.txnId(), b.cause()));
    }
    if (start instanceof TxnTable.Busy busy) {
      return PrepareResult.no(true, "busy with transaction " + busy.other().ref.txnId());
    }
    LocalTxn existing = ((TxnTable.Known) start).txn();
    AbortCause cause = existing.endCause();
    if (cause != null) {
      return PrepareResult.aborted(alreadyAborted(ref.txnId(), cause));
    }
    PrepareResult answer = existing.prepareAnswer;
    return answer != null ? answer : PrepareResult.no(true, "transaction " + ref.txnId() + " is being prepared");
  }

  private String alreadyAborted(String txnId, AbortCause cause) {
    return "transaction " + txnId + " was already aborted on agent " + agentId + " (" + cause.describe() + ")";
  }

  /**
   * FREEZE: holds writers (by tier) and volumes, captures every volume, answers FROZEN. The lease runs from the moment
   * this call is accepted; when it runs out, the watchdog thaws everything and the hold counts as broken.
   */
  public FreezeResult freeze(TxnRef ref, Duration lease) throws FencedException, WrongPhaseException {
    fence.admit(ref);
    Optional<TxnTable.Start> known = table.lookup(ref.txnId());
    if (known.isPresent() && known.get() instanceof TxnTable.Buried b) {
      return FreezeResult.aborted(alreadyAborted(ref.txnId(), b.cause()));
    }
    if (known.isEmpty()) {
      throw unknown(ref);
    }
    LocalTxn txn = ((TxnTable.Known) known.get()).txn();
    synchronized (txn) {
      if (txn.state() == AgentTxnState.PREPARED && admission.deadlinePassed(txn)) {
        txn.claim(AbortCause.noFreezeWithin(txn.freezeWithin)); // its deadline passed before its timer ran
      }
      AbortCause ended = txn.endCause();
      if (ended != null) {
        if (txn.state() == AgentTxnState.PREPARED) {
          aborts.abortLocally(txn, ended);
        }
        return FreezeResult.aborted(alreadyAborted(ref.txnId(), ended));
      }
      if (txn.freezeAnswer != null) {
        return txn.freezeAnswer;
      }
      txn.expect(AgentTxnState.PREPARED, "FREEZE", agentId);
      if (!txn.startFreezing()) {
        // claimed by a newer PREPARE or the deadline timer since the check above: it drops the transaction
        return FreezeResult.aborted(alreadyAborted(ref.txnId(), txn.endCause()));
      }
      FreezeRun.Ran ran = freezeRun.run(txn, lease);
      ran.failure().ifPresent(f -> aborts.abortLocally(txn, f.kind() == FreezeRun.Failure.Kind.ABORTED
          ? AbortCause.ABORT : AbortCause.freezeFailed(f.message())));
      txn.freezeAnswer = ran.answer();
      return txn.freezeAnswer;
    }
  }

  /** THAW: releases the hold and says whether it was unbroken since the FROZEN answer. */
  public ThawResult thaw(TxnRef ref) throws FencedException, WrongPhaseException {
    fence.admit(ref);
    LocalTxn txn = require(ref);
    synchronized (txn) {
      if (txn.thawAnswer != null) {
        return txn.thawAnswer;
      }
      txn.expect(AgentTxnState.FROZEN, "THAW", agentId);
      FreezeHold.Outcome o = txn.hold.release(FreezeHold.Release.THAW);
      long held = (nanos.getAsLong() - txn.freezeStartNanos) / 1_000_000;
      String reason = switch (o.release()) {
        case THAW -> String.join("; ", o.problems());
        case LEASE_EXPIRED -> "freeze lease of " + txn.lease.toMillis() + "ms expired before THAW";
        default -> "hold was released early (" + o.release() + ")";
      };
      journal.forget(txn);
      txn.thawAnswer = new ThawResult(o.unbroken(), reason, clock.millis(), held, o.thawNanos() / 1_000_000);
      txn.transition(AgentTxnState.THAWED);
      log.info("txn {}: frozen in {}ms, held {}ms, {}", ref.txnId(), txn.freezeAnswer.timeToFrozenMillis(), held,
          o.unbroken() ? "unbroken" : "BROKEN: " + reason);
      return txn.thawAnswer;
    }
  }

  /** COMMIT: the group snapshot was committed; its captures here become kept. */
  public int commit(TxnRef ref) throws FencedException, WrongPhaseException, IOException {
    fence.admit(ref);
    LocalTxn txn = table.get(ref.txnId());
    if (txn == null) {
      return captures.markKept(ref.txnId());
    }
    synchronized (txn) {
      if (txn.state() == AgentTxnState.COMMITTED) {
        return txn.volumes.size();
      }
      txn.expect(AgentTxnState.THAWED, "COMMIT", agentId);
      if (!txn.thawAnswer.unbroken()) {
        throw new WrongPhaseException("transaction " + ref.txnId() + " cannot commit: its hold was broken");
      }
      int n = captures.markKept(ref.txnId());
      txn.transition(AgentTxnState.COMMITTED);
      for (Writer w : txn.writers) {
        try {
          w.committed(txn.context());
        } catch (RuntimeException e) {
          log.warn("txn {}: writer {} failed on its commit notice: {}", ref.txnId(), w.name(), e.toString());
        }
      }
      return n;
    }
  }

  /** ABORT: thaws if frozen, tells writers, deletes every capture of the transaction. */
  public AbortResult abort(TxnRef ref) throws FencedException, WrongPhaseException, IOException {
    fence.admit(ref);
    return aborts.abort(ref.txnId(), AbortCause.ABORT);
  }

  /**
   * The coordinator's record says the transaction was aborted, yet it is still in progress here (prepared, say): its
   * ABORT never arrived. Does what that ABORT would have done. For the reaper, which read the record; no request
   * carries an epoch to fence.
   */
  public AbortResult abortDecided(String txnId) throws WrongPhaseException, IOException {
    return aborts.abort(txnId, AbortCause.recordAborted());
  }

  /** Deletes this agent's captures of a committed group snapshot; returns how many. */
  public int deleteSnapshot(TxnRef ref) throws FencedException, WrongPhaseException, IOException {
    fence.admit(ref);
    if (table.isActive(ref.txnId())) {
      throw new WrongPhaseException("group snapshot " + ref.txnId() + " is still in progress");
    }
    return captures.delete(ref.txnId(), false);
  }

  public List<LocalSnapshot> snapshots(String groupSnapshotId) throws IOException {
    return captures.list(groupSnapshotId);
  }

  /** True while any transaction holds anything frozen on this agent. */
  public boolean isHolding() {
    return table.isHolding();
  }

  /**
   * True while any transaction is in progress here (preparing, prepared, freezing or holding): background work on
   * captures (the scrub's fingerprints) waits, so that nothing competes with a freeze window.
   */
  public boolean isBusy() {
    return table.isBusy();
  }

  /** Releases every hold (agent shutdown). */
  public void releaseAll() {
    table.releaseAll();
  }

  /**
   * After a restart: thaws every writer and volume of every transaction the journal says may hold something, and
   * forgets those transactions (their holds are broken; their captures wait for the reaper). Returns their ids.
   */
  public List<String> recoverAfterRestart() throws IOException {
    return journal.recover();
  }

  /** True while the transaction is in progress here (prepared, freezing or holding). */
  public boolean isActive(String txnId) {
    return table.isActive(txnId);
  }

  /** The coordinator's record says committed: keep the captures (a COMMIT this agent missed). */
  public int keep(String groupSnapshotId) throws IOException {
    return captures.markKept(groupSnapshotId);
  }

  /**
   * Deletes every capture of a group snapshot that is not committed (the reaper's decision, from the coordinator's
   * record), unless the transaction is in progress here.
   */
  public int reap(String groupSnapshotId) throws IOException {
    if (isActive(groupSnapshotId)) {
      return 0;
    }
    try {
      return captures.delete(groupSnapshotId, false);
    } catch (WrongPhaseException e) {
      return 0;
    }
  }

  /** Removes journal entries of transactions whose hold ended without THAW or ABORT (lease expired). */
  public void pruneJournal() throws IOException {
    journal.prune(table::holdEnded);
  }

  private List<Volume> select(List<String> names) {
    if (names.isEmpty()) {
      return List.copyOf(volumes.values());
    }
    return new LinkedHashSet<>(names).stream().map(volumes::get).toList();
  }

  private LocalTxn require(TxnRef ref) throws WrongPhaseException {
    LocalTxn txn = table.get(ref.txnId());
    if (txn == null) {
      throw unknown(ref);
    }
    return txn;
  }

  private WrongPhaseException unknown(TxnRef ref) {
    return new WrongPhaseException("unknown transaction " + ref.txnId() + " on agent " + agentId
        + " (not prepared here)");
  }
}
