package io.groupsnap.common.tls;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link TlsMaterial} of a set of {@link TlsFiles}, re-read when the files change. A new set is used only
 * once it passed every check: a half-written file or a key that does not match yet is logged once (WARN, one line)
 * and the current set kept. New handshakes take the current set; established connections keep theirs.
 *
 * <p>Threading: {@link #current()} and {@link #byAlias} from any thread; reloads run on one daemon thread (or the
 * caller of {@link #reload()}) and are serialized.
 */
final class Reloading implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reloading.class);

  /** What a look at the files did. */
  enum Outcome { UNCHANGED, RELOADED, KEPT }

  private final TlsFiles files;
  private final Clock clock;
  private final AtomicLong generation = new AtomicLong();
  private final Map<String, TlsMaterial> recent = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;
  private volatile TlsMaterial current;
  private String lastFailure;

  private Reloading(TlsFiles files, Clock clock, TlsMaterial first, Duration every) {
    this.files = files;
    this.clock = clock;
    this.current = first;
    recent.put(first.alias(), first);
    if (every.isZero() || every.isNegative()) {
      poller = null;
    } else {
      poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "groupsnap-tls-reload");
        t.setDaemon(true);
        return t;
      });
      poller.scheduleWithFixedDelay(this::poll, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Loads and checks the files now, then looks at them every {@code every} (never when zero). */
  static Reloading start(TlsFiles files, Duration every, Clock clock) throws TlsException {
    Reloading r = new Reloading(files, clock, TlsMaterial.loadSettled(files, "groupsnap-0", clock.instant()),
        every);
    LOG.info("TLS: using {}", describe(r.current));
    return r;
  }

  /** The time certificates are checked against. */
  java.time.Instant now() {
    return clock.instant();
  }

  TlsMaterial current() {
    return current;
  }

  /** The set a key manager handed out under {@code alias}, or null when that set is long gone. */
  TlsMaterial byAlias(String alias) {
    return alias == null ? null : recent.get(alias);
  }

  private void poll() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.warn("TLS: reloading {} failed: {}", files.cert(), e.toString());
    }
  }

  /** Looks at the files once: a new valid set replaces the current one. */
  synchronized Outcome reload() {
    TlsMaterial now = current;
    TlsMaterial next;
    try {
      TlsMaterial.Raw raw = TlsMaterial.Raw.read(files);
      if (now.sameFiles(raw)) {
        lastFailure = null;
        return Outcome.UNCHANGED;
      }
      next = TlsMaterial.check(raw, "groupsnap-" + generation.incrementAndGet(), clock.instant());
    } catch (TlsException e) {
      if (!e.getMessage().equals(lastFailure)) {
        lastFailure = e.getMessage();
        LOG.warn("TLS: keeping the current certificate, the new files are not usable: {}", e.getMessage());
      }
      return Outcome.KEPT;
    }
    lastFailure = null;
    recent.put(next.alias(), next);
    current = next;
    recent.keySet().removeIf(a -> !a.equals(next.alias()) && !a.equals(now.alias()));
    LOG.info("TLS: reloaded, now using {}", describe(next));
    return Outcome.RELOADED;
  }

  private static String describe(TlsMaterial m) {
    return Chains.subject(m.certificate()) + " (serial " + m.certificate().getSerialNumber().toString(16)
        + ", valid until " + m.certificate().getNotAfter().toInstant() + ")";
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
