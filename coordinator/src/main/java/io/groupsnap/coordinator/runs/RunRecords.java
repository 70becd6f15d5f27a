package io.groupsnap.coordinator.runs;

import io.groupsnap.common.Printable;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.RunState;
import java.time.Duration;
import java.util.List;

/**
 * The rules of a run's record, pure: which states are final, the bounded event log, the members a committed group
 * snapshot gives, the end state its exports make, and the backoff between snapshot attempts.
 *
 * <pre>
 *   SNAPSHOTTING ──committed──▶ EXPORTING ──all DONE──▶ COMPLETED
 *        │  ▲ aborted: retry         │ ──some FAILED──▶ PARTIALLY_FAILED
 *        │  └─ after backoff         └──all FAILED──▶ FAILED
 *        ├──committed, no export target──▶ COMPLETED
 *        └──attempts used up──▶ FAILED          (COMPLETED | PARTIALLY_FAILED | FAILED) ──delete──▶ DELETED
 * </pre>
 */
public final class RunRecords {
  /** Events a record keeps (the newest). */
  public static final int MAX_EVENTS = 200;
  /** Characters of a reason or error a record keeps. */
  public static final int REASON_CHARS = 300;
  static final int DEFAULT_MAX_ATTEMPTS = 3;
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(5);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(2);

  private RunRecords() {}

  /** A run in this state goes on (a leader drives it). */
  public static boolean going(RunState s) {
    return s == RunState.RUN_SNAPSHOTTING || s == RunState.RUN_EXPORTING;
  }

  /** A run in this state has ended (and may be deleted). */
  public static boolean ended(RunState s) {
    return s == RunState.RUN_COMPLETED || s == RunState.RUN_PARTIALLY_FAILED || s == RunState.RUN_FAILED;
  }

  public static boolean finished(ExportState s) {
    return s == ExportState.EXPORT_DONE || s == ExportState.EXPORT_FAILED || s == ExportState.EXPORT_FORGOTTEN;
  }

  /** Appends an event, dropping the oldest beyond {@link #MAX_EVENTS}. */
  public static void event(BackupRun.Builder b, long atMillis, String message) {
    b.addEvents(io.groupsnap.proto.v1.RunEvent.newBuilder().setAtMillis(atMillis)
        .setMessage(Printable.escapeAndCut(message, REASON_CHARS)));
    while (b.getEventsCount() > MAX_EVENTS) {
      b.removeEvents(0);
    }
  }

  /** A reason as records keep it: one line, bounded. */
  public static String line(String reason) {
    return Printable.escapeAndCut(reason == null ? "" : reason, REASON_CHARS);
  }

  /** One PENDING export per (agent, volume) the committed group snapshot captured, in its order. */
  public static List<MemberExport> exportsOf(GroupSnapshot g) {
    return g.getMembersList().stream().map(m -> pending(m)).toList();
  }

  private static MemberExport pending(MemberRecord m) {
    return MemberExport.newBuilder().setAgentId(m.getAgentId()).setVolume(m.getVolume())
        .setState(ExportState.EXPORT_PENDING).build();
  }

  /** The end state of an exporting run whose every export is finished. */
  public static RunState endOf(List<MemberExport> exports) {
    long failed = exports.stream().filter(e -> e.getState() == ExportState.EXPORT_FAILED).count();
    if (failed == 0) {
      return RunState.RUN_COMPLETED;
    }
    return failed == exports.size() ? RunState.RUN_FAILED : RunState.RUN_PARTIALLY_FAILED;
  }

  /** "2 of 5 exports failed: a:data: why; b:logs: why" (bounded). */
  public static String failureReason(List<MemberExport> exports) {
    List<MemberExport> failed = exports.stream().filter(e -> e.getState() == ExportState.EXPORT_FAILED).toList();
    StringBuilder b = new StringBuilder().append(failed.size()).append(" of ").append(exports.size())
        .append(" exports failed: ");
    for (int i = 0; i < failed.size(); i++) {
      MemberExport e = failed.get(i);
      b.append(i == 0 ? "" : "; ").append(e.getAgentId()).append(':').append(e.getVolume()).append(": ")
          .append(e.getError());
    }
    return line(b.toString());
  }

  public static int maxAttempts(RetryPolicy p) {
    return p.getMaxAttempts() > 0 ? p.getMaxAttempts() : DEFAULT_MAX_ATTEMPTS;
  }

  /** The pause after {@code done} attempts (1: before the second): the initial backoff, doubling, capped. */
  public static Duration backoff(RetryPolicy p, int done) {
    Duration initial = p.getInitialBackoffMillis() > 0 ? Duration.ofMillis(p.getInitialBackoffMillis())
        : DEFAULT_INITIAL_BACKOFF;
    Duration max = p.getMaxBackoffMillis() > 0 ? Duration.ofMillis(p.getMaxBackoffMillis()) : DEFAULT_MAX_BACKOFF;
    Duration d = initial;
    for (int i = 1; i < done && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
