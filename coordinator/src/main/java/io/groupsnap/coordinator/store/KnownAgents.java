package io.groupsnap.coordinator.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.KnownAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents a cluster knows: a persistent node {@code known/<agentId>} ({@link KnownAgent}) for every agent a leader
 * has seen registered, with when it was first and last seen. An agent registers itself with an ephemeral node that
 * vanishes when it dies; this is what remembers it, so that a group snapshot of "every agent" can tell that one is
 * missing. Written only by the leader; the nodes and their parent are persistent (never containers), so an empty
 * directory does not vanish. Forgotten after a period unseen ({@link #forgetUnseenSince}) or on request ({@link
 * #forget}). An undecodable node is skipped with a warning, never an exception at the operator.
 *
 * <p>Thread-safe: every method is synchronized (the resolver thread and request threads both call it).
 */
public final class KnownAgents {
  private static final Logger log = LoggerFactory.getLogger(KnownAgents.class);

  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final Duration refreshEvery;
  /** The last-seen time this process last wrote (or read) per agent: no write while it is recent. */
  private final Map<String, Long> written = new HashMap<>();

  /**
   * @param refreshEvery how stale a registered agent's last-seen time may get before it is written again: the
   *     precision of "last seen" for an agent that then disappears
   */
  public KnownAgents(CuratorFramework zk, ZkLayout layout, Duration refreshEvery) {
    this.zk = zk;
    this.layout = layout;
    this.refreshEvery = refreshEvery;
  }

  /** Records that {@code registered} are registered at {@code nowMillis}: new ones become known. */
  public synchronized void seen(List<AgentRegistration> registered, long nowMillis) throws Exception {
    for (AgentRegistration a : registered) {
      Long last = written.get(a.getAgentId());
      if (last == null || nowMillis - last >= refreshEvery.toMillis()) {
        write(a, nowMillis);
      }
    }
  }

  /** Records that {@code agent} was registered until {@code nowMillis}, when its registration went away. */
  public synchronized void left(AgentRegistration agent, long nowMillis) throws Exception {
    write(agent, nowMillis);
  }

  private void write(AgentRegistration a, long nowMillis) throws Exception {
    String path = layout.known(a.getAgentId());
    KnownAgent before = read(a.getAgentId());
    KnownAgent now = KnownAgent.newBuilder().setAgentId(a.getAgentId()).setEndpoint(a.getEndpoint())
        .setFirstSeenAtMillis(before == null || before.getFirstSeenAtMillis() == 0 ? nowMillis
            : before.getFirstSeenAtMillis())
        .setLastSeenAtMillis(nowMillis).build();
    if (before == null) {
      try {
        zk.create().creatingParentsIfNeeded().forPath(path, now.toByteArray());
      } catch (KeeperException.NodeExistsException e) {
        zk.setData().forPath(path, now.toByteArray()); // another leader made it meanwhile, or it was undecodable
      }
    } else {
      zk.setData().forPath(path, now.toByteArray());
    }
    written.put(a.getAgentId(), nowMillis);
  }

  /** Every known agent, by id. */
  public synchronized List<KnownAgent> list() throws Exception {
    List<String> ids;
    try {
      ids = zk.getChildren().forPath(layout.known());
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    List<KnownAgent> out = new ArrayList<>();
    for (String id : ids) {
      KnownAgent k = read(id);
      if (k != null) {
        out.add(k);
      }
    }
    out.sort(Comparator.comparing(KnownAgent::getAgentId));
    return out;
  }

  /** Forgets an agent; false when it was not known. */
  public synchronized boolean forget(String agentId) throws Exception {
    written.remove(agentId);
    try {
      zk.delete().forPath(layout.known(agentId));
      return true;
    } catch (KeeperException.NoNodeException e) {
      return false;
    }
  }

  /** Forgets every agent not in {@code registered} and last seen before {@code cutoffMillis}; returns their ids. */
  public synchronized List<String> forgetUnseenSince(long cutoffMillis, Set<String> registered) throws Exception {
    List<String> gone = new ArrayList<>();
    for (KnownAgent k : list()) {
      if (!registered.contains(k.getAgentId()) && k.getLastSeenAtMillis() < cutoffMillis && forget(k.getAgentId())) {
        gone.add(k.getAgentId());
      }
    }
    return gone;
  }

  private KnownAgent read(String agentId) throws Exception {
    byte[] data;
    try {
      data = zk.getData().forPath(layout.known(agentId));
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
    try {
      return KnownAgent.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      log.warn("known agent record {} cannot be decoded ({}); skipped", layout.known(agentId), e.getMessage());
      return null;
    }
  }
}
