package io.groupsnap.devkit.bench;

import io.groupsnap.devkit.Percentiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one member count on one transport: per group snapshot, the latency a client saw (create to
 * committed result) and the freeze window (first freeze to last thaw); and how the bench prints them, in milliseconds.
 * Not thread-safe.
 */
final class Series {
  static final String HEADER = String.format(Locale.ROOT, "%-8s %-9s %22s %22s %16s", "members", "transport",
      "latency p50/p90/max", "window p50/p90/max", "overhead p50/p90");

  private final List<Long> latency = new ArrayList<>();
  private final List<Long> window = new ArrayList<>();
  private final List<Long> overhead = new ArrayList<>();

  void add(long latencyMillis, long windowMillis) {
    latency.add(latencyMillis);
    window.add(windowMillis);
    overhead.add(latencyMillis - windowMillis);
  }

  /** {@code 3        tls        41 / 63 / 90  ...}. */
  String row(int members, String transport) {
    return String.format(Locale.ROOT, "%-8d %-9s %22s %22s %16s", members, transport, three(latency), three(window),
        Percentiles.of(overhead, 50) + " / " + Percentiles.of(overhead, 90));
  }

  /** What TLS costs: the differences of the medians of {@code tls} and {@code plaintext}. */
  static String difference(int members, Series tls, Series plaintext) {
    return String.format(Locale.ROOT, "%-8d %-9s %22s %22s %16s", members, "tls-cost",
        signed(Percentiles.of(tls.latency, 50) - Percentiles.of(plaintext.latency, 50)) + " (p50)",
        signed(Percentiles.of(tls.window, 50) - Percentiles.of(plaintext.window, 50)) + " (p50)",
        signed(Percentiles.of(tls.overhead, 50) - Percentiles.of(plaintext.overhead, 50)) + " (p50)");
  }

  private static String three(List<Long> v) {
    return Percentiles.of(v, 50) + " / " + Percentiles.of(v, 90) + " / " + Percentiles.of(v, 100);
  }

  private static String signed(long v) {
    return (v >= 0 ? "+" : "") + v;
  }
}
