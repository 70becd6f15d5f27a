package io.groupsnap.devkit.bench;

import java.util.ArrayList;
import java.util.List;

/** The samples of one member count on one transport, in nanoseconds, until they become {@link Figures}. */
final class Series {
  private final List<Long> floor = new ArrayList<>();
  private final List<Long> window = new ArrayList<>();
  private final List<Long> latency = new ArrayList<>();
  private final List<Long> frozen = new ArrayList<>();

  void floor(long nanos) {
    floor.add(nanos);
  }

  /** @param frozenNanos the slowest member's time to frozen; negative when unknown (left out) */
  void coordinated(long windowNanos, long latencyNanos, long frozenNanos) {
    window.add(windowNanos);
    latency.add(latencyNanos);
    if (frozenNanos >= 0) {
      frozen.add(frozenNanos);
    }
  }

  Figures figures(int members, String transport) {
    return Figures.of(members, transport, floor, window, latency,
        frozen.size() == window.size() ? frozen : List.of());
  }
}
