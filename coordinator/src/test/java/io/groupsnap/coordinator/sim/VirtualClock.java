package io.groupsnap.coordinator.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * One simulated host's wall clock: the loop's virtual time plus a fixed offset, so that hosts do not agree on the
 * time (the protocol must not need them to).
 */
final class VirtualClock extends Clock {
  /** 2026-01-01T00:00:00Z, where virtual time 0 falls for a host without offset. */
  private static final long BASE_NANOS = 1_767_225_600L * 1_000_000_000L;

  private final EventLoop loop;
  private final long offsetNanos;

  VirtualClock(EventLoop loop, long offsetNanos) {
    this.loop = loop;
    this.offsetNanos = offsetNanos;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!zone.equals(ZoneOffset.UTC)) {
      throw new UnsupportedOperationException("simulated clocks are UTC");
    }
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochSecond(0, BASE_NANOS + offsetNanos + loop.now());
  }

  @Override
  public long millis() {
    return (BASE_NANOS + offsetNanos + loop.now()) / 1_000_000;
  }
}
