package io.groupsnap.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.groupsnap.common.Daemons;
import io.groupsnap.common.HostPort;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's Prometheus endpoint: {@code GET /metrics} on its own address, answered with the registry's meters in the
 * Prometheus text format (version 0.0.4). Nothing else is served: another path is 404, another method 405.
 *
 * <p>Why a separate port and the JDK's HTTP server: the gRPC port speaks HTTP/2 with (soon) mutual TLS, which a
 * Prometheus scraper does not; the JDK server needs no dependency and is plenty for one scrape every few seconds.
 *
 * <p>Threading: requests are answered one at a time on the thread "groupsnap-metrics-http". A scrape reads meters
 * only (no ZooKeeper, no disk), so it never waits for a protocol lane nor delays one. {@link #close()} is idempotent.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

  public static final String PATH = "/metrics";
  /** The Prometheus text exposition format this endpoint answers in. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The endpoint could not listen where configured; the message names the setting and the address. */
  public static final class UnavailableException extends IOException {
    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final HostPort address;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetricsEndpoint(HttpServer server, ExecutorService executor, HostPort address) {
    this.server = server;
    this.executor = executor;
    this.address = address;
  }

  /**
   * Starts serving the registry's meters.
   *
   * @param setting the configuration field that gave {@code listen} (e.g. {@code --metrics-listen}), for the error
   * @param listen where to listen; port 0 picks a free port ({@link #address()} tells which)
   * @throws UnavailableException one line naming {@code setting} and the address when it cannot listen there
   */
  public static MetricsEndpoint start(String setting, HostPort listen, PrometheusMeterRegistry registry)
      throws UnavailableException {
    InetSocketAddress bind = new InetSocketAddress(listen.host(), listen.port());
    if (bind.isUnresolved()) {
      throw new UnavailableException(setting + " " + listen + ": unknown host " + listen.host(), null);
    }
    HttpServer server;
    try {
      server = HttpServer.create(bind, 16);
    } catch (IOException e) {
      throw new UnavailableException(setting + " " + listen + ": cannot listen: " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(Daemons.named("groupsnap-metrics-http"));
    server.setExecutor(executor);
    server.createContext("/", exchange -> answer(exchange, registry));
    server.start();
    HostPort bound = new HostPort(listen.host(), server.getAddress().getPort());
    log.info("metrics on http://{}{}", bound, PATH);
    return new MetricsEndpoint(server, executor, bound);
  }

  /** Where it listens, with the port it was given when asked for port 0. */
  public HostPort address() {
    return address;
  }

  private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        send(exchange, 404, "text/plain; charset=utf-8", "not found: only " + PATH + " is served\n", method);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "method not allowed: GET or HEAD\n", "GET");
        return;
      }
      String body;
      try {
        body = registry.scrape();
      } catch (RuntimeException e) {
        log.warn("metrics scrape failed: {}", e.toString());
        send(exchange, 500, "text/plain; charset=utf-8", "scrape failed: " + e.getClass().getSimpleName() + "\n",
            method);
        return;
      }
      send(exchange, 200, CONTENT_TYPE, body, method);
    }
  }

  private static void send(HttpExchange exchange, int code, String type, String body, String method)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(code, -1);
      return;
    }
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
  }
}
