package io.groupsnap.coordinator.runs;

import java.time.Duration;

/**
 * How the leader drives backup runs.
 *
 * @param maxConcurrentExports how many agents may export at once, across every run of the cluster
 * @param pollInterval how often an exporting agent is asked for its progress (and an unreachable one tried again)
 * @param progressWriteInterval at most one progress-only write of a run's record per this (state changes are written
 *     at once)
 * @param exportDeadline from the commit of a run's group snapshot: an export not finished by then fails with a reason
 * @param snapshotDeadline from an attempt's start: a group snapshot whose outcome is still unknown by then counts as
 *     aborted
 * @param resumeInterval how often the leader looks for runs nobody drives (after a failed write, or a new term)
 * @param retentionInterval how often the leader applies every group's retention and looks at its verify policy (it
 *     also does after each run ends)
 */
public record RunOptions(int maxConcurrentExports, Duration pollInterval, Duration progressWriteInterval,
    Duration exportDeadline, Duration snapshotDeadline, Duration resumeInterval, Duration retentionInterval) {
  public static final int DEFAULT_MAX_CONCURRENT_EXPORTS = 4;
  public static final Duration DEFAULT_EXPORT_DEADLINE = Duration.ofHours(6);

  public RunOptions {
    if (maxConcurrentExports < 1) {
      throw new IllegalArgumentException("max concurrent exports must be at least 1, not " + maxConcurrentExports);
    }
    positive("poll interval", pollInterval);
    positive("progress write interval", progressWriteInterval);
    positive("export deadline", exportDeadline);
    positive("snapshot deadline", snapshotDeadline);
    positive("resume interval", resumeInterval);
    positive("retention interval", retentionInterval);
  }

  public static final Duration DEFAULT_RETENTION_INTERVAL = Duration.ofMinutes(10);

  /**
   * 4 concurrent exports, poll every second, progress written at most every 5 s, exports within 6 h, retention every
   * 10 min.
   */
  public static RunOptions defaults() {
    return new RunOptions(DEFAULT_MAX_CONCURRENT_EXPORTS, Duration.ofSeconds(1), Duration.ofSeconds(5),
        DEFAULT_EXPORT_DEADLINE, Duration.ofHours(1), Duration.ofSeconds(30), DEFAULT_RETENTION_INTERVAL);
  }

  public RunOptions withMaxConcurrentExports(int n) {
    return new RunOptions(n, pollInterval, progressWriteInterval, exportDeadline, snapshotDeadline, resumeInterval,
        retentionInterval);
  }

  public RunOptions withExportDeadline(Duration d) {
    return new RunOptions(maxConcurrentExports, pollInterval, progressWriteInterval, d, snapshotDeadline,
        resumeInterval, retentionInterval);
  }

  public RunOptions withRetentionInterval(Duration d) {
    return new RunOptions(maxConcurrentExports, pollInterval, progressWriteInterval, exportDeadline, snapshotDeadline,
        resumeInterval, d);
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive, not " + d);
    }
  }
}
