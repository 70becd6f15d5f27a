package io.groupsnap.common.tls;

import io.groupsnap.common.Daemons;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loud reminder of a daemon started {@code insecure}: one WARN line at start and again every {@link #EVERY}, on
 * its own thread. While {@code busy} says a freeze window is open the line waits until it has closed, so the
 * reminder never writes a log inside one. Closing it stops the reminders; idempotent.
 */
public final class InsecureNotice implements AutoCloseable {
  public static final Duration EVERY = Duration.ofMinutes(10);
  /** How soon a reminder put off by an open freeze window is tried again. */
  static final Duration RETRY = Duration.ofSeconds(5);
  public static final String TEXT = "insecure: plaintext gRPC, every caller is trusted — never in production";
  private static final Logger log = LoggerFactory.getLogger(InsecureNotice.class);

  private final String who;
  private final BooleanSupplier busy;
  private final ScheduledExecutorService timer;

  private InsecureNotice(String who, BooleanSupplier busy) {
    this.who = who;
    this.busy = busy;
    this.timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-insecure-notice"));
  }

  /**
   * Logs the warning now and every {@link #EVERY} for {@code who} (e.g. "agent agent-1"); null when
   * {@code transport} is secure (nothing to remind of).
   */
  public static InsecureNotice startFor(String who, Transport transport, BooleanSupplier busy) {
    if (transport.secure()) {
      return null;
    }
    log.warn("{}: {}", who, TEXT);
    InsecureNotice n = new InsecureNotice(who, busy);
    n.timer.schedule(n::remind, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return n;
  }

  private void remind() {
    Duration next = EVERY;
    if (busy.getAsBoolean()) {
      next = RETRY;
    } else {
      log.warn("{}: {}", who, TEXT);
    }
    try {
      timer.schedule(this::remind, next.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // closed meanwhile
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
