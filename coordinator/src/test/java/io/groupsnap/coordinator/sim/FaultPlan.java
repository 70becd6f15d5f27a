package io.groupsnap.coordinator.sim;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The shape of one run, drawn from its seed: how many processes, the transaction limits, the agents' reaper timing
 * (the real 30 s interval and 5 min grace scaled down to the run's milliseconds), and how often each fault strikes. A
 * <em>calm</em> run loses nothing — no dropped message, crash, partition, leader change or store failure; messages are
 * still delayed, reordered and duplicated and applications still misbehave. Calm or not, every run is held to the same
 * end-of-run cleanup.
 *
 * @param calm no losses (see above)
 * @param agents hosts, each with one agent, one volume and one application
 * @param coordinators coordinator processes taking part in the election
 * @param transactions how many group snapshots the operator asks for
 * @param activeLimitNanos when faults, the workload and the operator stop at the latest
 * @param prepareTimeout the transactions' PREPARE deadline
 * @param freezeTimeout their FREEZE deadline
 * @param lease their freeze lease
 * @param thawTimeout their THAW deadline
 * @param finishTimeout their COMMIT / ABORT deadline
 * @param maxDelayNanos the usual network delay is uniform up to this
 * @param drop probability that a message is lost
 * @param duplicate probability that a request is delivered twice (a retried call)
 * @param longDelay probability that a message takes up to twice the freeze timeout
 * @param maxStoreLatencyNanos the usual store write latency is uniform up to this
 * @param storeSlow probability that a store write takes up to 300 ms (retries through a connection loss)
 * @param storeUncertain probability that a store write ends with an unknown outcome (applied or not)
 * @param storeRefused probability that a store write fails without being applied
 * @param meanFaultIntervalNanos mean time between process and network faults; 0 for none
 * @param writerRefuses probability that an application votes NO at prepare
 * @param writerFreezeFails probability that an application cannot quiesce at freeze
 * @param writerGivesUp probability that an application stops holding before its lease ends
 * @param volumeCheckFails probability that a volume check fails at prepare
 * @param volumeCaptureFails probability that a capture fails
 * @param meanTransferIntervalNanos mean time between two transfers of the ledger workload
 * @param reaperIntervalNanos how often each agent's reaper runs
 * @param reaperGrace how old a capture without any record must be before the reaper deletes it
 * @param deletes how many committed group snapshots the operator deletes (at most)
 * @param resolveIntervalNanos how often the leader finishes records left unfinished (the real 30 s scaled down)
 */
record FaultPlan(boolean calm, int agents, int coordinators, int transactions, long activeLimitNanos,
    Duration prepareTimeout, Duration freezeTimeout, Duration lease, Duration thawTimeout, Duration finishTimeout,
    long maxDelayNanos, double drop, double duplicate, double longDelay,
    long maxStoreLatencyNanos, double storeSlow, double storeUncertain, double storeRefused,
    long meanFaultIntervalNanos,
    double writerRefuses, double writerFreezeFails, double writerGivesUp, double volumeCheckFails,
    double volumeCaptureFails, long meanTransferIntervalNanos, long reaperIntervalNanos, Duration reaperGrace,
    int deletes, long resolveIntervalNanos) {

  static final long MS = 1_000_000;

  /** Draws a plan; a quarter of the runs are calm. */
  static FaultPlan draw(SplittableRandom r) {
    boolean calm = r.nextInt(4) == 0;
    long freeze = ms(r, 40, 150);
    return new FaultPlan(calm, 2 + r.nextInt(3), 2 + r.nextInt(2), 3 + r.nextInt(4), 2_000 * MS,
        Duration.ofNanos(ms(r, 60, 200)), Duration.ofNanos(freeze), Duration.ofNanos(freeze + ms(r, 20, 250)),
        Duration.ofNanos(ms(r, 40, 150)), Duration.ofNanos(ms(r, 60, 200)),
        ms(r, 1, 25), calm ? 0 : r.nextDouble() * 0.08, r.nextDouble() * 0.1, r.nextDouble() * 0.05,
        ms(r, 1, 6), r.nextDouble() * 0.03, calm ? 0 : r.nextDouble() * 0.04, calm ? 0 : r.nextDouble() * 0.03,
        calm ? 0 : ms(r, 30, 250),
        r.nextDouble() * 0.05, r.nextDouble() * 0.05, r.nextDouble() * 0.3, r.nextDouble() * 0.03,
        r.nextDouble() * 0.03, ms(r, 1, 5), ms(r, 50, 300), Duration.ofNanos(ms(r, 100, 1_000)), r.nextInt(3),
        ms(r, 50, 300));
  }

  private static long ms(SplittableRandom r, long lo, long hi) {
    return r.nextLong(lo * MS, hi * MS);
  }

  /** A short description for failure reports. */
  String describe() {
    return (calm ? "calm" : "chaos") + ", " + agents + " agents, " + coordinators + " coordinators, " + transactions
        + " txns; prepare/freeze/lease/thaw/finish " + prepareTimeout.toMillis() + "/" + freezeTimeout.toMillis() + "/"
        + lease.toMillis() + "/" + thawTimeout.toMillis() + "/" + finishTimeout.toMillis() + "ms; delay<="
        + maxDelayNanos / MS + "ms drop=" + pct(drop) + " dup=" + pct(duplicate) + " long=" + pct(longDelay)
        + "; store uncertain=" + pct(storeUncertain) + " refused=" + pct(storeRefused) + " slow=" + pct(storeSlow)
        + "; faults every ~" + meanFaultIntervalNanos / MS + "ms; app refuses=" + pct(writerRefuses) + " cannot freeze="
        + pct(writerFreezeFails) + " gives up=" + pct(writerGivesUp) + "; volume check=" + pct(volumeCheckFails)
        + " capture=" + pct(volumeCaptureFails) + "; reaper every " + reaperIntervalNanos / MS + "ms, grace "
        + reaperGrace.toMillis() + "ms; leader resolves every " + resolveIntervalNanos / MS + "ms; " + deletes
        + " deletion(s)";
  }

  private static String pct(double p) {
    return Math.round(p * 1000) / 10.0 + "%";
  }
}
