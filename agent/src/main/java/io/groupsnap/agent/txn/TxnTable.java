package io.groupsnap.agent.txn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The transactions this agent knows, and tombstones of the recently aborted ones so that a late PREPARE cannot revive
 * one. At most one transaction is active at a time: {@link #start} admits a new one only when no other is, except
 * that a prepared one which can no longer be frozen is claimed and handed back to be dropped.
 *
 * <p>Its monitor guards the map and the tombstones. It is held briefly and never while a writer or volume is called;
 * the only outside call made under it is admission's question to the coordinator's record (a ZooKeeper read) about a
 * prepared transaction in the way. Lock order: this monitor, then a transaction's {@code phaseLock}; a transaction's
 * monitor may be held when this one is taken, never the other way round.
 */
final class TxnTable {
  /** How many finished transactions are remembered (their answers repeat); tombstones are kept four times as long. */
  static final int KEEP_FINISHED = 256;

  private final Map<String, LocalTxn> txns = new LinkedHashMap<>();
  private final Map<String, AbortCause> tombstones = new LinkedHashMap<>();

  /** What {@link #start} found. */
  sealed interface Start permits Known, Buried, Busy, Started {}

  /** The transaction is known already: its own answers apply. */
  record Known(LocalTxn txn) implements Start {}

  /** The transaction was aborted here and is remembered only by its tombstone. */
  record Buried(AbortCause cause) implements Start {}

  /** Another transaction is active. */
  record Busy(LocalTxn other) implements Start {}

  /** The new transaction is in the table; {@code toDrop} were claimed for ending and must be dropped before it runs. */
  record Started(LocalTxn txn, List<LocalTxn> toDrop) implements Start {}

  synchronized LocalTxn get(String txnId) {
    return txns.get(txnId);
  }

  /** A known transaction or a tombstone, if the id is either. */
  synchronized Optional<Start> lookup(String txnId) {
    LocalTxn t = txns.get(txnId);
    if (t != null) {
      return Optional.of(new Known(t));
    }
    AbortCause cause = tombstones.get(txnId);
    return cause == null ? Optional.empty() : Optional.of(new Buried(cause));
  }

  /**
   * The transaction, or null after leaving a tombstone with {@code cause}: under the lookup's lock, so that a PREPARE
   * overtaken by this ABORT cannot start the transaction afterwards.
   */
  synchronized LocalTxn getOrBury(String txnId, AbortCause cause) {
    LocalTxn t = txns.get(txnId);
    if (t == null) {
      bury(txnId, cause);
    }
    return t;
  }

  /** Remembers that the transaction was aborted here; the first cause stays. */
  synchronized void bury(String txnId, AbortCause cause) {
    tombstones.putIfAbsent(txnId, cause);
    if (tombstones.size() > KEEP_FINISHED * 4) {
      tombstones.remove(tombstones.keySet().iterator().next());
    }
  }

  /**
   * Starts {@code ref} unless it is known, buried or another transaction is active. A prepared transaction for which
   * {@code whyEnded} has a cause is claimed with it and does not count as active.
   */
  synchronized Start start(TxnRef ref, BiFunction<LocalTxn, TxnRef, Optional<AbortCause>> whyEnded,
      Supplier<LocalTxn> create) {
    Optional<Start> known = lookup(ref.txnId());
    if (known.isPresent()) {
      return known.get();
    }
    List<LocalTxn> toDrop = new ArrayList<>();
    for (LocalTxn other : txns.values()) {
      if (!other.isActive()) {
        continue;
      }
      Optional<AbortCause> cause = other.state() == AgentTxnState.PREPARED ? whyEnded.apply(other, ref)
          : Optional.empty();
      if (cause.isPresent() && (other.claim(cause.get()) || other.endCause() != null)) {
        toDrop.add(other); // claimed here or by its timer: dropping it waits for whoever is at it
        continue;
      }
      return new Busy(other);
    }
    LocalTxn txn = create.get();
    txns.put(ref.txnId(), txn);
    prune();
    return new Started(txn, toDrop);
  }

  synchronized boolean isActive(String txnId) {
    LocalTxn t = txns.get(txnId);
    return t != null && t.isActive();
  }

  /** True while any transaction is in progress (preparing, prepared, freezing or holding). */
  synchronized boolean isBusy() {
    return txns.values().stream().anyMatch(LocalTxn::isActive);
  }

  synchronized boolean isHolding() {
    return txns.values().stream().anyMatch(LocalTxn::isHolding);
  }

  /** Whether the transaction is known, and over as far as holding goes: not active and past PREPARED. */
  synchronized boolean holdEnded(String txnId) {
    LocalTxn t = txns.get(txnId);
    return t != null && !t.isActive() && t.state() != AgentTxnState.PREPARED;
  }

  /** Releases every hold (agent shutdown); the undo steps run on this thread, outside this lock. */
  void releaseAll() {
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

  private void prune() {
    if (txns.size() <= KEEP_FINISHED) {
      return;
    }
    txns.values().removeIf(t -> !t.isActive() && (t.state().isFinal() || t.state() == AgentTxnState.THAWED)
        && txns.size() > KEEP_FINISHED);
  }
}
