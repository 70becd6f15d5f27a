package io.groupsnap.cli.output;

import io.groupsnap.common.Printable;
import io.groupsnap.proto.v1.AuditArgument;
import io.groupsnap.proto.v1.AuditEntry;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.ListedAuditEntry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code audit list}: the audit trail as a table (time, who, method, target, outcome) or as JSON. JSON field names are
 * a stable interface (add, never rename): per entry {@code name}, {@code time} (ISO-8601 UTC), {@code identity},
 * {@code roles}, {@code method}, {@code target}, {@code arguments} (name → value), {@code outcome} (STARTED,
 * COMMITTED, DENIED, ...), {@code reason}, {@code coordinator}, {@code groupSnapshotId}, {@code request} (the STARTED
 * entry an outcome completes); then each entry that cannot be decoded as {@link Views#damaged}.
 */
public final class AuditView {
  private AuditView() {}

  public static void print(Printer p, PrintWriter out, List<ListedAuditEntry> entries, List<DamagedRecord> damaged) {
    if (p.json()) {
      List<Map<String, Object>> all = new ArrayList<>(entries.stream().map(AuditView::entry).toList());
      damaged.forEach(d -> all.add(Views.damaged(d)));
      p.json(all);
      return;
    }
    if (entries.isEmpty()) {
      out.println("no audit entries");
    } else {
      out.printf(Locale.ROOT, "%-24s %-20s %-20s %-28s %s%n", "TIME", "WHO", "METHOD", "TARGET", "OUTCOME");
    }
    for (ListedAuditEntry l : entries) {
      AuditEntry e = l.getEntry();
      String reason = e.getReason().isEmpty() ? "" : ": " + e.getReason();
      out.println(String.format(Locale.ROOT, "%-24s %-20s %-20s %-28s %s%s", Views.time(e.getAtMillis()),
          Printable.value(e.getIdentity()), Printable.value(e.getMethod()), Printable.value(target(e)),
          outcome(e.getOutcome()), Printable.line(reason)).stripTrailing());
    }
    if (!damaged.isEmpty()) {
      out.println(damaged.size() + " audit entr" + (damaged.size() == 1 ? "y" : "ies") + " " + Views.UNDECODABLE
          + " (inspect, then remove them in ZooKeeper):");
      for (DamagedRecord d : damaged) {
        out.printf(Locale.ROOT, "%-24s %-11s %s: %s%n", Views.time(d.getModifiedAtMillis()), Views.UNDECODABLE,
            d.getPath(), d.getReason());
      }
    }
  }

  /** What the call was about: its group snapshot, else its agent, else empty. */
  static String target(AuditEntry e) {
    if (!e.getGroupSnapshotId().isEmpty()) {
      return e.getGroupSnapshotId();
    }
    return e.getArgumentsList().stream().filter(a -> a.getName().equals("agent_id")).map(AuditArgument::getValue)
        .findFirst().orElse("");
  }

  static String outcome(AuditOutcome o) {
    return o.name().replace("AUDIT_", "");
  }

  static Map<String, Object> entry(ListedAuditEntry l) {
    AuditEntry e = l.getEntry();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", l.getName());
    m.put("time", Views.time(e.getAtMillis()));
    m.put("identity", e.getIdentity());
    m.put("roles", e.getRolesList());
    m.put("method", e.getMethod());
    m.put("target", target(e));
    Map<String, String> args = new LinkedHashMap<>();
    e.getArgumentsList().forEach(a -> args.put(a.getName(), a.getValue()));
    m.put("arguments", args);
    m.put("outcome", outcome(e.getOutcome()));
    m.put("reason", e.getReason());
    m.put("coordinator", e.getCoordinator());
    m.put("groupSnapshotId", e.getGroupSnapshotId());
    m.put("request", e.getRequest());
    return m;
  }
}
