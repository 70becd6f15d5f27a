package io.groupsnap.coordinator.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened in a run, one line per step or note. The last lines are kept for a failure report; a running hash of
 * every line identifies the run (two runs of one seed must hash alike); with {@code full}, every line is kept.
 */
final class Trace {
  private final String[] ring;
  private final List<String> all;
  private int next;
  private long lines;
  private long hash = 0xcbf29ce484222325L;

  Trace(int keep, boolean full) {
    this.ring = new String[keep];
    this.all = full ? new ArrayList<>() : null;
  }

  void add(long nanos, String text) {
    String line = time(nanos) + " " + text;
    ring[next] = line;
    next = (next + 1) % ring.length;
    lines++;
    hash = (hash ^ line.hashCode()) * 0x100000001b3L;
    if (all != null) {
      all.add(line);
    }
  }

  /** Virtual time as milliseconds with microseconds, e.g. {@code 12.034ms}. */
  static String time(long nanos) {
    long micros = nanos / 1_000;
    return micros / 1_000 + "." + Long.toString(1_000 + micros % 1_000).substring(1) + "ms";
  }

  /** The last lines, oldest first. */
  List<String> last() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ring.length; i++) {
      String line = ring[(next + i) % ring.length];
      if (line != null) {
        out.add(line);
      }
    }
    return out;
  }

  /** Every line, when kept; else empty. */
  List<String> all() {
    return all == null ? List.of() : List.copyOf(all);
  }

  long hash() {
    return hash;
  }

  long lines() {
    return lines;
  }
}
