package io.groupsnap.coordinator.election;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.ZkNodes;
import io.groupsnap.coordinator.store.ClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among coordinators (Curator LeaderLatch), and the epoch that fences each leadership.
 *
 * <p>A coordinator becomes <em>acting</em> leader only after it has raised the epoch with a write fenced by its own
 * latch node; it stops acting the moment the latch reports loss, which Curator does on SUSPENDED as well as LOST.
 * Leadership is advisory (a paused JVM may still believe it leads): the epoch that agents check, and the latch check in
 * every store write, are what make a deposed leader harmless. Listener callbacks run on one named thread, in order.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  /** What the rest of the coordinator learns; called on the leadership thread. */
  public interface Listener {
    void elected(long epoch);

    void deposed(String why);
  }

  /**
   * The acting leadership of this process.
   *
   * @param epoch the epoch this process raised
   * @param fence what every write of this term is checked against
   */
  public record Term(long epoch, ClusterStore.Fence fence) {}

  private final String id;
  private final ClusterStore store;
  private final Listener listener;
  private final CuratorFramework zk;
  private volatile LeaderLatch latch;
  private volatile boolean closed;
  private final ExecutorService events;
  private final AtomicReference<Term> term = new AtomicReference<>();

  public Leadership(CuratorFramework zk, ClusterStore store, String id, Listener listener) {
    this.id = id;
    this.store = store;
    this.listener = listener;
    this.zk = zk;
    this.events = Executors.newSingleThreadExecutor(Daemons.named("groupsnap-leadership"));
  }

  public void start() throws Exception {
    join();
  }

  private void join() throws Exception {
    // persistent, so that it outlives a moment without coordinators; the latch would recreate it as a container
    ZkNodes.ensurePersistent(zk, store.layout().leader());
    LeaderLatch l = new LeaderLatch(zk, store.layout().leader(), id, LeaderLatch.CloseMode.NOTIFY_LEADER);
    l.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader() {
        if (l == latch) {
          onElected();
        }
      }

      @Override
      public void notLeader() {
        if (l == latch) {
          onDeposed("leadership lost");
        }
      }
    }, events);
    latch = l;
    l.start();
  }

  private void onElected() {
    try {
      String path = latch.getOurPath();
      ClusterStore.Bump bump = store.bumpEpoch(path, id);
      if (!latch.hasLeadership()) {
        return;
      }
      term.set(new Term(bump.epoch(), new ClusterStore.Fence(path, bump.epochVersion())));
      log.info("coordinator {} is the leader with epoch {}", id, bump.epoch());
      listener.elected(bump.epoch());
    } catch (Exception e) {
      log.warn("elected but could not raise the epoch ({}); giving leadership back", e.toString());
      giveBack();
    }
  }

  private void rejoin() {
    onDeposed("gave leadership back");
    try {
      latch.close(LeaderLatch.CloseMode.SILENT);
      if (!closed) {
        join(); // at the back of the queue: another coordinator leads first
      }
    } catch (Exception e) {
      log.warn("could not rejoin the election: {}", e.toString());
    }
  }

  /**
   * Gives leadership back, so that another coordinator can lead (this one could not act as leader), and rejoins the
   * election at the back of the queue.
   */
  public void giveBack() {
    events.execute(this::rejoin);
  }

  /**
   * Gives leadership back only if this process still holds the term of {@code epoch}: a recovery that gave up in an
   * older term must not depose a newer one won meanwhile.
   */
  public void giveBack(long epoch) {
    events.execute(() -> {
      Term now = term.get();
      if (now != null && now.epoch() == epoch) {
        rejoin();
      }
    });
  }

  private void onDeposed(String why) {
    if (term.getAndSet(null) != null) {
      log.warn("coordinator {} stops leading: {}", id, why);
      listener.deposed(why);
    }
  }

  private void onClosing() {
    if (term.getAndSet(null) != null) {
      log.info("coordinator {} hands leadership back: closing", id);
      listener.deposed("coordinator closing");
    }
  }

  /** The acting term, or empty when this process is not the acting leader. */
  public Optional<Term> term() {
    Term t = term.get();
    return t != null && latch.hasLeadership() ? Optional.of(t) : Optional.empty();
  }

  /** The current leader's id (its endpoint), if any; asks ZooKeeper. */
  public Optional<String> leaderId() {
    try {
      Participant p = latch.getLeader();
      return p.isLeader() && !p.getId().isEmpty() ? Optional.of(p.getId()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** Every coordinator taking part in the election; asks ZooKeeper. */
  public List<Participant> participants() {
    try {
      return new ArrayList<>(latch.getParticipants());
    } catch (Exception e) {
      return List.of();
    }
  }

  public String id() {
    return id;
  }

  @Override
  public void close() {
    closed = true;
    onClosing();
    try {
      latch.close(LeaderLatch.CloseMode.SILENT);
    } catch (Exception e) {
      log.debug("closing latch (never started or already closed): {}", e.toString());
    }
    events.shutdownNow();
  }
}
