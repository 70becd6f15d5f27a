package io.groupsnap.devkit.bench;

import io.groupsnap.devkit.Percentiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the bench found for one member count on one transport: the uncoordinated floor, the coordinated window and the
 * latency a client saw (create to committed result), each as p50 and p99 over the samples; and what follows from them.
 * Durations in nanoseconds; printed in milliseconds.
 *
 * @param members the member count
 * @param transport {@code tls} or {@code insecure}
 * @param samples samples of each kind the percentiles are over
 * @param floor every member's own freeze, capture and thaw, started at once without a coordinator: first hold start
 *     to last hold end
 * @param window the same span in a coordinated group snapshot
 * @param latency create to committed result, as the client saw it
 * @param frozen in a coordinated group snapshot, the slowest member's time to frozen (FREEZE accepted to every
 *     writer and volume frozen); null when not measured
 */
public record Figures(int members, String transport, int samples, Spread floor, Spread window, Spread latency,
    Spread frozen) {
  /** Figures without time to frozen. */
  public Figures(int members, String transport, int samples, Spread floor, Spread window, Spread latency) {
    this(members, transport, samples, floor, window, latency, null);
  }

  /** The header of {@link #row}. */
  public static final String HEADER = String.format(Locale.ROOT, "%-8s %-9s %15s %15s %6s %17s %21s", "members",
      "transport", "floor p50/p99", "window p50/p99", "ratio", "overhead p50/p99", "create>commit p50/p99");

  /** A p50 and a p99, in nanoseconds. */
  public record Spread(long p50, long p99) {
    /** Nearest-rank p50 and p99 of {@code nanos}. */
    public static Spread of(List<Long> nanos) {
      return new Spread(Percentiles.of(nanos, 50), Percentiles.of(nanos, 99));
    }

    /** This one minus {@code other}, percentile by percentile. */
    public Spread minus(Spread other) {
      return new Spread(p50 - other.p50, p99 - other.p99);
    }

    /** {@code 1.25 / 3.40} (milliseconds). */
    String text() {
      return millis(p50) + " / " + millis(p99);
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("p50", roundMillis(p50));
      m.put("p99", roundMillis(p99));
      return m;
    }
  }

  /** From the samples of each kind, in nanoseconds (equally many of each, at least one). */
  public static Figures of(int members, String transport, List<Long> floorNanos, List<Long> windowNanos,
      List<Long> latencyNanos) {
    if (floorNanos.isEmpty() || floorNanos.size() != windowNanos.size()
        || windowNanos.size() != latencyNanos.size()) {
      throw new IllegalArgumentException("need as many floor, window and latency samples, at least one; got "
          + floorNanos.size() + ", " + windowNanos.size() + ", " + latencyNanos.size());
    }
    return new Figures(members, transport, floorNanos.size(), Spread.of(floorNanos), Spread.of(windowNanos),
        Spread.of(latencyNanos));
  }

  /** As {@link #of(int, String, List, List, List)}, with the slowest member's time to frozen of each snapshot. */
  public static Figures of(int members, String transport, List<Long> floorNanos, List<Long> windowNanos,
      List<Long> latencyNanos, List<Long> frozenNanos) {
    Figures f = of(members, transport, floorNanos, windowNanos, latencyNanos);
    return frozenNanos.isEmpty() ? f : new Figures(members, transport, f.samples, f.floor, f.window, f.latency,
        Spread.of(frozenNanos));
  }

  /** {@code 12       tls       time to frozen p50/p99 (slowest member): 0.45 / 0.60}; empty when not measured. */
  public String frozenRow() {
    return frozen == null ? "" : String.format(Locale.ROOT, "%-8d %-9s time to frozen p50/p99 (slowest member): %s",
        members, transport, frozen.text());
  }

  /** Coordination overhead: window minus floor, p50 from p50 and p99 from p99. */
  public Spread overhead() {
    return window.minus(floor);
  }

  /** Window p50 over floor p50; NaN when the floor's p50 is zero. */
  public double ratio() {
    return floor.p50 == 0 ? Double.NaN : (double) window.p50 / floor.p50;
  }

  /** {@code 12       tls         1.20 / 2.50   30.10 / 55.00   25.1     28.90 / 52.50     90.00 / 140.00}. */
  public String row() {
    return String.format(Locale.ROOT, "%-8d %-9s %15s %15s %6s %17s %21s", members, transport, floor.text(),
        window.text(), Double.isNaN(ratio()) ? "-" : String.format(Locale.ROOT, "%.1f", ratio()),
        overhead().text(), latency.text());
  }

  /** What TLS costs: {@code tls} minus {@code insecure}, p50 by p50, for window, overhead and latency. */
  public static String tlsCost(Figures tls, Figures insecure) {
    return String.format(Locale.ROOT, "%-8d %-9s %15s %15s %6s %17s %21s", tls.members, "tls-cost",
        signed(tls.floor.p50 - insecure.floor.p50) + " p50", signed(tls.window.p50 - insecure.window.p50) + " p50",
        "", signed(tls.overhead().p50 - insecure.overhead().p50) + " p50",
        signed(tls.latency.p50 - insecure.latency.p50) + " p50");
  }

  /**
   * The figures as a JSON-ready map (milliseconds, three decimals): {@code members}, {@code transport},
   * {@code samples}, {@code floorMillis}, {@code windowMillis}, {@code overheadMillis} and
   * {@code createToCommittedMillis} (each {@code {p50, p99}}), {@code ratio} (null when undefined) and, when measured,
   * {@code timeToFrozenMillis}.
   */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("members", members);
    m.put("transport", transport);
    m.put("samples", samples);
    m.put("floorMillis", floor.json());
    m.put("windowMillis", window.json());
    double r = ratio();
    m.put("ratio", Double.isNaN(r) ? null : Math.round(r * 100) / 100.0);
    m.put("overheadMillis", overhead().json());
    m.put("createToCommittedMillis", latency.json());
    if (frozen != null) {
      m.put("timeToFrozenMillis", frozen.json());
    }
    return m;
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static double roundMillis(long nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }

  private static String signed(long nanos) {
    return (nanos >= 0 ? "+" : "") + millis(nanos);
  }
}
