package io.groupsnap.coordinator.sim;

import java.util.List;

/**
 * The applications at work: transfers between hosts' ledgers, each a debit at the source, a message over the
 * applications' own (reliable) network, and a credit at the destination. Either step waits while its host's
 * application is frozen, which is what makes a committed group snapshot's consistency checkable: a credit captured
 * without its debit, or money that vanished, is a torn cut (G1).
 */
final class TransferWorkload {
  private final World w;
  private long nextId;
  private int inFlight;
  private boolean stopped;

  TransferWorkload(World w) {
    this.w = w;
  }

  void start() {
    schedule();
  }

  /** No new transfers; those under way complete. */
  void stop() {
    stopped = true;
  }

  /** Transfers debited but not yet credited. */
  int inFlight() {
    return inFlight;
  }

  private void schedule() {
    w.loop.at(w.exponential(w.plan.meanTransferIntervalNanos()), "app: next transfer", this::begin);
  }

  private void begin() {
    if (stopped) {
      return;
    }
    List<SimAgent> hosts = w.agents;
    SimAgent from = hosts.get(w.rnd.nextInt(hosts.size()));
    SimAgent to = hosts.get(w.rnd.nextInt(hosts.size() - 1));
    if (to == from) {
      to = hosts.get(hosts.size() - 1);
    }
    long id = ++nextId;
    inFlight++;
    w.stats.count(SimStats.Outcome.TRANSFERS);
    debit(from, to, id, 1 + w.rnd.nextInt(100));
    schedule();
  }

  private void debit(SimAgent from, SimAgent to, long id, long amount) {
    if (from.writer().frozen()) {
      w.loop.at(w.between(100_000, 2 * FaultPlan.MS), "app " + from.id() + ": t" + id + " waits (frozen)",
          () -> debit(from, to, id, amount));
      return;
    }
    Ledger.Transfer t = from.ledger().debit(id, to.id(), amount);
    w.loop.at(w.between(100_000, 5 * FaultPlan.MS), "app " + to.id() + ": t" + id + " arrives from " + from.id(),
        () -> credit(to, t));
  }

  private void credit(SimAgent to, Ledger.Transfer t) {
    if (to.writer().frozen()) {
      w.loop.at(w.between(100_000, 2 * FaultPlan.MS), "app " + to.id() + ": t" + t.id() + " waits (frozen)",
          () -> credit(to, t));
      return;
    }
    to.ledger().credit(t);
    inFlight--;
  }
}
