package io.groupsnap.devkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of the figures the demo and the bench print. */
public final class Percentiles {
  private Percentiles() {}

  /**
   * The {@code p}-th percentile (nearest rank) of {@code values}.
   *
   * @throws IndexOutOfBoundsException when {@code values} is empty
   */
  public static long of(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }
}
