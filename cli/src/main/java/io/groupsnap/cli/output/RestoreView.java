package io.groupsnap.cli.output;

import io.groupsnap.common.Durations;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code groupsnap restore} prints: one row per member (path, bytes, duration), as text or JSON. */
public final class RestoreView {
  private RestoreView() {}

  /** The answer as JSON-ready maps. */
  public static Map<String, Object> json(RestoreGroupSnapshotResponse r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("restoreId", r.getRestoreId());
    m.put("groupSnapshotId", r.getGroupSnapshotId());
    m.put("ok", r.getOk());
    List<Map<String, Object>> members = new ArrayList<>();
    for (MemberRestore x : r.getMembersList()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("agent", x.getAgentId());
      e.put("volume", x.getVolume());
      e.put("state", state(x.getState()));
      e.put("kind", x.getKind());
      e.put("method", x.getMethod());
      e.put("path", x.getPath());
      e.put("bytes", x.getBytes());
      e.put("durationMillis", x.getDurationMillis());
      if (!x.getError().isEmpty()) {
        e.put("error", x.getError());
      }
      members.add(e);
    }
    m.put("members", members);
    return m;
  }

  /** A table: member, state, method, bytes, duration, path (and the error of a failed member). */
  public static void text(RestoreGroupSnapshotResponse r, PrintWriter out) {
    out.println("restore " + r.getRestoreId() + " of " + r.getGroupSnapshotId() + ": "
        + (r.getOk() ? "done" : "FAILED on some members"));
    out.println(String.format(Locale.ROOT, "%-28s %-7s %-15s %10s %9s  %s", "MEMBER", "STATE", "METHOD", "BYTES",
        "DURATION", "PATH"));
    for (MemberRestore x : r.getMembersList()) {
      out.println(String.format(Locale.ROOT, "%-28s %-7s %-15s %10s %9s  %s", x.getAgentId() + ":" + x.getVolume(),
          state(x.getState()), x.getMethod(), RunView.bytes(x.getBytes()),
          Durations.format(Duration.ofMillis(x.getDurationMillis())), x.getPath()));
      if (!x.getError().isEmpty()) {
        out.println("    error: " + x.getError());
      }
    }
  }

  static String state(RestoreState s) {
    return switch (s) {
      case RESTORE_DONE -> "done";
      case RESTORE_FAILED -> "FAILED";
      case RESTORE_RUNNING -> "running";
      case RESTORE_CHECKED -> "checked";
      default -> "?";
    };
  }
}
