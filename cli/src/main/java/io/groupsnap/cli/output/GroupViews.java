package io.groupsnap.cli.output;

import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.RetentionPolicy;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Named groups as the operator sees them: text (a table, or one group in detail) and JSON maps. Stateless. */
public final class GroupViews {
  private GroupViews() {}

  /** "agent" or "agent:volume". */
  public static String member(GroupMember m) {
    return m.getVolume().isEmpty() ? m.getAgentId() : m.getAgentId() + ":" + m.getVolume();
  }

  /** "tier=db,env=prod" (sorted), with ":volume" when it names one: the form {@code --selector} takes. */
  public static String selector(LabelSelector s) {
    String labels = new TreeMap<>(s.getMatchLabelsMap()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
    return s.getVolume().isEmpty() ? labels : labels + ":" + s.getVolume();
  }

  /** Optional members whose agent is not among those resolved now. */
  public static List<String> leftOut(GroupView v) {
    Set<String> present = v.getMembersList().stream().map(MemberSelector::getAgentId).collect(Collectors.toSet());
    return v.getGroup().getMembersList().stream().filter(m -> m.getOptional() && !present.contains(m.getAgentId()))
        .map(GroupViews::member).toList();
  }

  public static Map<String, Object> spec(GroupSpec g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", g.getName());
    m.put("description", g.getDescription());
    m.put("members", g.getMembersList().stream().map(x -> Map.of("member", member(x), "optional", x.getOptional()))
        .toList());
    m.put("selectors", g.getSelectorsList().stream().map(GroupViews::selector).toList());
    m.put("freezeTimeoutMillis", g.getFreezeTimeoutMillis());
    m.put("leaseMillis", g.getLeaseMillis());
    m.put("exportTarget", g.getExportTarget());
    m.put("localRetention", retention(g.getLocalRetention()));
    m.put("exportRetention", retention(g.getExportRetention()));
    m.put("retry", Map.of("maxAttempts", g.getRetry().getMaxAttempts(),
        "initialBackoffMillis", g.getRetry().getInitialBackoffMillis(),
        "maxBackoffMillis", g.getRetry().getMaxBackoffMillis()));
    m.put("timeZone", g.getTimeZone().isEmpty() ? "UTC" : g.getTimeZone());
    m.put("verifyEveryMillis", g.getVerify().getEveryMillis());
    m.put("createdAt", Views.time(g.getCreatedAtMillis()));
    m.put("updatedAt", Views.time(g.getUpdatedAtMillis()));
    return m;
  }

  public static Map<String, Object> view(GroupView v) {
    Map<String, Object> m = spec(v.getGroup());
    m.put("resolved", v.getMembersList().stream().map(x -> x.getAgentId() + ":" + x.getVolume()).toList());
    m.put("leftOut", leftOut(v));
    m.put("problems", v.getProblemsList());
    return m;
  }

  public static Map<String, Object> list(List<GroupSpec> groups, List<DamagedRecord> damaged) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("groups", groups.stream().map(GroupViews::spec).toList());
    m.put("damaged", damaged.stream().map(Views::damaged).toList());
    return m;
  }

  private static Map<String, Object> retention(RetentionPolicy r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keepLast", r.getKeepLast());
    m.put("keepHourly", r.getKeepHourly());
    m.put("keepDaily", r.getKeepDaily());
    m.put("keepWeekly", r.getKeepWeekly());
    m.put("keepMonthly", r.getKeepMonthly());
    m.put("keepYearly", r.getKeepYearly());
    m.put("keepWithinMillis", r.getKeepWithinMillis());
    return m;
  }

  /** "last 3, daily 7, within 86400000ms", or "keep all". */
  static String retentionText(RetentionPolicy r) {
    List<String> parts = new ArrayList<>();
    add(parts, "last", r.getKeepLast());
    add(parts, "hourly", r.getKeepHourly());
    add(parts, "daily", r.getKeepDaily());
    add(parts, "weekly", r.getKeepWeekly());
    add(parts, "monthly", r.getKeepMonthly());
    add(parts, "yearly", r.getKeepYearly());
    if (r.getKeepWithinMillis() > 0) {
      parts.add("within " + r.getKeepWithinMillis() + "ms");
    }
    return parts.isEmpty() ? "keep all" : String.join(", ", parts);
  }

  /** "every 24h", "every 90m", "every 61000ms", or "-" without a verify policy. */
  static String verifyText(GroupSpec g) {
    long ms = g.getVerify().getEveryMillis();
    if (ms <= 0) {
      return "-";
    }
    return "every " + (ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms % 60_000 == 0 ? ms / 60_000 + "m" : ms + "ms");
  }

  private static void add(List<String> parts, String what, int n) {
    if (n > 0) {
      parts.add(what + " " + n);
    }
  }

  /** The groups as a table. */
  public static void printList(PrintWriter out, List<GroupSpec> groups, List<DamagedRecord> damaged) {
    if (groups.isEmpty()) {
      out.println("no groups");
    } else {
      out.printf(Locale.ROOT, "%-20s %-32s %-32s %-16s %s%n", "NAME", "MEMBERS", "SELECTORS", "EXPORT", "VERIFY");
    }
    for (GroupSpec g : groups) {
      out.printf(Locale.ROOT, "%-20s %-32s %-32s %-16s %s%n", g.getName(),
          g.getMembersList().stream().map(m -> member(m) + (m.getOptional() ? "?" : "")).collect(
              Collectors.joining(",")),
          g.getSelectorsList().stream().map(GroupViews::selector).collect(Collectors.joining(" ")),
          g.getExportTarget().isEmpty() ? "-" : g.getExportTarget(), verifyText(g));
    }
    for (DamagedRecord d : damaged) {
      out.println("damaged record " + d.getPath() + ": " + d.getReason());
    }
  }

  /** One group in detail: its spec, what it resolves to now, and why a run would fail now. */
  public static void printView(PrintWriter out, GroupView v) {
    GroupSpec g = v.getGroup();
    out.printf(Locale.ROOT, "group %s  created %s  updated %s%n", g.getName(),
        Instant.ofEpochMilli(g.getCreatedAtMillis()), Instant.ofEpochMilli(g.getUpdatedAtMillis()));
    if (!g.getDescription().isEmpty()) {
      out.println("  description: " + g.getDescription());
    }
    for (GroupMember m : g.getMembersList()) {
      out.println("  member:   " + member(m) + (m.getOptional() ? " (optional)" : " (required)"));
    }
    for (LabelSelector s : g.getSelectorsList()) {
      out.println("  selector: " + selector(s));
    }
    out.printf(Locale.ROOT, "  freeze timeout %s, lease %s, time zone %s%n",
        g.getFreezeTimeoutMillis() == 0 ? "default" : g.getFreezeTimeoutMillis() + "ms",
        g.getLeaseMillis() == 0 ? "derived" : g.getLeaseMillis() + "ms",
        g.getTimeZone().isEmpty() ? "UTC" : g.getTimeZone());
    out.println("  export target: " + (g.getExportTarget().isEmpty() ? "none" : g.getExportTarget()));
    out.println("  local retention: " + retentionText(g.getLocalRetention()));
    out.println("  export retention: " + retentionText(g.getExportRetention()));
    out.println("  test restores: " + (g.getVerify().getEveryMillis() > 0 ? "the newest completed run, "
        + verifyText(g) : "on demand only (groupsnap verify)"));
    out.println("  resolves now to " + v.getMembersCount() + " member(s):");
    for (MemberSelector m : v.getMembersList()) {
      out.println("    " + m.getAgentId() + ":" + m.getVolume());
    }
    List<String> left = leftOut(v);
    if (!left.isEmpty()) {
      out.println("  left out (optional, not registered): " + String.join(", ", left));
    }
    for (String p : v.getProblemsList()) {
      out.println("  problem: " + p);
    }
  }
}
