package io.groupsnap.common;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * Drives a daemon's {@link Health} from its ZooKeeper connection: SERVING while Curator is connected (CONNECTED,
 * RECONNECTED) and, for a daemon that {@link Needs#CONNECTION_AND_REGISTRATION needs its registration}, once its
 * ephemeral node exists in the current session; NOT_SERVING on SUSPENDED (the connection is down: what the session
 * holds may be gone), LOST (the session expired: its ephemeral nodes are gone until re-created) and READ_ONLY.
 *
 * <p>It follows the connection from {@link #follow} on, but reports only from {@link #start()}: before that the daemon
 * is still starting and its health stays NOT_SERVING. A registration that survives a SUSPENDED followed by RECONNECTED
 * (the same session) still counts; after a LOST only {@link #registered()} (its node created again) counts.
 *
 * <p>Thread-safe: Curator's event thread, the registration's callbacks and the starting thread meet under this
 * object's monitor, and the connection is read under it too, so an event never races the first reading.
 */
public final class ZkHealth implements ConnectionStateListener, AutoCloseable {
  /** What SERVING requires besides the daemon having started. */
  public enum Needs {
    /** The ZooKeeper connection (a coordinator, leader or standby). */
    CONNECTION,
    /** The connection and the daemon's ephemeral registration in the current session (an agent). */
    CONNECTION_AND_REGISTRATION
  }

  private final CuratorFramework zk;
  private final Health health;
  private final Needs needs;
  private boolean connected;
  private boolean registered;
  private boolean started;
  private String why = "starting";

  private ZkHealth(CuratorFramework zk, Health health, Needs needs) {
    this.zk = zk;
    this.health = health;
    this.needs = needs;
  }

  /** Follows {@code zk}'s connection for {@code health} from now on; reports nothing until {@link #start()}. */
  public static ZkHealth follow(CuratorFramework zk, Health health, Needs needs) {
    ZkHealth h = new ZkHealth(zk, health, needs);
    synchronized (h) {
      zk.getConnectionStateListenable().addListener(h);
      h.connected = zk.getZookeeperClient().isConnected();
      h.why = h.connected ? "starting" : "not connected to ZooKeeper";
    }
    return h;
  }

  /** The daemon has started: from now on its health follows the connection (and registration). */
  public synchronized void start() {
    started = true;
    report();
  }

  /** The daemon's ephemeral registration was created in the current session (its first, or again after a LOST). */
  public synchronized void registered() {
    registered = true;
    report();
  }

  @Override
  public synchronized void stateChanged(CuratorFramework client, ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED -> {
        connected = true;
        why = "waiting for its registration to be created again in the new ZooKeeper session";
      }
      case SUSPENDED -> {
        connected = false;
        why = "ZooKeeper connection suspended";
      }
      case LOST -> {
        connected = false;
        registered = false;
        why = "ZooKeeper session lost";
      }
      case READ_ONLY -> {
        connected = false;
        why = "ZooKeeper connection is read-only";
      }
    }
    report();
  }

  private void report() {
    if (!started) {
      return;
    }
    if (connected && (registered || needs == Needs.CONNECTION)) {
      health.serving();
    } else {
      health.notServing(why);
    }
  }

  /** Stops following the connection (the health itself is closed by its owner). */
  @Override
  public void close() {
    zk.getConnectionStateListenable().removeListener(this);
  }
}
