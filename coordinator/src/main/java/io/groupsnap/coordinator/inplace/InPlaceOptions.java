package io.groupsnap.coordinator.inplace;

import java.time.Duration;
import java.util.Objects;

/**
 * How the in-place restore driver waits: how often it polls staging, how long staging may take, how long an agent may
 * stay unreachable while staging, the backoff of a step retried until it succeeds (first and largest pause), the keep
 * time when the request gives none, and how often it checks leadership.
 */
public record InPlaceOptions(Duration pollEvery, Duration stageTimeout, Duration unreachableFor, Duration retryFirst,
    Duration retryMax, Duration defaultKeep, Duration tick) {
  public InPlaceOptions {
    Objects.requireNonNull(pollEvery);
    Objects.requireNonNull(stageTimeout);
    Objects.requireNonNull(unreachableFor);
    Objects.requireNonNull(retryFirst);
    Objects.requireNonNull(retryMax);
    Objects.requireNonNull(defaultKeep);
    Objects.requireNonNull(tick);
    if (stageTimeout.isNegative() || stageTimeout.isZero() || defaultKeep.isNegative()
        || retryMax.compareTo(retryFirst) < 0) {
      throw new IllegalArgumentException("in-place restore options: positive stage timeout and keep time, and "
          + "retryMax >= retryFirst");
    }
  }

  /** Poll 500ms, stage for up to 1h, unreachable for 2m, retry 1s..30s, keep 24h, tick 1s. */
  public static InPlaceOptions defaults() {
    return new InPlaceOptions(Duration.ofMillis(500), Duration.ofHours(1), Duration.ofMinutes(2),
        Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofHours(24), Duration.ofSeconds(1));
  }

  public InPlaceOptions withStageTimeout(Duration d) {
    return new InPlaceOptions(pollEvery, d, unreachableFor, retryFirst, retryMax, defaultKeep, tick);
  }
}
