package io.groupsnap.cli.output;

import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunEvent;
import io.groupsnap.proto.v1.SnapshotAttempt;
import io.groupsnap.proto.v1.Verification;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Backup runs as the CLI prints them: text for people, maps for {@code -o json}. Stateless. */
public final class RunView {
  private RunView() {}

  /** "completed", "partially failed", ... */
  public static String state(BackupRun r) {
    return r.getState().name().replaceFirst("^RUN_", "").toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  public static Map<String, Object> run(BackupRun r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.getId());
    m.put("group", r.getGroup());
    m.put("state", r.getState().name().replaceFirst("^RUN_", ""));
    m.put("trigger", r.getTrigger().name().replaceFirst("^RUN_", ""));
    m.put("created", Views.time(r.getCreatedAtMillis()));
    m.put("finished", r.getFinishedAtMillis() == 0 ? null : Views.time(r.getFinishedAtMillis()));
    m.put("groupSnapshotId", r.getGroupSnapshotId());
    m.put("exportTarget", r.getExportTarget());
    m.put("reason", r.getReason());
    m.put("epoch", r.getEpoch());
    m.put("coordinator", r.getCoordinator());
    m.put("localDeleted", r.getLocalDeleted());
    m.put("exportDeleted", r.getExportDeleted());
    m.put("attempts", r.getAttemptsList().stream().map(RunView::attempt).toList());
    m.put("exports", r.getExportsList().stream().map(RunView::export).toList());
    m.put("events", r.getEventsList().stream().map(RunView::event).toList());
    m.put("lastVerification", lastVerification(r));
    return m;
  }

  /** The run's last test restore as a map; null when it was never verified. */
  static Map<String, Object> lastVerification(BackupRun r) {
    if (r.getLastVerification() == Verification.VERIFICATION_UNSPECIFIED) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("result", verdict(r.getLastVerification()));
    m.put("at", Views.time(r.getLastVerifiedAtMillis()));
    m.put("durationMillis", r.getLastVerificationDurationMillis());
    m.put("reason", r.getLastVerificationReason());
    return m;
  }

  /** "VERIFIED", "FAILED". */
  public static String verdict(Verification v) {
    return v == Verification.VERIFIED ? "VERIFIED" : v == Verification.VERIFICATION_FAILED ? "FAILED" : "-";
  }

  /** "VERIFIED 2026-12-03T14:20:00Z" or "never". */
  static String verifiedColumn(BackupRun r) {
    return r.getLastVerification() == Verification.VERIFICATION_UNSPECIFIED ? "never"
        : verdict(r.getLastVerification()) + " " + Instant.ofEpochMilli(r.getLastVerifiedAtMillis());
  }

  static Map<String, Object> attempt(SnapshotAttempt a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("groupSnapshotId", a.getGroupSnapshotId());
    m.put("state", a.getState().name());
    m.put("reason", a.getReason());
    m.put("started", Views.time(a.getStartedAtMillis()));
    return m;
  }

  static Map<String, Object> export(MemberExport e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("agentId", e.getAgentId());
    m.put("volume", e.getVolume());
    m.put("state", e.getState().name().replaceFirst("^EXPORT_", ""));
    m.put("bytesDone", e.getBytesDone());
    m.put("bytesTotal", e.getBytesTotal());
    m.put("filesDone", e.getFilesDone());
    m.put("filesTotal", e.getFilesTotal());
    m.put("durationMillis", duration(e));
    m.put("repositorySnapshotId", e.getRepositorySnapshotId());
    m.put("error", e.getError());
    m.put("attempts", e.getAttempts());
    return m;
  }

  static Map<String, Object> event(RunEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", Views.time(e.getAtMillis()));
    m.put("message", e.getMessage());
    return m;
  }

  static long duration(MemberExport e) {
    if (e.getStartedAtMillis() == 0) {
      return 0;
    }
    long end = e.getFinishedAtMillis() > 0 ? e.getFinishedAtMillis() : System.currentTimeMillis();
    return Math.max(0, end - e.getStartedAtMillis());
  }

  /** "1.2 GiB" */
  public static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = b;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  /** One line per run: id, group, state, created, group snapshot, exports done. */
  public static void list(PrintWriter out, List<BackupRun> runs, List<DamagedRecord> damaged) {
    if (runs.isEmpty() && damaged.isEmpty()) {
      out.println("no backup runs");
      return;
    }
    if (!runs.isEmpty()) {
      out.printf(Locale.ROOT, "%-26s  %-12s %-17s %-24s  %-25s  %-28s  %s%n", "RUN", "GROUP", "STATE", "CREATED",
          "GROUP SNAPSHOT", "EXPORTS (done/forgotten/all)", "LAST VERIFIED");
    }
    for (BackupRun r : runs) {
      long done = r.getExportsList().stream().filter(e -> e.getState().name().equals("EXPORT_DONE")).count();
      long forgotten = r.getExportsList().stream().filter(e -> e.getState().name().equals("EXPORT_FORGOTTEN"))
          .count();
      out.printf(Locale.ROOT, "%-26s  %-12s %-17s %-24s  %-25s  %-28s  %s%n", r.getId(), r.getGroup(), state(r),
          Instant.ofEpochMilli(r.getCreatedAtMillis()), (r.getGroupSnapshotId().isEmpty() ? "-"
              : r.getGroupSnapshotId()) + (r.getLocalDeleted() ? " (deleted)" : ""), done + "/" + forgotten + "/"
          + r.getExportsCount(), verifiedColumn(r));
    }
    for (DamagedRecord d : damaged) {
      out.printf(Locale.ROOT, "damaged record %s: %s%n", d.getPath(), d.getReason());
    }
  }

  /** The run in full: attempts, then every member's export. */
  public static void show(PrintWriter out, BackupRun r) {
    out.printf(Locale.ROOT, "%s  group %s  %s  created %s%s%n", r.getId(), r.getGroup(), state(r),
        Instant.ofEpochMilli(r.getCreatedAtMillis()), r.getFinishedAtMillis() == 0 ? ""
            : "  finished " + Instant.ofEpochMilli(r.getFinishedAtMillis()));
    if (!r.getReason().isEmpty()) {
      out.println("  reason: " + r.getReason());
    }
    out.println("  group snapshot: " + (r.getGroupSnapshotId().isEmpty() ? "-" : r.getGroupSnapshotId())
        + (r.getLocalDeleted() ? " (deleted)" : "") + "  export target: "
        + (r.getExportTarget().isEmpty() ? "-" : r.getExportTarget()) + (r.getExportDeleted() ? " (forgotten)" : ""));
    out.println("  last verified: " + verifiedColumn(r) + (r.getLastVerification()
        == Verification.VERIFICATION_UNSPECIFIED ? "" : " (took " + r.getLastVerificationDurationMillis() + " ms)"
        + (r.getLastVerificationReason().isEmpty() ? "" : ": " + r.getLastVerificationReason())));
    for (int i = 0; i < r.getAttemptsCount(); i++) {
      SnapshotAttempt a = r.getAttempts(i);
      out.printf(Locale.ROOT, "  attempt %d: %s %s%s%n", i + 1, a.getGroupSnapshotId(), a.getState().name(),
          a.getReason().isEmpty() ? "" : ": " + a.getReason());
    }
    for (MemberExport e : r.getExportsList()) {
      out.println("  " + exportLine(e));
    }
  }

  /** "a1:data  DONE  1.0 GiB/1.0 GiB  120 files  32s  32.0 MiB/s  snapshot 4f3a..." (and the error). */
  public static String exportLine(MemberExport e) {
    long ms = duration(e);
    String rate = ms > 0 && e.getBytesDone() > 0 ? "  " + bytes(e.getBytesDone() * 1000 / ms) + "/s" : "";
    return String.format(Locale.ROOT, "%s:%s  %s  %s%s  %d%s files  %ds%s%s%s", e.getAgentId(), e.getVolume(),
        e.getState().name().replaceFirst("^EXPORT_", ""), bytes(e.getBytesDone()),
        e.getBytesTotal() > 0 ? "/" + bytes(e.getBytesTotal()) : "", e.getFilesDone(),
        e.getFilesTotal() > 0 ? "/" + e.getFilesTotal() : "", ms / 1000, rate,
        e.getRepositorySnapshotId().isEmpty() ? "" : "  snapshot " + e.getRepositorySnapshotId(),
        e.getError().isEmpty() ? "" : "  error: " + e.getError());
  }

  public static void events(PrintWriter out, BackupRun r) {
    for (RunEvent e : r.getEventsList()) {
      out.printf(Locale.ROOT, "%s  %s%n", Instant.ofEpochMilli(e.getAtMillis()), e.getMessage());
    }
  }
}
