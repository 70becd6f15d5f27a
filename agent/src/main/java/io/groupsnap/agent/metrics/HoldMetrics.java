package io.groupsnap.agent.metrics;

import io.groupsnap.agent.txn.FreezeHold;
import io.groupsnap.agent.txn.HoldListener;
import io.groupsnap.common.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This agent's holds, counted as they start and end ({@link HoldListener}):
 *
 * <ul>
 *   <li>{@code groupsnap_agent_holds_active}: holds in progress now (something of this host may be frozen);
 *   <li>{@code groupsnap_agent_holds_total{release}}: holds ended, by what ended them: {@code thaw}, {@code
 *       lease_expired}, {@code aborted}, {@code failed};
 *   <li>{@code groupsnap_agent_holds_lease_expired_total}: holds the lease watchdog ended before THAW;
 *   <li>{@code groupsnap_agent_holds_broken_total}: holds this agent could not vouch for at THAW (ended early by the
 *       lease or a failure, or a thaw step failed): each makes its group snapshot abort;
 *   <li>{@code groupsnap_agent_hold_seconds{release}}: how long each hold lasted, from accepting FREEZE until this
 *       host had thawed (the local freeze window);
 *   <li>{@code groupsnap_agent_time_to_frozen_seconds}: from accepting FREEZE until every writer and volume was
 *       frozen, for the holds that got there.
 * </ul>
 *
 * <p>Recorded when a hold starts (one atomic increment) and after it has ended, once this host has thawed: counters
 * and histograms that are lock-free, no logging, no I/O.
 */
public final class HoldMetrics implements HoldListener {
  private final AtomicLong active = new AtomicLong();
  private final Map<FreezeHold.Release, Counter> ended = new EnumMap<>(FreezeHold.Release.class);
  private final Map<FreezeHold.Release, Timer> held = new EnumMap<>(FreezeHold.Release.class);
  private final Counter leaseExpired;
  private final Counter broken;
  private final Timer timeToFrozen;

  public HoldMetrics(MeterRegistry registry) {
    Gauge.builder("groupsnap.agent.holds.active", active, AtomicLong::get)
        .description("Holds in progress on this agent now").strongReference(true)
        .register(registry);
    for (FreezeHold.Release r : FreezeHold.Release.values()) {
      String release = r.name().toLowerCase(Locale.ROOT);
      ended.put(r, Counter.builder("groupsnap.agent.holds").description("Holds ended on this agent, by what ended them")
          .tag("release", release).register(registry));
      held.put(r, Meters.histogram("groupsnap.agent.hold",
          "How long each hold lasted: FREEZE accepted until this host had thawed").tag("release", release)
          .register(registry));
    }
    leaseExpired = Counter.builder("groupsnap.agent.holds.lease.expired")
        .description("Holds the lease watchdog ended before THAW").register(registry);
    broken = Counter.builder("groupsnap.agent.holds.broken")
        .description("Holds this agent could not vouch for at THAW (lease, failure, failed thaw step)")
        .register(registry);
    timeToFrozen = Meters.histogram("groupsnap.agent.time.to.frozen",
        "FREEZE accepted until every writer and volume was frozen").register(registry);
  }

  @Override
  public void started() {
    active.incrementAndGet();
  }

  @Override
  public void ended(Ended how) {
    active.decrementAndGet();
    ended.get(how.release()).increment();
    held.get(how.release()).record(how.heldNanos(), TimeUnit.NANOSECONDS);
    if (how.timeToFrozenNanos() >= 0) {
      timeToFrozen.record(how.timeToFrozenNanos(), TimeUnit.NANOSECONDS);
    }
    if (how.release() == FreezeHold.Release.LEASE_EXPIRED) {
      leaseExpired.increment();
    }
    if (how.broken()) {
      broken.increment();
    }
  }
}
