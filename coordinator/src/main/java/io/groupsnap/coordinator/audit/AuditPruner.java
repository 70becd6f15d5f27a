package io.groupsnap.coordinator.audit;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.ClusterStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's retention of the audit trail ({@link AuditRetention}): removes the oldest entries beyond the count,
 * then, oldest first, those older than the age (by the entry's time; a damaged entry by its node's mtime), stopping at
 * the first younger one. Only while this process is the acting leader: a standby never prunes, and every removal is a
 * multi-op fenced by the leader's term like its other writes, so a deposed leader's late pass removes nothing.
 * Runs periodically ({@link #start}) on its own thread, never on a transaction's lane. Thread-safe.
 */
public final class AuditPruner {
  private static final Logger log = LoggerFactory.getLogger(AuditPruner.class);
  private static final int BATCH = 100;

  private final CuratorFramework zk;
  private final AuditStore store;
  private final AuditRetention retention;
  private final Clock clock;

  public AuditPruner(CuratorFramework zk, AuditStore store, AuditRetention retention, Clock clock) {
    this.zk = zk;
    this.store = store;
    this.retention = retention;
    this.clock = clock;
  }

  /** Prunes every {@code pruneEvery} on {@code scheduler}, whenever {@code acting} names a term. */
  public void start(ScheduledExecutorService scheduler, Supplier<Optional<Leadership.Term>> acting) {
    long every = retention.pruneEvery().toMillis();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        pruneOnce(acting);
      } catch (Exception e) {
        log.warn("audit pruning pass failed: {}", e.toString());
      }
    }, every, every, TimeUnit.MILLISECONDS);
  }

  /** One pass; returns how many entries it removed (0 on a standby). */
  public int pruneOnce(Supplier<Optional<Leadership.Term>> acting) throws Exception {
    if (acting.get().isEmpty()) {
      return 0;
    }
    List<String> names = store.names();
    int excess = Math.max(0, names.size() - retention.maxEntries());
    List<String> doomed = new ArrayList<>(names.subList(0, excess));
    long cutoff = clock.millis() - retention.maxAge().toMillis();
    int next = excess;
    boolean young = false;
    while (next < names.size() && !young) {
      List<AuditStore.Read> batch = store.read(names.subList(next, Math.min(names.size(), next + BATCH)));
      for (AuditStore.Read r : batch) {
        if (r.atMillis() >= cutoff) {
          young = true;
          break;
        }
        doomed.add(r.name());
      }
      next += BATCH;
    }
    int removed = 0;
    for (int i = 0; i < doomed.size(); i += BATCH) {
      Optional<Leadership.Term> term = acting.get();
      if (term.isEmpty()) {
        log.info("audit pruning stopped: this coordinator no longer leads");
        break;
      }
      try {
        removed += remove(doomed.subList(i, Math.min(doomed.size(), i + BATCH)), term.get().fence());
      } catch (KeeperException.BadVersionException newerTerm) {
        log.info("audit pruning stopped: a newer term began (the epoch moved on)");
        break;
      }
    }
    if (removed > 0) {
      log.info("audit trail: removed {} entr{} (older than {}h or beyond {} entries)", removed,
          removed == 1 ? "y" : "ies", retention.maxAge().toHours(), retention.maxEntries());
    }
    return removed;
  }

  /** Removes {@code names} in one fenced multi-op; one at a time when some are gone already. */
  private int remove(List<String> names, ClusterStore.Fence fence) throws Exception {
    try {
      zk.transaction().forOperations(fenced(fence, names));
      return names.size();
    } catch (KeeperException.NoNodeException e) {
      int removed = 0;
      for (String name : names) {
        try {
          zk.transaction().forOperations(fenced(fence, List.of(name)));
          removed++;
        } catch (KeeperException.NoNodeException gone) {
          // removed meanwhile (or the term ended: the next check fails with another code)
        }
      }
      return removed;
    }
  }

  private List<CuratorOp> fenced(ClusterStore.Fence f, List<String> names) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(zk.transactionOp().check().forPath(f.latchPath()));
    ops.add(zk.transactionOp().check().withVersion(f.epochVersion()).forPath(store.layout().epoch()));
    for (String name : names) {
      ops.add(zk.transactionOp().delete().forPath(store.path(name)));
    }
    return ops;
  }
}
