package io.groupsnap.devkit.bench.scale;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one member count of the scale harness (milliseconds unless named otherwise).
 *
 * @param windowP50 freeze window (first freeze start to last thaw, agents' clocks), median
 * @param spreadP50 from the first member's freeze start to the last one's (agents' clocks): how long FREEZE takes to
 *     reach every member, median
 * @param floorP50 the uncoordinated floor ({@link Floor}), median; -1 when not measured
 * @param cpuMillisPerSnapshot CPU time of the coordinator's JVM during a create, per group snapshot
 * @param allocatedKiBPerSnapshot heap allocated by the coordinator's JVM during a create, per group snapshot
 * @param largestTxnRecordBytes the largest {@code txns/} or {@code snapshots/} record of this member count's snapshots
 * @param largestRecordBytes the largest record anywhere under the cluster's path after this member count
 * @param largestRecordPath where that record is
 * @param commitMultiBytes the payload of the commit multi-op (transaction record plus catalog manifest), largest
 */
public record ScaleRow(int members, int snapshots, long windowP50, long windowP99, long spreadP50, double floorP50, double floorP99,
    long latencyP50, long latencyP99, double cpuMillisPerSnapshot, double allocatedKiBPerSnapshot,
    long largestTxnRecordBytes, long largestRecordBytes, String largestRecordPath, long commitMultiBytes) {

  public static final String HEADER = String.format(Locale.ROOT, "%-7s %-13s %-7s %-13s %-13s %-15s %-9s %-11s %-10s %s",
      "members", "window p50/99", "spread", "floor p50/99", "overhead p50", "latency p50/99", "cpu ms", "alloc MiB",
      "max record", "commit multi");

  /** The overhead of coordination at the median: window minus floor; NaN without a floor. */
  public double overheadP50() {
    return floorP50 < 0 ? Double.NaN : windowP50 - floorP50;
  }

  public String text() {
    return String.format(Locale.ROOT, "%-7d %-13s %-7d %-13s %-13s %-15s %-9.1f %-11.1f %-10s %s", members,
        windowP50 + " / " + windowP99, spreadP50,
        floorP50 < 0 ? "-" : String.format(Locale.ROOT, "%.1f / %.1f", floorP50, floorP99),
        floorP50 < 0 ? "-" : String.format(Locale.ROOT, "%.1f", overheadP50()),
        latencyP50 + " / " + latencyP99, cpuMillisPerSnapshot, allocatedKiBPerSnapshot / 1024,
        kib(largestTxnRecordBytes), kib(commitMultiBytes));
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.1fK", bytes / 1024.0);
  }

  /** The row as JSON-ready values. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("members", members);
    m.put("snapshots", snapshots);
    m.put("windowP50Ms", windowP50);
    m.put("windowP99Ms", windowP99);
    m.put("freezeSpreadP50Ms", spreadP50);
    if (floorP50 >= 0) {
      m.put("floorP50Ms", floorP50);
      m.put("floorP99Ms", floorP99);
      m.put("overheadP50Ms", overheadP50());
    }
    m.put("latencyP50Ms", latencyP50);
    m.put("latencyP99Ms", latencyP99);
    m.put("coordinatorCpuMsPerSnapshot", cpuMillisPerSnapshot);
    m.put("coordinatorAllocatedKiBPerSnapshot", allocatedKiBPerSnapshot);
    m.put("largestTxnRecordBytes", largestTxnRecordBytes);
    m.put("commitMultiBytes", commitMultiBytes);
    m.put("largestRecordBytes", largestRecordBytes);
    m.put("largestRecordPath", largestRecordPath);
    return m;
  }
}
