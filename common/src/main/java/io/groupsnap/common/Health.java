package io.groupsnap.common;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a daemon answers on the standard gRPC health service ({@code grpc.health.v1.Health}): one status for the whole
 * server (the empty service name) and the same for each of its own service names, so a probe asking either gets the
 * same answer.
 *
 * <p>Starts NOT_SERVING ("starting"): a daemon says {@link #serving()} only once it can do its work. {@link #close()}
 * is terminal: NOT_SERVING for good, whatever is reported later (a late ZooKeeper event during shutdown). Each change
 * is logged once at INFO with its reason; reporting the status already in force logs nothing, so a listener that
 * repeats itself does not flood the log.
 *
 * <p>Thread-safe: every method may be called from any thread (Curator's event thread, the starting thread).
 */
public final class Health implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Health.class);

  private final HealthStatusManager manager = new HealthStatusManager();
  private final String daemon;
  private final List<String> services;
  private boolean serving;
  private boolean closed;

  /**
   * @param daemon who reports, for the log ("coordinator", "agent a1")
   * @param services the daemon's own gRPC service names (e.g. {@code CoordinatorServiceGrpc.SERVICE_NAME}); the
   *     whole server's status ("") is always reported too
   */
  public Health(String daemon, String... services) {
    this.daemon = daemon;
    this.services = concat(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, services);
    set(ServingStatus.NOT_SERVING); // HealthStatusManager starts the whole server as SERVING
  }

  private static List<String> concat(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return List.of(all);
  }

  /** The gRPC health service to add to the daemon's server. */
  public BindableService service() {
    return manager.getHealthService();
  }

  /** Reports SERVING (logged once when it changes); ignored once closed. */
  public synchronized void serving() {
    if (closed || serving) {
      return;
    }
    serving = true;
    set(ServingStatus.SERVING);
    log.info("{} health: SERVING", daemon);
  }

  /** Reports NOT_SERVING for {@code reason} (logged once when it changes); ignored once closed. */
  public synchronized void notServing(String reason) {
    if (closed || !serving) {
      return;
    }
    serving = false;
    set(ServingStatus.NOT_SERVING);
    log.info("{} health: NOT_SERVING ({})", daemon, reason);
  }

  /** True while SERVING is reported. */
  public synchronized boolean isServing() {
    return serving;
  }

  private void set(ServingStatus status) {
    services.forEach(s -> manager.setStatus(s, status));
  }

  /** NOT_SERVING for good, on every service name; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serving) {
      log.info("{} health: NOT_SERVING (shutting down)", daemon);
    }
    serving = false;
    manager.enterTerminalState();
  }
}
