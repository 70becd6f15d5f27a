package io.groupsnap.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.txn.FreezeHold;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hold meters against real holds: a THAW, a lease the watchdog ends, an ABORT, a thaw step that fails. */
class HoldMetricsTest {
  final MeterRegistry registry = new SimpleMeterRegistry();
  final HoldMetrics metrics = new HoldMetrics(registry);
  final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    watchdog.shutdownNow();
  }

  private double active() {
    return registry.get("groupsnap.agent.holds.active").gauge().value();
  }

  private double ended(String release) {
    return registry.get("groupsnap.agent.holds").tag("release", release).counter().count();
  }

  private double counter(String name) {
    return registry.get(name).counter().count();
  }

  private long held(String release) {
    return registry.get("groupsnap.agent.hold").tag("release", release).timer().count();
  }

  @Test
  void aThawedHold_isCountedOnce_withItsDurationAndTimeToFrozen_andIsNoLongerActive() {
    FreezeHold hold = FreezeHold.start(watchdog, Duration.ofMinutes(1), System::nanoTime, metrics);
    assertThat(active()).isEqualTo(1);
    hold.frozen(2_000_000);
    hold.release(FreezeHold.Release.THAW);
    hold.release(FreezeHold.Release.THAW);
    assertThat(active()).isZero();
    assertThat(ended("thaw")).isEqualTo(1);
    assertThat(held("thaw")).isEqualTo(1);
    assertThat(registry.get("groupsnap.agent.time.to.frozen").timer().totalTime(
        java.util.concurrent.TimeUnit.NANOSECONDS)).isEqualTo(2_000_000);
    assertThat(counter("groupsnap.agent.holds.broken")).isZero();
    assertThat(counter("groupsnap.agent.holds.lease.expired")).isZero();
  }

  @Test
  void aHoldTheLeaseEnds_countsAsLeaseExpiredAndBroken() {
    FreezeHold.start(watchdog, Duration.ofMillis(50), System::nanoTime, metrics);
    await().atMost(Duration.ofSeconds(10)).until(() -> active() == 0);
    assertThat(ended("lease_expired")).isEqualTo(1);
    assertThat(counter("groupsnap.agent.holds.lease.expired")).isEqualTo(1);
    assertThat(counter("groupsnap.agent.holds.broken")).isEqualTo(1);
    assertThat(registry.get("groupsnap.agent.time.to.frozen").timer().count())
        .as("never frozen: no time to frozen").isZero();
  }

  @Test
  void anAbortedHold_isNotBroken_butAFailedThawStepIs() {
    FreezeHold aborted = FreezeHold.start(watchdog, Duration.ofMinutes(1), System::nanoTime, metrics);
    aborted.release(FreezeHold.Release.ABORTED);
    FreezeHold failing = FreezeHold.start(watchdog, Duration.ofMinutes(1), System::nanoTime, metrics);
    failing.push(() -> Optional.of("writer app thaw: gave up"));
    failing.release(FreezeHold.Release.THAW);
    assertThat(active()).isZero();
    assertThat(ended("aborted")).isEqualTo(1);
    assertThat(ended("thaw")).isEqualTo(1);
    assertThat(counter("groupsnap.agent.holds.broken")).isEqualTo(1);
  }
}
