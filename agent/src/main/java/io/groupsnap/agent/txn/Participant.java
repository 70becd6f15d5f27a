package io.groupsnap.agent.txn;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.Results.AbortResult;
import io.groupsnap.agent.txn.Results.Capture;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.FailPoints;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.JournalEntry;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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
 * <p>Threading: calls for one transaction are serialized on its {@link LocalTxn}; the lease watchdog releases the
 * hold from the scheduler's thread without that lock (see {@link FreezeHold}).
 */
public final class Participant {
  private static final Logger log = LoggerFactory.getLogger(Participant.class);
  private static final int KEEP_FINISHED = 256;
  private static final String ABORT_CAUSE = "ABORT from the coordinator";

  private final String agentId;
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final List<Writer> writers;
  private final SnapshotCatalog catalog;
  private final EpochFence fence;
  private final Path snapshotRoot;
  private final Duration maxLease;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final LongSupplier nanos;
  private final TxnJournal journal;
  private final Map<String, LocalTxn> txns = new LinkedHashMap<>();
  /** Whether the coordinator's record already ended a transaction (an agent reads ZooKeeper); never by default. */
  private volatile java.util.function.Predicate<String> recordEnded = id -> false;
  /** Recently aborted transactions and why, so that a late PREPARE cannot revive one. */
  private final Map<String, String> aborted = new LinkedHashMap<>();
  private volatile List<Path> volumeRoots = List.of();
  /** The shortest lease accepted: below it a watchdog cannot be armed meaningfully. */
  public static final Duration MIN_LEASE = Duration.ofMillis(100);
  /**
   * How long a prepared transaction waits for its FREEZE when its PREPARE does not say (an older coordinator): what a
   * coordinator with the default timeouts needs (30s to collect every vote, then 10s for FROZEN answers).
   */
  public static final Duration DEFAULT_FREEZE_WITHIN = Duration.ofSeconds(40);
  /** The longest wait for FREEZE a PREPARE may ask for. */
  public static final Duration MAX_FREEZE_WITHIN = Duration.ofHours(1);

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
    this.journal = journal;
    this.nanos = nanos;
    this.agentId = agentId;
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.writers = writers.stream().sorted(Comparator.comparingInt(Writer::tier)).toList();
    this.catalog = catalog;
    this.fence = fence;
    this.snapshotRoot = snapshotRoot.toAbsolutePath().normalize();
    this.maxLease = maxLease;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /**
   * Lets a new PREPARE that finds this agent busy with a transaction that is only prepared ask whether the record
   * already ended it (its ABORT was lost, e.g. while the host was cut off): if so it is dropped at once instead of
   * after the reaper's next pass or twice its lease.
   */
  public void consultRecords(java.util.function.Predicate<String> ended) {
    this.recordEnded = ended;
  }

  /**
   * Confines volumes to these directories: a volume whose path, symbolic links resolved, is not under one of them is
   * refused at PREPARE (its path may have been swapped for a link since the configuration was checked). Empty: no
   * confinement.
   */
  public void confineVolumesTo(List<Path> roots) {
    this.volumeRoots = List.copyOf(roots);
  }

  private String outsideRoots(Volume v) {
    if (volumeRoots.isEmpty()) {
      return null;
    }
    Path real;
    try {
      real = v.path().toRealPath();
    } catch (IOException e) {
      return "path " + v.path() + " cannot be resolved: " + e.getMessage();
    }
    for (Path root : volumeRoots) {
      if (real.startsWith(root)) {
        return null;
      }
    }
    return "path " + v.path() + (real.equals(v.path()) ? "" : " (really " + real + ")")
        + " is outside the configured volumeRoots " + volumeRoots;
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
    LocalTxn txn;
    List<LocalTxn> expired = new ArrayList<>();
    synchronized (this) {
      LocalTxn existing = txns.get(ref.txnId());
      if (existing != null) {
        String cause = existing.endCause;
        if (cause != null) {
          return PrepareResult.aborted(alreadyAborted(ref.txnId(), cause));
        }
        PrepareResult answer = existing.prepareAnswer;
        return answer != null ? answer
            : PrepareResult.no(true, "transaction " + ref.txnId() + " is being prepared");
      }
      if (aborted.containsKey(ref.txnId())) {
        return PrepareResult.aborted(alreadyAborted(ref.txnId(), aborted.get(ref.txnId())));
      }
      String refusal = admission(ref, volumeNames, lease, expired);
      if (refusal != null) {
        return PrepareResult.no(!refusal.startsWith("!"), refusal.replaceFirst("^!", ""));
      }
      txn = new LocalTxn(ref, select(volumeNames), lease, clock.instant(), wait, received + wait.toNanos());
      txns.put(ref.txnId(), txn);
      prune();
    }
    expired.forEach(this::abandon);
    synchronized (txn) {
      PrepareResult answer = doPrepare(txn);
      txn.state = answer.ok() ? AgentTxnState.PREPARED : AgentTxnState.ABORTED;
      txn.prepareAnswer = answer;
      if (answer.ok()) {
        armFreezeDeadline(txn);
      }
      return answer;
    }
  }

  private String alreadyAborted(String txnId, String cause) {
    return "transaction " + txnId + " was already aborted on agent " + agentId + " (" + cause + ")";
  }

  /** Ends the transaction at its deadline if it is still only prepared then. */
  private void armFreezeDeadline(LocalTxn txn) {
    long left = Math.max(0, txn.freezeByNanos - nanos.getAsLong());
    try {
      txn.freezeTimer = scheduler.schedule(() -> {
        if (txn.claim(noFreezeCause(txn))) {
          abandon(txn);
        }
      }, left, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down; a later PREPARE or FREEZE still finds the deadline passed
      log.debug("txn {}: no timer for its FREEZE deadline: {}", txn.ref.txnId(), e.toString());
    }
  }

  private static String noFreezeCause(LocalTxn txn) {
    return "no FREEZE within " + txn.freezeWithin.toMillis() + "ms of its PREPARE";
  }

  /**
   * Why a transaction that is only prepared can no longer be frozen, or null when it still can: its FREEZE deadline
   * passed, a PREPARE of a newer epoch came (its FREEZE would be fenced now), or its record already ended it.
   */
  private String endedWhilePrepared(LocalTxn other, TxnRef newcomer) {
    if (other.endCause != null) {
      return other.endCause;
    }
    if (nanos.getAsLong() - other.freezeByNanos >= 0) {
      return noFreezeCause(other);
    }
    if (other.ref.epoch() < newcomer.epoch()) {
      return "displaced by transaction " + newcomer.txnId() + " of the newer epoch " + newcomer.epoch();
    }
    if (recordEnded.test(other.ref.txnId())) {
      return "its record says it ended";
    }
    return null;
  }

  /**
   * Null when a new transaction may start, else the reason ("!" prefix: not retryable). Prepared transactions whose
   * FREEZE can no longer come are claimed and collected in {@code expired}, to be dropped outside this lock.
   */
  private String admission(TxnRef ref, List<String> volumeNames, Duration lease, List<LocalTxn> expired) {
    if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(maxLease) > 0) {
      return "!freeze lease " + lease.toMillis() + "ms is outside [" + MIN_LEASE.toMillis() + "ms, "
          + maxLease.toMillis() + "ms], this agent's maxFreezeLease";
    }
    for (String v : volumeNames) {
      if (!volumes.containsKey(v)) {
        return "!unknown volume '" + Names.printable(v) + "' on agent " + agentId + " (has: "
            + String.join(", ", volumes.keySet()) + ")";
      }
    }
    for (LocalTxn other : txns.values()) {
      if (other.isActive()) {
        String cause = other.state == AgentTxnState.PREPARED ? endedWhilePrepared(other, ref) : null;
        if (cause != null && (other.claim(cause) || other.endCause != null)) {
          expired.add(other); // claimed here or by its timer: abandon() waits for whoever drops it
          continue;
        }
        return "busy with transaction " + other.ref.txnId();
      }
    }
    return null;
  }

  private PrepareResult doPrepare(LocalTxn txn) {
    for (Volume v : txn.volumes) {
      String outside = outsideRoots(v);
      if (outside != null) {
        return PrepareResult.no(false, "volume " + v.name() + ": " + outside);
      }
      boolean held = txn.writers.stream().anyMatch(w -> w.volumes().isEmpty() || w.volumes().contains(v.name()));
      if (v.needsHolder() && !held) {
        return PrepareResult.no(false, "volume " + v.name() + ": no writer holds it, and a " + v.kind()
            + " capture is only consistent while its writers hold (add a writer for it, or set its option "
            + "allowUnheld: \"true\" if nothing writes to it during snapshots)");
      }
      try {
        v.check(capturePath(v, txn));
      } catch (VolumeException e) {
        return PrepareResult.no(e.retryable(), "volume " + v.name() + ": " + e.getMessage());
      }
    }
    String blocked = io.groupsnap.agent.volume.FrozenFileSystems.conflict(txn.volumes, v -> capturePath(v, txn));
    if (blocked != null) {
      return PrepareResult.no(false, blocked);
    }
    List<Writer> prepared = new ArrayList<>();
    for (Writer w : txn.writers) {
      WriterResult r = w.prepare(txn.context());
      if (!r.ok()) {
        prepared.forEach(p -> p.abort(txn.context()));
        return PrepareResult.no(r.outcome() == WriterResult.Outcome.RETRYABLE, "writer " + w.name() + ": "
            + r.reason());
      }
      prepared.add(w);
    }
    try {
      for (Volume v : txn.volumes) {
        catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(txn.ref.txnId()).setVolume(v.name())
            .setPath(capturePath(v, txn).toString()).setState(LocalSnapshotState.LOCAL_PENDING)
            .setCreatedAtMillis(clock.millis()).build());
      }
      journal.put(JournalEntry.newBuilder().setTxnId(txn.ref.txnId()).setEpoch(txn.ref.epoch())
          .addAllWriters(txn.writers.stream().map(Writer::name).toList())
          .addAllVolumes(txn.volumes.stream().map(Volume::name).toList())
          .setPreparedAtMillis(clock.millis()).build());
    } catch (IOException e) {
      prepared.forEach(p -> p.abort(txn.context()));
      forgetCaptures(txn);
      return PrepareResult.no(true, "cannot record pending snapshot: " + e.getMessage());
    }
    return PrepareResult.yes(txn.volumes.stream().map(Volume::name).toList());
  }

  /**
   * FREEZE: holds writers (by tier) and volumes, captures every volume, answers FROZEN. The lease runs from the moment
   * this call is accepted; when it runs out, the watchdog thaws everything and the hold counts as broken.
   */
  public FreezeResult freeze(TxnRef ref, Duration lease) throws FencedException, WrongPhaseException {
    fence.admit(ref);
    LocalTxn txn;
    synchronized (this) {
      txn = txns.get(ref.txnId());
      if (txn == null && aborted.containsKey(ref.txnId())) {
        return FreezeResult.aborted(alreadyAborted(ref.txnId(), aborted.get(ref.txnId())));
      }
    }
    if (txn == null) {
      throw unknown(ref);
    }
    synchronized (txn) {
      if (txn.state == AgentTxnState.PREPARED && nanos.getAsLong() - txn.freezeByNanos >= 0) {
        txn.claim(noFreezeCause(txn)); // its deadline passed before its timer ran
      }
      String ended = txn.endCause;
      if (ended != null) {
        if (txn.state == AgentTxnState.PREPARED) {
          abortLocally(txn, ended);
        }
        return FreezeResult.aborted(alreadyAborted(ref.txnId(), ended));
      }
      if (txn.freezeAnswer != null) {
        return txn.freezeAnswer;
      }
      txn.expect(AgentTxnState.PREPARED, "FREEZE");
      if (!txn.startFreezing()) {
        // claimed by a newer PREPARE or the deadline timer since the check above: it drops the transaction
        return FreezeResult.aborted(alreadyAborted(ref.txnId(), txn.endCause));
      }
      Duration effective = lease.isZero() || lease.isNegative() || lease.compareTo(txn.lease) > 0 ? txn.lease : lease;
      FailPoints.hit("agent.freeze");
      txn.freezeStartNanos = nanos.getAsLong();
      long startedAt = clock.millis();
      txn.hold = FreezeHold.start(scheduler, effective);
      String failure = txn.abortRequested ? "aborted during FREEZE"
          : holdEverything(txn, clock.instant().plus(effective));
      long timeToFrozen = (nanos.getAsLong() - txn.freezeStartNanos) / 1_000_000;
      List<Capture> captures = new ArrayList<>();
      if (failure == null) {
        failure = captureAll(txn, captures);
      }
      synchronized (txn.phaseLock) {
        // decided together with an ABORT that may be arriving: either it sees FREEZING and this sees its request, or
        // this answers FROZEN first and the ABORT takes the normal path
        if (failure == null && (txn.abortRequested || txn.hold.released())) {
          failure = released(txn, "during capture");
        }
        if (failure == null) {
          txn.state = AgentTxnState.FROZEN;
        }
      }
      if (failure != null) {
        abortLocally(txn, txn.abortRequested ? ABORT_CAUSE : "its FREEZE failed: " + failure);
        txn.freezeAnswer = new FreezeResult(Results.FreezeOutcome.FAILED, failure, List.of(), startedAt,
            timeToFrozen);
      } else {
        FailPoints.hit("agent.after-frozen");
        txn.freezeAnswer = new FreezeResult(Results.FreezeOutcome.FROZEN, "", captures, startedAt, timeToFrozen);
      }
      return txn.freezeAnswer;
    }
  }

  private String holdEverything(LocalTxn txn, Instant leaseDeadline) {
    for (Writer w : txn.writers) {
      // registered before the attempt: a writer that fails or times out half-way is thawed too (thaw is idempotent)
      FreezeHold.Undo undo = () -> {
        WriterResult t = w.thaw(txn.context());
        return t.ok() ? null : "writer " + w.name() + " thaw: " + t.reason();
      };
      if (!txn.hold.push(undo)) {
        return released(txn, "before freezing writer " + w.name());
      }
      WriterResult r = w.freeze(txn.context(), leaseDeadline);
      if (!r.ok()) {
        return "writer " + w.name() + " could not freeze: " + r.reason();
      }
    }
    for (Volume v : txn.volumes) {
      Volume.Frozen frozen;
      try {
        frozen = v.freeze();
      } catch (VolumeException e) {
        try {
          v.thawAfterRestart();
        } catch (VolumeException ignored) {
          // reported with the freeze failure
        }
        return "volume " + v.name() + " could not freeze: " + e.getMessage();
      }
      FreezeHold.Undo undo = () -> {
        try {
          frozen.thaw();
          return null;
        } catch (VolumeException e) {
          return "volume " + v.name() + " thaw: " + e.getMessage();
        }
      };
      if (!txn.hold.push(undo)) {
        undo.run();
        return released(txn, "while freezing volume " + v.name());
      }
    }
    return null;
  }

  /** Why a hold was released under a running FREEZE. */
  private static String released(LocalTxn txn, String when) {
    return txn.abortRequested ? "aborted during FREEZE" : "freeze lease expired " + when;
  }

  private String captureAll(LocalTxn txn, List<Capture> out) {
    Set<String> done = new java.util.HashSet<>();
    for (Volume v : txn.volumes) {
      if (done.contains(v.name())) {
        continue;
      }
      if (txn.abortRequested || txn.hold.released()) {
        return released(txn, "before capturing volume " + v.name());
      }
      long start = nanos.getAsLong();
      try {
        if (v.batchKey() == null) {
          Path p = v.capture(capturePath(v, txn));
          out.add(new Capture(v.name(), p, (nanos.getAsLong() - start) / 1_000_000));
          done.add(v.name());
          continue;
        }
        // one atomic operation for every volume of the batch (all datasets of one ZFS pool)
        Map<Volume, Path> batch = new LinkedHashMap<>();
        for (Volume peer : txn.volumes) {
          if (v.batchKey().equals(peer.batchKey())) {
            batch.put(peer, capturePath(peer, txn));
          }
        }
        Map<String, Path> made = v.captureBatch(batch);
        long took = (nanos.getAsLong() - start) / 1_000_000;
        for (Volume peer : batch.keySet()) {
          Path p = made.get(peer.name());
          if (p == null) {
            return "volume " + peer.name() + " capture failed: its batch returned no location";
          }
          out.add(new Capture(peer.name(), p, took));
          done.add(peer.name());
        }
      } catch (VolumeException e) {
        return "volume " + v.name() + " capture failed: " + e.getMessage();
      }
    }
    return null;
  }

  /** THAW: releases the hold and says whether it was unbroken since the FROZEN answer. */
  public ThawResult thaw(TxnRef ref) throws FencedException, WrongPhaseException {
    fence.admit(ref);
    LocalTxn txn = require(ref);
    synchronized (txn) {
      if (txn.thawAnswer != null) {
        return txn.thawAnswer;
      }
      txn.expect(AgentTxnState.FROZEN, "THAW");
      FreezeHold.Outcome o = txn.hold.release(FreezeHold.Release.THAW);
      long held = (nanos.getAsLong() - txn.freezeStartNanos) / 1_000_000;
      String reason = switch (o.release()) {
        case THAW -> String.join("; ", o.problems());
        case LEASE_EXPIRED -> "freeze lease of " + txn.lease.toMillis() + "ms expired before THAW";
        default -> "hold was released early (" + o.release() + ")";
      };
      forget(txn);
      txn.thawAnswer = new ThawResult(o.unbroken(), reason, clock.millis(), held, o.thawNanos() / 1_000_000);
      txn.state = AgentTxnState.THAWED;
      log.info("txn {}: frozen in {}ms, held {}ms, {}", ref.txnId(), txn.freezeAnswer.timeToFrozenMillis(), held,
          o.unbroken() ? "unbroken" : "BROKEN: " + reason);
      return txn.thawAnswer;
    }
  }

  /** COMMIT: the group snapshot was committed; its captures here become kept. */
  public int commit(TxnRef ref) throws FencedException, WrongPhaseException, IOException {
    fence.admit(ref);
    LocalTxn txn;
    synchronized (this) {
      txn = txns.get(ref.txnId());
    }
    if (txn == null) {
      return catalog.markKept(ref.txnId());
    }
    synchronized (txn) {
      if (txn.state == AgentTxnState.COMMITTED) {
        return txn.volumes.size();
      }
      txn.expect(AgentTxnState.THAWED, "COMMIT");
      if (!txn.thawAnswer.unbroken()) {
        throw new WrongPhaseException("transaction " + ref.txnId() + " cannot commit: its hold was broken");
      }
      int n = catalog.markKept(ref.txnId());
      txn.state = AgentTxnState.COMMITTED;
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
    return abortHere(ref.txnId(), ABORT_CAUSE);
  }

  /**
   * The coordinator's record says the transaction was aborted, yet it is still in progress here (prepared, say): its
   * ABORT never arrived. Does what that ABORT would have done. For the reaper, which read the record; no request
   * carries an epoch to fence.
   */
  public AbortResult abortDecided(String txnId) throws WrongPhaseException, IOException {
    return abortHere(txnId, "its record says ABORTED");
  }

  private AbortResult abortHere(String txnId, String cause) throws WrongPhaseException, IOException {
    LocalTxn txn;
    synchronized (this) {
      txn = txns.get(txnId);
      if (txn == null) {
        // under the lookup's lock: a PREPARE overtaken by this ABORT must not start the transaction afterwards
        tombstone(txnId, cause);
      }
    }
    if (txn == null) {
      return new AbortResult(deleteCaptures(txnId, true), false);
    }
    boolean early = false;
    synchronized (txn.phaseLock) {
      if (txn.state == AgentTxnState.FREEZING) {
        txn.abortRequested = true;
        early = true;
      }
    }
    if (early) {
      // A FREEZE is still running (a slow writer or capture): release what it holds now rather than after it
      // returns; the freeze thread sees the request and deletes its captures itself.
      FreezeHold hold = txn.hold;
      if (hold != null) {
        hold.release(FreezeHold.Release.ABORTED);
      }
      return new AbortResult(0, true);
    }
    synchronized (txn) {
      if (txn.state == AgentTxnState.COMMITTED) {
        throw new WrongPhaseException("transaction " + txnId + " is committed on this agent");
      }
      if (txn.abortAnswer == null) {
        boolean wasFrozen = txn.hold != null && !txn.hold.released();
        int deleted = abortLocally(txn, cause);
        txn.abortAnswer = new AbortResult(deleted, wasFrozen);
      }
      return txn.abortAnswer;
    }
  }

  /** Deletes this agent's captures of a committed group snapshot; returns how many. */
  public int deleteSnapshot(TxnRef ref) throws FencedException, WrongPhaseException, IOException {
    fence.admit(ref);
    synchronized (this) {
      LocalTxn txn = txns.get(ref.txnId());
      if (txn != null && txn.isActive()) {
        throw new WrongPhaseException("group snapshot " + ref.txnId() + " is still in progress");
      }
    }
    return deleteCaptures(ref.txnId(), false);
  }

  public List<LocalSnapshot> snapshots(String groupSnapshotId) throws IOException {
    return catalog.list(groupSnapshotId);
  }

  /** True while any transaction holds anything frozen on this agent. */
  public synchronized boolean isHolding() {
    return txns.values().stream().anyMatch(t -> t.hold != null && !t.hold.released());
  }

  /** Releases every hold (agent shutdown). */
  public void releaseAll() {
    List<LocalTxn> all;
    synchronized (this) {
      all = new ArrayList<>(txns.values());
    }
    for (LocalTxn t : all) {
      FreezeHold h = t.hold;
      if (h != null) {
        h.release(FreezeHold.Release.ABORTED);
      }
    }
  }

  private synchronized void tombstone(String txnId, String cause) {
    aborted.putIfAbsent(txnId, cause);
    if (aborted.size() > KEEP_FINISHED * 4) {
      aborted.remove(aborted.keySet().iterator().next());
    }
  }

  private int abortLocally(LocalTxn txn, String cause) {
    txn.ended(cause);
    tombstone(txn.ref.txnId(), txn.endCause);
    if (txn.hold != null) {
      txn.hold.release(FreezeHold.Release.ABORTED);
    }
    if (txn.state != AgentTxnState.ABORTED) {
      txn.writers.forEach(w -> w.abort(txn.context()));
    }
    txn.state = AgentTxnState.ABORTED;
    forget(txn);
    return forgetCaptures(txn);
  }

  /** The hold is over: the journal entry goes. A failure here only means a harmless extra thaw after a restart. */
  private void forget(LocalTxn txn) {
    try {
      journal.remove(txn.ref.txnId());
    } catch (IOException e) {
      log.warn("could not remove journal entry of {}: {}", txn.ref.txnId(), e.getMessage());
    }
  }

  /**
   * After a restart: thaws every writer and volume of every transaction the journal says may hold something, and
   * forgets those transactions (their holds are broken; their captures wait for the reaper). Returns their ids.
   */
  public List<String> recoverAfterRestart() throws IOException {
    List<String> recovered = new ArrayList<>();
    for (JournalEntry e : journal.entries()) {
      Writer.TxnContext ctx = new Writer.TxnContext(e.getTxnId(), e.getEpoch(),
          new LinkedHashSet<>(e.getVolumesList()));
      List<Writer> held = writers.stream().filter(w -> e.getWritersList().contains(w.name())).toList();
      for (Volume v : volumes.values()) {
        if (e.getVolumesList().contains(v.name())) {
          try {
            v.thawAfterRestart();
          } catch (VolumeException ex) {
            log.error("restart: could not thaw volume {} of {}: {}", v.name(), e.getTxnId(), ex.getMessage());
          }
        }
      }
      for (int i = held.size() - 1; i >= 0; i--) {
        WriterResult r = held.get(i).thaw(ctx);
        if (!r.ok()) {
          log.warn("restart: thaw of writer {} for {}: {}", held.get(i).name(), e.getTxnId(), r.reason());
        }
      }
      journal.remove(e.getTxnId());
      recovered.add(e.getTxnId());
      log.warn("restart: thawed everything transaction {} may have held; its hold counts as broken",
          e.getTxnId());
    }
    return recovered;
  }

  /** True while the transaction is in progress here (prepared, freezing or holding). */
  public synchronized boolean isActive(String txnId) {
    LocalTxn t = txns.get(txnId);
    return t != null && t.isActive();
  }

  /** The coordinator's record says committed: keep the captures (a COMMIT this agent missed). */
  public int keep(String groupSnapshotId) throws IOException {
    return catalog.markKept(groupSnapshotId);
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
      return deleteCaptures(groupSnapshotId, false);
    } catch (WrongPhaseException e) {
      return 0;
    }
  }

  /** Removes journal entries of transactions whose hold ended without THAW or ABORT (lease expired). */
  public void pruneJournal() throws IOException {
    for (JournalEntry e : journal.entries()) {
      LocalTxn t;
      synchronized (this) {
        t = txns.get(e.getTxnId());
      }
      if (t != null && !t.isActive() && t.state != AgentTxnState.PREPARED) {
        journal.remove(e.getTxnId());
      }
    }
  }

  /** Drops a claimed transaction that is still only prepared; waits for whoever is dropping it already. */
  private void abandon(LocalTxn txn) {
    synchronized (txn) {
      String cause = txn.endCause;
      if (txn.state == AgentTxnState.PREPARED && cause != null) {
        log.warn("dropping transaction {} (prepared at {}): {}", txn.ref.txnId(), txn.preparedAt, cause);
        abortLocally(txn, cause);
      }
    }
  }

  private int forgetCaptures(LocalTxn txn) {
    try {
      return deleteCaptures(txn.ref.txnId(), true);
    } catch (IOException | WrongPhaseException e) {
      log.warn("could not delete captures of {}: {}", txn.ref.txnId(), e.getMessage());
      return 0;
    }
  }

  private int deleteCaptures(String groupSnapshotId, boolean pendingOnly) throws IOException, WrongPhaseException {
    int n = 0;
    for (LocalSnapshot s : catalog.list(groupSnapshotId)) {
      if (pendingOnly && s.getState() == LocalSnapshotState.LOCAL_KEPT) {
        throw new WrongPhaseException("group snapshot " + groupSnapshotId + " is committed on this agent");
      }
      Path p = Path.of(s.getPath()).toAbsolutePath().normalize();
      Volume v = volumes.get(s.getVolume());
      if (v != null && v.owns(p)) {
        v.delete(p);
      } else if (v == null && p.startsWith(snapshotRoot) && !p.equals(snapshotRoot)) {
        // a volume since removed from the configuration: only copies under the snapshot root can be removed
        io.groupsnap.agent.volume.DirVolume.deleteTree(p);
      } else {
        throw new IOException("refusing to delete " + p + ": not a capture location of volume "
            + Names.printable(s.getVolume()));
      }
      catalog.remove(groupSnapshotId, s.getVolume());
      n++;
    }
    return n;
  }

  private Path capturePath(Volume v, LocalTxn txn) {
    return v.captureTarget(txn.ref.txnId());
  }

  private List<Volume> select(List<String> names) {
    if (names.isEmpty()) {
      return List.copyOf(volumes.values());
    }
    return new LinkedHashSet<>(names).stream().map(volumes::get).toList();
  }

  private synchronized LocalTxn require(TxnRef ref) throws WrongPhaseException {
    LocalTxn txn = txns.get(ref.txnId());
    if (txn == null) {
      throw unknown(ref);
    }
    return txn;
  }

  private WrongPhaseException unknown(TxnRef ref) {
    return new WrongPhaseException("unknown transaction " + ref.txnId() + " on agent " + agentId
        + " (not prepared here)");
  }

  private void prune() {
    if (txns.size() <= KEEP_FINISHED) {
      return;
    }
    txns.values().removeIf(t -> !t.isActive() && (t.state.isFinal() || t.state == AgentTxnState.THAWED)
        && txns.size() > KEEP_FINISHED);
  }

  private final class LocalTxn {
    final TxnRef ref;
    final List<Volume> volumes;
    final List<Writer> writers;
    final Duration lease;
    final Instant preparedAt;
    /** How long it waits prepared for FREEZE, and until when (on {@code nanos}). */
    final Duration freezeWithin;
    final long freezeByNanos;
    volatile ScheduledFuture<?> freezeTimer;
    /** Why it was aborted here, once it was (or was claimed to be): later PREPAREs and FREEZEs answer ABORTED. */
    volatile String endCause;
    volatile AgentTxnState state = AgentTxnState.PREPARING;
    volatile FreezeHold hold;
    volatile boolean abortRequested;
    long freezeStartNanos;
    /** Guards the FREEZING → FROZEN step against an ABORT arriving meanwhile. */
    final Object phaseLock = new Object();
    volatile PrepareResult prepareAnswer;
    FreezeResult freezeAnswer;
    ThawResult thawAnswer;
    AbortResult abortAnswer;

    LocalTxn(TxnRef ref, List<Volume> volumes, Duration lease, Instant preparedAt, Duration freezeWithin,
        long freezeByNanos) {
      this.ref = ref;
      this.freezeWithin = freezeWithin;
      this.freezeByNanos = freezeByNanos;
      this.volumes = volumes;
      this.lease = lease;
      this.preparedAt = preparedAt;
      Set<String> names = new LinkedHashSet<>(volumes.stream().map(Volume::name).toList());
      this.writers = Participant.this.writers.stream()
          .filter(w -> w.volumes().isEmpty() || w.volumes().stream().anyMatch(names::contains)).toList();
    }

    Writer.TxnContext context() {
      return new Writer.TxnContext(ref.txnId(), ref.epoch(),
          new LinkedHashSet<>(volumes.stream().map(Volume::name).toList()));
    }

    /**
     * Marks a transaction that is only prepared as ending, so that a FREEZE arriving now is refused; false when it is
     * no longer only prepared or was claimed already. The caller then drops it ({@link #abandon}).
     */
    boolean claim(String cause) {
      synchronized (phaseLock) {
        if (state != AgentTxnState.PREPARED || endCause != null) {
          return false;
        }
        endCause = cause;
        return true;
      }
    }

    /** PREPARED → FREEZING unless claimed meanwhile; the FREEZE deadline's timer is no longer needed. */
    boolean startFreezing() {
      synchronized (phaseLock) {
        if (endCause != null) {
          return false;
        }
        state = AgentTxnState.FREEZING;
      }
      cancelFreezeTimer();
      return true;
    }

    /** Records why it was aborted (the first cause wins). */
    void ended(String cause) {
      synchronized (phaseLock) {
        if (endCause == null) {
          endCause = cause;
        }
      }
      cancelFreezeTimer();
    }

    private void cancelFreezeTimer() {
      ScheduledFuture<?> t = freezeTimer;
      if (t != null) {
        t.cancel(false);
      }
    }

    boolean isActive() {
      return switch (state) {
        case PREPARING, PREPARED, FREEZING -> true;
        case FROZEN -> hold != null && !hold.released();
        default -> false;
      };
    }

    void expect(AgentTxnState wanted, String phase) throws WrongPhaseException {
      if (state != wanted) {
        throw new WrongPhaseException(phase + " for transaction " + ref.txnId() + " in state " + state
            + " on agent " + agentId);
      }
    }
  }
}
