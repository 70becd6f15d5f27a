package io.groupsnap.agent.txn;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.Results.AbortResult;
import io.groupsnap.agent.txn.Results.Capture;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.HoldReport;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.volume.Holding;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's side of the protocol: prepare, freeze and capture, thaw with the "unbroken" answer, commit, abort.
 *
 * <p>Every call is idempotent per (txnId, phase): a repeated call returns the first answer. Every call is fenced by
 * {@link EpochFence} first. At most one transaction is active (preparing, prepared, freezing or holding) at a time; a
 * second one is refused as RETRYABLE "busy". A prepared transaction that never gets its FREEZE is dropped after twice
 * its lease, so a vanished coordinator cannot wedge the agent.
 *
 * <p>Threading: calls for one transaction are serialized on its {@link LocalTxn}; the lease watchdog releases the
 * hold from the scheduler's thread without that lock (see {@link FreezeHold}).
 */
public final class Participant {
  private static final Logger log = LoggerFactory.getLogger(Participant.class);
  private static final int KEEP_FINISHED = 256;

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
  /** Recently aborted transactions, so that a late PREPARE cannot revive one. */
  private final Set<String> aborted = new LinkedHashSet<>();
  private volatile List<Path> volumeRoots = List.of();
  /** The shortest lease accepted: below it a watchdog cannot be armed meaningfully. */
  public static final Duration MIN_LEASE = Duration.ofMillis(100);

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

  /** PREPARE: checks volumes and writers and lets writers prepare; freezes nothing. */
  public PrepareResult prepare(TxnRef ref, List<String> volumeNames, Duration lease) throws FencedException {
    fence.admit(ref);
    Names.require("txn id", ref.txnId());
    LocalTxn txn;
    List<LocalTxn> expired = new ArrayList<>();
    synchronized (this) {
      LocalTxn existing = txns.get(ref.txnId());
      if (existing != null) {
        PrepareResult answer = existing.prepareAnswer;
        return answer != null ? answer
            : PrepareResult.no(true, "transaction " + ref.txnId() + " is being prepared");
      }
      if (aborted.contains(ref.txnId())) {
        return PrepareResult.no(false, "transaction " + ref.txnId() + " was already aborted on agent " + agentId);
      }
      PrepareResult refusal = admission(volumeNames, lease, expired);
      if (refusal != null) {
        return refusal;
      }
      txn = new LocalTxn(ref, select(volumeNames), lease, clock.instant());
      txns.put(ref.txnId(), txn);
      prune();
    }
    expired.forEach(this::abandon);
    synchronized (txn) {
      PrepareResult answer = doPrepare(txn);
      txn.state = answer.ok() ? AgentTxnState.PREPARED : AgentTxnState.ABORTED;
      txn.prepareAnswer = answer;
      return answer;
    }
  }

  /**
   * Null when a new transaction may start, else the refusal (a NO vote, retryable or not). Prepared transactions
   * whose FREEZE never came are collected in {@code expired}, to be dropped outside this lock.
   */
  private PrepareResult admission(List<String> volumeNames, Duration lease, List<LocalTxn> expired) {
    if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(maxLease) > 0) {
      return PrepareResult.no(false, "freeze lease " + lease.toMillis() + "ms is outside [" + MIN_LEASE.toMillis()
          + "ms, " + maxLease.toMillis() + "ms], this agent's maxFreezeLease");
    }
    for (String v : volumeNames) {
      if (!volumes.containsKey(v)) {
        return PrepareResult.no(false, "unknown volume '" + Names.printable(v) + "' on agent " + agentId
            + " (has: " + String.join(", ", volumes.keySet()) + ")");
      }
    }
    for (LocalTxn other : txns.values()) {
      if (other.isActive()) {
        if (other.state == AgentTxnState.PREPARED
            && (other.preparedAt.plus(other.lease.multipliedBy(2)).isBefore(clock.instant())
                || recordEnded.test(other.ref.txnId()))) {
          expired.add(other);
          continue;
        }
        return PrepareResult.no(true, "busy with transaction " + other.ref.txnId());
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
      String unheld = Holding.unheld(v, txn.writers.stream().map(Writer::volumes).toList());
      if (unheld != null) {
        return PrepareResult.no(false, "volume " + v.name() + ": " + unheld);
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
    LocalTxn txn = require(ref);
    synchronized (txn) {
      if (txn.freezeAnswer != null) {
        return txn.freezeAnswer;
      }
      txn.expect(AgentTxnState.PREPARED, "FREEZE");
      txn.state = AgentTxnState.FREEZING;
      Duration effective = lease.isZero() || lease.isNegative() || lease.compareTo(txn.lease) > 0 ? txn.lease : lease;
      FailPoints.hit("agent.freeze");
      txn.freezeStartNanos = nanos.getAsLong();
      long startedAt = clock.millis();
      txn.freezeStartedAtMillis = startedAt;
      txn.hold = FreezeHold.start(scheduler, effective, nanos);
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
        abortLocally(txn);
        txn.freezeAnswer = new FreezeResult(false, true, failure, List.of(), startedAt, timeToFrozen);
      } else {
        FailPoints.hit("agent.after-frozen");
        txn.freezeAnswer = new FreezeResult(true, false, "", List.copyOf(captures), startedAt, timeToFrozen);
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
    return abortHere(ref.txnId());
  }

  /**
   * The coordinator's record says the transaction was aborted, yet it is still in progress here (prepared, say): its
   * ABORT never arrived. Does what that ABORT would have done. For the reaper, which read the record; no request
   * carries an epoch to fence.
   */
  public AbortResult abortDecided(String txnId) throws WrongPhaseException, IOException {
    return abortHere(txnId);
  }

  private AbortResult abortHere(String txnId) throws WrongPhaseException, IOException {
    LocalTxn txn;
    synchronized (this) {
      txn = txns.get(txnId);
      if (txn == null) {
        // under the lookup's lock: a PREPARE overtaken by this ABORT must not start the transaction afterwards
        tombstone(txnId);
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
      return new AbortResult(0, true, holdReport(txn, AgentTxnState.FREEZING));
    }
    synchronized (txn) {
      if (txn.state == AgentTxnState.COMMITTED) {
        throw new WrongPhaseException("transaction " + txnId + " is committed on this agent");
      }
      if (txn.abortAnswer == null) {
        boolean wasFrozen = txn.hold != null && !txn.hold.released();
        AgentTxnState reached = txn.state;
        int deleted = abortLocally(txn);
        txn.abortAnswer = new AbortResult(deleted, wasFrozen, holdReport(txn, reached));
      }
      return txn.abortAnswer;
    }
  }

  /** What this agent knows of the transaction's hold, after the ABORT released it (if it was still held). */
  private HoldReport holdReport(LocalTxn txn, AgentTxnState reached) {
    FreezeHold hold = txn.hold;
    if (hold == null) {
      return new HoldReport(reached, 0, 0, 0, false);
    }
    long end = hold.released() ? hold.releasedAtNanos() : nanos.getAsLong();
    FreezeResult f = txn.freezeAnswer;
    return new HoldReport(reached, f == null ? txn.freezeStartedAtMillis : f.freezeStartedAtMillis(),
        f == null ? 0 : f.timeToFrozenMillis(), Math.max(0, end - txn.freezeStartNanos) / 1_000_000,
        hold.releasedBy() == FreezeHold.Release.LEASE_EXPIRED);
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

  /**
   * True while any transaction is in progress here (preparing, prepared, freezing or holding): background work on
   * captures (the scrub's fingerprints) waits, so that nothing competes with a freeze window.
   */
  public synchronized boolean isBusy() {
    return txns.values().stream().anyMatch(LocalTxn::isActive);
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

  private synchronized void tombstone(String txnId) {
    aborted.add(txnId);
    if (aborted.size() > KEEP_FINISHED * 4) {
      aborted.remove(aborted.iterator().next());
    }
  }

  private int abortLocally(LocalTxn txn) {
    tombstone(txn.ref.txnId());
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

  private void abandon(LocalTxn txn) {
    synchronized (txn) {
      if (txn.state == AgentTxnState.PREPARED) {
        log.warn("dropping transaction {}: prepared at {} and never frozen", txn.ref.txnId(), txn.preparedAt);
        abortLocally(txn);
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
      throw new WrongPhaseException("unknown transaction " + ref.txnId() + " on agent " + agentId
          + " (not prepared here)");
    }
    return txn;
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
    volatile AgentTxnState state = AgentTxnState.PREPARING;
    volatile FreezeHold hold;
    volatile boolean abortRequested;
    long freezeStartNanos;
    volatile long freezeStartedAtMillis;
    /** Guards the FREEZING → FROZEN step against an ABORT arriving meanwhile. */
    final Object phaseLock = new Object();
    volatile PrepareResult prepareAnswer;
    FreezeResult freezeAnswer;
    ThawResult thawAnswer;
    AbortResult abortAnswer;

    LocalTxn(TxnRef ref, List<Volume> volumes, Duration lease, Instant preparedAt) {
      this.ref = ref;
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
