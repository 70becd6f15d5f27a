package io.groupsnap.devkit.bench.scale;

import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.common.Daemons;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The uncoordinated floor of a freeze window: every agent's own FREEZE (hold the writer, capture the volume) started
 * at once on local threads, then, once the last is frozen, every THAW at once — the same participant code a FREEZE
 * and THAW over gRPC run, with no coordinator, no network and no ZooKeeper. The floor is the time from the first
 * freeze start to the last thaw end; PREPARE before and ABORT after (which deletes the captures) are outside it.
 */
final class Floor {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final int THREADS = 8;

  private Floor() {}

  /** Runs {@code rounds} floor rounds over {@code agents}; returns their windows in ms, comma-separated. */
  static String run(List<LightAgent> agents, int rounds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS, Daemons.named("scale-floor"));
    try {
      List<String> windows = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        windows.add(String.format(Locale.ROOT, "%.2f", round(agents, pool) / 1e6));
      }
      return String.join(",", windows);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long round(List<LightAgent> agents, ExecutorService pool) throws Exception {
    String txnId = "floor-" + UUID.randomUUID();
    List<TxnRef> refs = new ArrayList<>();
    for (LightAgent a : agents) {
      TxnRef ref = new TxnRef(a.clusterId(), a.epoch(), txnId);
      refs.add(ref);
      Results.PrepareResult p = a.participant().prepare(ref, List.of(LightAgent.VOLUME), LEASE);
      if (!p.ok()) {
        throw new IllegalStateException("floor PREPARE refused by " + a.id() + ": " + p.reason());
      }
    }
    AtomicLong first = new AtomicLong(Long.MAX_VALUE);
    AtomicLong last = new AtomicLong(Long.MIN_VALUE);
    List<Future<?>> frozen = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      Participant p = agents.get(i).participant();
      TxnRef ref = refs.get(i);
      String id = agents.get(i).id();
      frozen.add(pool.submit(() -> {
        first.accumulateAndGet(System.nanoTime(), Math::min);
        Results.FreezeResult f = p.freeze(ref, LEASE);
        if (f.outcome() != Results.FreezeOutcome.FROZEN) {
          throw new IllegalStateException("floor FREEZE failed on " + id + ": " + f.reason());
        }
        return null;
      }));
    }
    for (Future<?> f : frozen) {
      f.get();
    }
    List<Future<?>> thawed = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      Participant p = agents.get(i).participant();
      TxnRef ref = refs.get(i);
      thawed.add(pool.submit(() -> {
        p.thaw(ref);
        last.accumulateAndGet(System.nanoTime(), Math::max);
        return null;
      }));
    }
    for (Future<?> f : thawed) {
      f.get();
    }
    for (int i = 0; i < agents.size(); i++) {
      agents.get(i).participant().abort(refs.get(i));
    }
    return last.get() - first.get();
  }
}
