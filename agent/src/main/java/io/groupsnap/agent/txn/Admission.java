package io.groupsnap.agent.txn;

import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.common.Names;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Whether a new transaction may start on this agent: the request's own limits (a lease within
 * [{@link Participant#MIN_LEASE}, maxFreezeLease], volumes this agent has), and which prepared transaction in its way
 * can no longer be frozen and may be dropped for it.
 *
 * <p>Thread-safe. {@link #whyEnded} is called under the transaction table's lock.
 */
final class Admission {
  private final String agentId;
  private final Set<String> volumeNames;
  private final Duration maxLease;
  private final LongSupplier nanos;
  /** Whether the coordinator's record already ended a transaction (an agent reads ZooKeeper); never by default. */
  private volatile Predicate<String> recordEnded = id -> false;

  /** @param volumeNames this agent's volumes, in configuration order */
  Admission(String agentId, Set<String> volumeNames, Duration maxLease, LongSupplier nanos) {
    this.agentId = agentId;
    this.volumeNames = volumeNames;
    this.maxLease = maxLease;
    this.nanos = nanos;
  }

  void consultRecords(Predicate<String> ended) {
    this.recordEnded = ended;
  }

  /** The refusal of a request that can never be admitted here as asked, if it is one. */
  Optional<PrepareResult> refuse(List<String> volumes, Duration lease) {
    if (lease.compareTo(Participant.MIN_LEASE) < 0 || lease.compareTo(maxLease) > 0) {
      return Optional.of(PrepareResult.no(false, "freeze lease " + lease.toMillis() + "ms is outside ["
          + Participant.MIN_LEASE.toMillis() + "ms, " + maxLease.toMillis() + "ms], this agent's maxFreezeLease"));
    }
    for (String v : volumes) {
      if (!volumeNames.contains(v)) {
        return Optional.of(PrepareResult.no(false, "unknown volume '" + Names.printable(v) + "' on agent " + agentId
            + " (has: " + String.join(", ", volumeNames) + ")"));
      }
    }
    return Optional.empty();
  }

  /**
   * Why a transaction that is only prepared can no longer be frozen, if it cannot: it was claimed for ending already,
   * its FREEZE deadline passed, a PREPARE of a newer epoch came (its FREEZE would be fenced now), or its record
   * already ended it (its ABORT was lost).
   */
  Optional<AbortCause> whyEnded(LocalTxn prepared, TxnRef newcomer) {
    if (prepared.endCause() != null) {
      return Optional.of(prepared.endCause());
    }
    if (deadlinePassed(prepared)) {
      return Optional.of(AbortCause.noFreezeWithin(prepared.freezeWithin));
    }
    if (prepared.ref.epoch() < newcomer.epoch()) {
      return Optional.of(AbortCause.displacedBy(newcomer));
    }
    if (recordEnded.test(prepared.ref.txnId())) {
      return Optional.of(AbortCause.recordEnded());
    }
    return Optional.empty();
  }

  /** Whether the time a prepared transaction had for its FREEZE is over. */
  boolean deadlinePassed(LocalTxn txn) {
    return nanos.getAsLong() - txn.freezeByNanos >= 0;
  }
}
