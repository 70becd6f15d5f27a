package io.groupsnap.coordinator;

import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.KnownAgents;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.KnownAgent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who belongs to the cluster: the agents it knows ({@link KnownAgents}), kept current by the leader — an agent becomes
 * known when its registration appears (a watch on {@code agents/}), its last-seen time is refreshed while it stays
 * registered and set when its registration goes away, and it is forgotten once unregistered for {@code forgetAfter}.
 * A group snapshot of every agent asks {@link #missing} who would be left out.
 *
 * <p>Threading: the watch hands its events to {@code executor} (the coordinator's resolver thread); the other methods
 * may be called from any thread. Only while {@code leading} is anything written.
 */
final class Roster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Roster.class);

  private final ClusterStore store;
  private final KnownAgents known;
  private final Duration forgetAfter;
  private final BooleanSupplier leading;
  private final CuratorCache watch;
  /** A pass is queued: registrations arriving meanwhile (a thousand at start) are covered by it. */
  private final AtomicBoolean queued = new AtomicBoolean();

  Roster(CuratorFramework zk, ClusterStore store, Duration refreshEvery, Duration forgetAfter, Executor executor,
      BooleanSupplier leading) {
    this.store = store;
    this.known = new KnownAgents(zk, store.layout(), refreshEvery);
    this.forgetAfter = forgetAfter;
    this.leading = leading;
    this.watch = CuratorCache.build(zk, store.layout().agents());
    watch.listenable().addListener(CuratorCacheListener.builder()
        .forCreates(node -> {
          if (queued.compareAndSet(false, true)) {
            run(executor, this::rememberQuietly);
          }
        })
        .forDeletes(node -> run(executor, () -> left(node))).build());
  }

  Roster start() {
    watch.start();
    return this;
  }

  /** Records the registered agents as seen now and forgets those unregistered for longer than {@code forgetAfter}. */
  void remember() throws Exception {
    List<AgentRegistration> registered = store.agents();
    long now = System.currentTimeMillis();
    known.seen(registered, now);
    List<String> forgotten = known.forgetUnseenSince(now - forgetAfter.toMillis(),
        registered.stream().map(AgentRegistration::getAgentId).collect(Collectors.toSet()));
    if (!forgotten.isEmpty()) {
      log.info("forgot agents unregistered for more than {}: {}", forgetAfter, forgotten);
    }
  }

  /**
   * The known agents a group snapshot of every agent would leave out, as {@code registered} stands now; with {@code
   * record}, those registered are first recorded as seen (the leader, about to start one).
   */
  List<KnownAgent> missing(List<AgentRegistration> registered, boolean record) throws Exception {
    long now = System.currentTimeMillis();
    if (record) {
      known.seen(registered, now);
    }
    return MemberSelection.missing(known.list(), registered, now - forgetAfter.toMillis());
  }

  /** Whether {@code agentId} is among the agents the cluster knows (registered, or seen and not yet forgotten). */
  boolean knows(String agentId) throws Exception {
    return known.list().stream().anyMatch(k -> k.getAgentId().equals(agentId));
  }

  /** Forgets an agent; false when it was not known. Refused while it is registered (it would be known again). */
  boolean forget(String agentId) throws Exception {
    if (store.agents().stream().anyMatch(a -> a.getAgentId().equals(agentId))) {
      throw new IllegalStateException("agent " + agentId + " is registered; stop it before forgetting it");
    }
    return known.forget(agentId);
  }

  private void rememberQuietly() {
    queued.set(false);
    if (!leading.getAsBoolean()) {
      return;
    }
    try {
      remember();
    } catch (Exception e) {
      log.warn("could not record the registered agents: {}", e.toString());
    }
  }

  /** A registration went away: that is when its agent was last seen. */
  private void left(ChildData node) {
    if (!leading.getAsBoolean() || node.getPath().equals(store.layout().agents())) {
      return;
    }
    try {
      known.left(AgentRegistration.parseFrom(node.getData()), System.currentTimeMillis());
    } catch (Exception e) {
      log.warn("could not record when agent {} left: {}", node.getPath(), e.toString());
    }
  }

  private static void run(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException closing) {
      // the coordinator is closing
    }
  }

  @Override
  public void close() {
    watch.close();
  }
}
