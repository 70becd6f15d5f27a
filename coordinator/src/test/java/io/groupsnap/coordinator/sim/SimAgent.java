package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.agent.txn.TxnJournal;
import io.groupsnap.agent.txn.WrongPhaseException;
import io.groupsnap.coordinator.txn.Replies.Failure;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One simulated host. Its application ({@link Ledger} and {@link SimWriter}), its {@link SimVolume} and the agent's
 * durable state — snapshot catalog, epoch store and journal of holds — survive a crash; the agent process does not: a
 * real {@link Participant} with its lease watchdogs on a {@link VirtualScheduler}, its {@link EpochFence}, its epoch
 * watch and its {@link Reaper}. A (re)start does what {@code Agent#start} does: a new Participant over the same durable
 * state thaws whatever the journal names ({@link Participant#recoverAfterRestart}), the fence confirms a higher epoch
 * with the store before adopting it from a request, the epoch watch reads the current epoch and then hears of every
 * rise (late, and while the run is active possibly never), and the reaper runs at once and then every reaper interval,
 * reading decisions from the store as {@code Agent#decision} does.
 */
final class SimAgent {
  private static final Duration MAX_LEASE = Duration.ofSeconds(10);

  private final World w;
  private final String id;
  private final VirtualClock clock;
  private final Ledger ledger;
  private final SimWriter writer;
  private final SimVolume volume;
  private final CountingCatalog catalog = new CountingCatalog();
  private final EpochFence.Store epochs = EpochFence.Store.inMemory();
  private final TxnJournal journal = TxnJournal.inMemory();
  private Participant participant;
  private EpochFence fence;
  private Reaper reaper;
  private VirtualScheduler scheduler;
  private int incarnation;

  SimAgent(World w, String id) {
    this.w = w;
    this.id = id;
    this.clock = new VirtualClock(w.loop, w.between(-5_000 * FaultPlan.MS, 5_000 * FaultPlan.MS));
    this.ledger = new Ledger(id, World.INITIAL_BALANCE);
    this.writer = new SimWriter(w, id, clock);
    this.volume = new SimVolume(w, id, ledger, writer);
  }

  /** Starts (or restarts) the agent process. */
  void start() {
    incarnation++;
    scheduler = new VirtualScheduler(w.loop, name());
    try {
      fence = new EpochFence(epochs, w.clusterId);
      fence.confirmWith(w.store::epoch);
      participant = new Participant(id, List.of(volume), List.of(writer), catalog, fence, snapshotRoot(), MAX_LEASE,
          scheduler, clock, w.loop::now, journal);
      writer.agentStarted(incarnation);
      w.note(name() + " starts");
      List<String> thawed = participant.recoverAfterRestart();
      if (!thawed.isEmpty()) {
        w.stats.count(SimStats.Outcome.JOURNAL_ENTRIES_THAWED_AFTER_RESTART, thawed.size());
        w.note(name() + " thaws what " + thawed + " may have held, from its journal");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writer.requireNoHoldsBefore(incarnation);
    reaper = new Reaper(participant, this::decision, List.of(), w.plan.reaperGrace(), clock);
    scheduler.schedule(() -> observeEpoch(w.store.epoch()), w.between(100_000, FaultPlan.MS), TimeUnit.NANOSECONDS);
    scheduler.schedule(this::reap, 0, TimeUnit.NANOSECONDS);
  }

  /** Kills the agent process: its in-memory state and timers are gone; the host and its disk stay. */
  void crash() {
    scheduler.shutdownNow();
    participant = null;
    fence = null;
    reaper = null;
    writer.agentDied();
    w.note(name() + " crashes");
  }

  /** The epoch znode changed: the watch tells this process a little later, unless the notification is lost. */
  void epochChanged(long epoch) {
    if (!up()) {
      return; // a restart reads the epoch anyway
    }
    if (!w.quiet() && w.chance(w.plan.drop())) {
      w.stats.fault(SimStats.Fault.EPOCH_NOTIFICATION_LOST);
      w.note(name() + " never hears of epoch " + epoch);
      return;
    }
    scheduler.schedule(() -> observeEpoch(epoch), w.between(100_000, w.plan.maxDelayNanos()), TimeUnit.NANOSECONDS);
  }

  private void observeEpoch(long epoch) {
    try {
      fence.observe(epoch);
    } catch (FencedException e) {
      throw new IllegalStateException("the in-memory epoch store cannot fail", e);
    }
    w.invariants.agentObserved(id, epoch);
  }

  /** One reaper pass; the next is scheduled until the run ends. */
  private void reap() {
    try {
      Reaper.Pass pass = reaper.runOnce();
      w.stats.count(SimStats.Outcome.REAPER_KEPT, pass.kept().size());
      w.stats.count(SimStats.Outcome.REAPER_DELETED, pass.reaped().size());
      if (!pass.kept().isEmpty() || !pass.reaped().isEmpty()) {
        w.note(name() + " reaper: kept " + pass.kept() + ", deleted " + pass.reaped());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!w.ended()) {
      scheduler.schedule(this::reap, w.plan.reaperIntervalNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** What the reaper reads from the store; while the run is active the read may fail (connection loss). */
  private Reaper.Decision decision(String groupSnapshotId) {
    if (!w.quiet() && w.chance(w.plan.storeRefused())) {
      w.stats.fault(SimStats.Fault.REAPER_READ_FAILED);
      throw new IllegalStateException("ConnectionLoss (simulated)");
    }
    return w.store.decision(groupSnapshotId);
  }

  /** Serves one request on the running agent; the reply as the leader will see it. */
  Object handle(Request r) {
    String who = "agent " + id + ": ";
    try {
      Object reply = AgentReplies.invoke(participant, r);
      w.invariants.agentAdmitted(id, r);
      if (reply instanceof ThawReply t && !t.unbroken() && t.reason().startsWith("freeze lease")) {
        w.stats.count(SimStats.Outcome.LEASE_EXPIRED_HOLDS);
      }
      return reply;
    } catch (FencedException e) {
      w.stats.count(SimStats.Outcome.FENCED_AGENT_CALLS);
      return AgentReplies.failed(r.kind(), Failure.REFUSED, who + "FAILED_PRECONDITION " + e.getMessage());
    } catch (WrongPhaseException e) {
      w.invariants.agentAdmitted(id, r);
      return AgentReplies.failed(r.kind(), Failure.REFUSED, who + "FAILED_PRECONDITION " + e.getMessage());
    } catch (IOException e) {
      return AgentReplies.failed(r.kind(), Failure.REFUSED, who + "INTERNAL " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return AgentReplies.failed(r.kind(), Failure.REFUSED, who + "INVALID_ARGUMENT " + e.getMessage());
    }
  }

  boolean up() {
    return participant != null;
  }

  String id() {
    return id;
  }

  /** The process as it is now, e.g. {@code a2#3} for the third start. */
  String name() {
    return id + "#" + incarnation;
  }

  Participant participant() {
    return participant;
  }

  Ledger ledger() {
    return ledger;
  }

  SimWriter writer() {
    return writer;
  }

  SimVolume volume() {
    return volume;
  }

  CountingCatalog catalog() {
    return catalog;
  }

  TxnJournal journal() {
    return journal;
  }

  Path snapshotRoot() {
    return Path.of("/sim", id, "snapshots");
  }
}
