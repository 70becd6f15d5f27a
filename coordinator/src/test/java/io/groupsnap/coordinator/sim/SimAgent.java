package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.WrongPhaseException;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One simulated host. Its application ({@link Ledger} and {@link SimWriter}), its {@link SimVolume} and the agent's
 * durable state — snapshot catalog and epoch store — survive a crash; the agent process, a real {@link Participant}
 * with its lease watchdogs on a {@link VirtualScheduler}, does not. A restart builds a new Participant over the same
 * durable state, which is all the real agent does today (it keeps no journal of its holds).
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
  private Participant participant;
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
    EpochFence fence;
    try {
      fence = new EpochFence(epochs, w.clusterId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    participant = new Participant(id, List.of(volume), List.of(writer), catalog, fence, snapshotRoot(), MAX_LEASE,
        scheduler, clock, w.loop::now);
    writer.agentStarted(incarnation);
    w.note(name() + " starts");
  }

  /** Kills the agent process: its in-memory state and timers are gone; the host and its disk stay. */
  void crash() {
    scheduler.shutdownNow();
    participant = null;
    writer.agentDied();
    w.note(name() + " crashes");
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
      return AgentReplies.failed(r.call(), who + "FAILED_PRECONDITION " + e.getMessage());
    } catch (WrongPhaseException e) {
      w.invariants.agentAdmitted(id, r);
      return AgentReplies.failed(r.call(), who + "FAILED_PRECONDITION " + e.getMessage());
    } catch (IOException e) {
      return AgentReplies.failed(r.call(), who + "INTERNAL " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return AgentReplies.failed(r.call(), who + "INVALID_ARGUMENT " + e.getMessage());
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

  Path snapshotRoot() {
    return Path.of("/sim", id, "snapshots");
  }
}
