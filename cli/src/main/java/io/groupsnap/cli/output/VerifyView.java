package io.groupsnap.cli.output;

import io.groupsnap.common.Durations;
import io.groupsnap.proto.v1.GroupCheck;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code groupsnap verify} prints: the verdict, then one row per member with why and its command's output, then
 * the group check's line when one is configured for the group.
 */
public final class VerifyView {
  private VerifyView() {}

  /** The answer as JSON-ready maps. */
  public static Map<String, Object> json(RestoreGroupSnapshotResponse r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verifyId", r.getRestoreId());
    m.put("groupSnapshotId", r.getGroupSnapshotId());
    m.put("result", RunView.verdict(r.getVerification()));
    m.put("reason", r.getVerificationReason());
    m.put("durationMillis", r.getDurationMillis());
    m.put("recordedOnRun", r.getRecordedOnRun());
    List<Map<String, Object>> members = new ArrayList<>();
    for (MemberRestore x : r.getMembersList()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("agent", x.getAgentId());
      e.put("volume", x.getVolume());
      e.put("result", RunView.verdict(x.getVerification()));
      e.put("reason", x.getVerificationReason().isEmpty() ? x.getError() : x.getVerificationReason());
      e.put("method", x.getMethod());
      e.put("bytes", x.getBytes());
      e.put("durationMillis", x.getDurationMillis());
      e.put("scratchRemoved", x.getScratchRemoved());
      e.put("outputTail", x.getVerifyOutputTail());
      members.add(e);
    }
    m.put("members", members);
    if (r.hasGroupCheck()) {
      GroupCheck g = r.getGroupCheck();
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("config", g.getConfigKey());
      c.put("ran", g.getRan());
      c.put("result", g.getRan() ? RunView.verdict(g.getVerification()) : "NOT RUN");
      c.put("reason", g.getReason());
      c.put("durationMillis", g.getDurationMillis());
      c.put("outputTail", g.getOutputTail());
      m.put("groupCheck", c);
    }
    return m;
  }

  /** The verdict line, a row per member, the reason of each failed one and its command's last output lines. */
  public static void text(RestoreGroupSnapshotResponse r, PrintWriter out) {
    out.println("verify " + r.getRestoreId() + " of " + r.getGroupSnapshotId() + ": "
        + RunView.verdict(r.getVerification()) + (r.getVerificationReason().isEmpty() ? ""
        : " (" + r.getVerificationReason() + ")") + " in " + Durations.format(Duration.ofMillis(r.getDurationMillis()))
        + (r.getRecordedOnRun().isEmpty() ? "" : "; recorded on backup run " + r.getRecordedOnRun()));
    out.println(String.format(Locale.ROOT, "%-28s %-8s %-15s %10s %9s  %s", "MEMBER", "RESULT", "METHOD", "BYTES",
        "DURATION", "CHECKED"));
    for (MemberRestore x : r.getMembersList()) {
      String why = x.getVerificationReason().isEmpty() ? x.getError() : x.getVerificationReason();
      out.println(String.format(Locale.ROOT, "%-28s %-8s %-15s %10s %9s  %s", x.getAgentId() + ":" + x.getVolume(),
          RunView.verdict(x.getVerification()), x.getMethod(), RunView.bytes(x.getBytes()),
          Durations.format(Duration.ofMillis(x.getDurationMillis())), why));
      if (!x.getScratchRemoved()) {
        out.println("    scratch copy NOT removed: " + x.getPath());
      }
      if (!x.getVerifyOutputTail().isEmpty()) {
        String[] lines = x.getVerifyOutputTail().split("\n");
        for (int i = Math.max(0, lines.length - 5); i < lines.length; i++) {
          out.println("    | " + lines[i]);
        }
      }
    }
    if (r.hasGroupCheck()) {
      text(r.getGroupCheck(), out);
    }
  }

  /** The group check's line: which configuration entry, its verdict (or why it did not run), its last output. */
  private static void text(GroupCheck g, PrintWriter out) {
    out.println("group check " + g.getConfigKey() + ": " + (g.getRan() ? RunView.verdict(g.getVerification())
        + " in " + Durations.format(Duration.ofMillis(g.getDurationMillis())) : "NOT RUN")
        + (g.getReason().isEmpty() ? "" : " (" + g.getReason() + ")"));
    if (!g.getOutputTail().isEmpty()) {
      String[] lines = g.getOutputTail().split("\n");
      for (int i = Math.max(0, lines.length - 5); i < lines.length; i++) {
        out.println("    | " + lines[i]);
      }
    }
  }
}
