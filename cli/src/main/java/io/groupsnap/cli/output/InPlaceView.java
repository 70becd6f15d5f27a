package io.groupsnap.cli.output;

import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.InPlaceEvent;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.SwitchState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the in-place restore commands print: the restore's state and one line per member, as text or JSON. */
public final class InPlaceView {
  private InPlaceView() {}

  /** {@code SWITCHED}, {@code ROLLING_BACK}; a dry run (no id) is {@code CHECKED}. */
  public static String state(InPlaceRestore r) {
    if (r.getRestoreId().isEmpty()) {
      return "CHECKED";
    }
    String n = r.getState().name();
    return n.startsWith("IN_PLACE_") ? n.substring("IN_PLACE_".length()) : n;
  }

  public static Map<String, Object> json(InPlaceRestore r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("restoreId", r.getRestoreId());
    m.put("groupSnapshotId", r.getGroupSnapshotId());
    if (!r.getBackupRunId().isEmpty()) {
      m.put("backupRunId", r.getBackupRunId());
    }
    m.put("state", state(r));
    if (!r.getReason().isEmpty()) {
      m.put("reason", r.getReason());
    }
    if (r.getKeepUntilMillis() > 0) {
      m.put("keepUntil", Instant.ofEpochMilli(r.getKeepUntilMillis()).toString());
    }
    List<Map<String, Object>> members = new ArrayList<>();
    for (InPlaceMember x : r.getMembersList()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("agent", x.getAgentId());
      e.put("volume", x.getVolume());
      e.put("kind", x.getKind());
      e.put("live", x.getLive());
      e.put("stage", RestoreView.state(x.getStage()));
      e.put("switched", switched(x.getSwitched()));
      e.put("bytes", x.getBytes());
      if (!x.getError().isEmpty()) {
        e.put("error", x.getError());
      }
      members.add(e);
    }
    m.put("members", members);
    List<Map<String, Object>> events = new ArrayList<>();
    for (InPlaceEvent ev : r.getEventsList()) {
      events.add(Map.of("at", Instant.ofEpochMilli(ev.getAtMillis()).toString(), "message", ev.getMessage()));
    }
    m.put("events", events);
    return m;
  }

  /** The state line, a row per member and, with {@code events}, the record's events. */
  public static void text(InPlaceRestore r, PrintWriter out, boolean events) {
    out.println((r.getRestoreId().isEmpty() ? "in-place restore (dry run)" : "in-place restore " + r.getRestoreId())
        + " of " + r.getGroupSnapshotId() + ": " + state(r)
        + (r.getState() == InPlaceState.IN_PLACE_SWITCHED && r.getKeepUntilMillis() > 0
            ? " (previous data kept until " + Instant.ofEpochMilli(r.getKeepUntilMillis()) + ")" : ""));
    if (!r.getReason().isEmpty()) {
      out.println("reason: " + r.getReason());
    }
    out.println(String.format(Locale.ROOT, "%-28s %-8s %-8s %10s  %s", "MEMBER", "STAGE", "SWITCHED", "BYTES",
        "LIVE"));
    for (InPlaceMember x : r.getMembersList()) {
      out.println(String.format(Locale.ROOT, "%-28s %-8s %-8s %10s  %s", x.getAgentId() + ":" + x.getVolume(),
          RestoreView.state(x.getStage()), switched(x.getSwitched()), RunView.bytes(x.getBytes()), x.getLive()));
      if (!x.getError().isEmpty()) {
        out.println("    error: " + x.getError());
      }
    }
    if (events) {
      for (InPlaceEvent ev : r.getEventsList()) {
        out.println("  " + Instant.ofEpochMilli(ev.getAtMillis()) + "  " + ev.getMessage());
      }
    }
  }

  /** One line per restore, then the quarantined records. */
  public static void list(List<InPlaceRestore> restores, List<DamagedRecord> damaged, PrintWriter out) {
    out.println(String.format(Locale.ROOT, "%-32s %-26s %-12s %s", "RESTORE", "GROUP SNAPSHOT", "STATE",
        "CREATED"));
    for (InPlaceRestore r : restores) {
      out.println(String.format(Locale.ROOT, "%-32s %-26s %-12s %s", r.getRestoreId(), r.getGroupSnapshotId(),
          state(r), Instant.ofEpochMilli(r.getCreatedAtMillis())));
    }
    for (DamagedRecord d : damaged) {
      out.println("DAMAGED " + d.getId() + ": " + d.getReason());
    }
  }

  static String switched(SwitchState s) {
    return switch (s) {
      case SWITCH_OLD -> "old";
      case SWITCH_HALF -> "HALF";
      case SWITCH_NEW -> "new";
      case SWITCH_SETTLED -> "settled";
      default -> "-";
    };
  }
}
