package io.groupsnap.cli.output;

import io.groupsnap.common.CaptureConditions;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.CheckGroupSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What {@code snapshot check} prints: the outcome, and each member's finding (text or JSON). */
public final class CheckReport {
  /** The outcome of one check, from the worst finding. */
  public enum Outcome {
    /** Every capture was checked, none is missing or altered. */
    INTACT,
    /** A capture is missing or altered: the group snapshot is DAMAGED. */
    DAMAGED,
    /** Nothing missing or altered was found, but some capture could not be checked (agent unreachable or busy). */
    INCOMPLETE
  }

  private CheckReport() {}

  public static Outcome outcome(CheckGroupSnapshotResponse r) {
    if (CaptureConditions.isDamaged(r.getSnapshot())
        || r.getCapturesList().stream().anyMatch(c -> CaptureConditions.isDamage(c.getCondition()))) {
      return Outcome.DAMAGED;
    }
    return r.getCapturesList().stream().allMatch(c -> CaptureConditions.isDefinite(c.getCondition()))
        ? Outcome.INTACT : Outcome.INCOMPLETE;
  }

  /** One line for stderr when the outcome is not INTACT: which captures are the reason. */
  public static String summary(CheckGroupSnapshotResponse r) {
    Outcome o = outcome(r);
    List<CaptureCheck> reasons = r.getCapturesList().stream().filter(c -> o == Outcome.DAMAGED
        ? CaptureConditions.isDamage(c.getCondition()) : !CaptureConditions.isDefinite(c.getCondition())).toList();
    String who = reasons.stream().map(c -> c.getAgentId() + ":" + c.getVolume() + " "
        + Views.condition(c.getCondition())).collect(Collectors.joining(", "));
    return r.getSnapshot().getId() + (o == Outcome.DAMAGED ? " is DAMAGED" : " could not be checked completely")
        + (who.isEmpty() ? " (found so by an earlier check)" : " (" + who + ")");
  }

  public static Map<String, Object> json(CheckGroupSnapshotResponse r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.getSnapshot().getId());
    m.put("result", outcome(r).name());
    m.put("captures", r.getCapturesList().stream().map(Views::check).toList());
    m.put("snapshot", Views.groupSnapshot(r.getSnapshot()));
    return m;
  }

  /**
   * The first line of the text report: the id, the outcome once, and how many captures it is about, e.g.
   * {@code gs-…  DAMAGED: 1 of 3 captures missing or altered}.
   */
  public static String header(CheckGroupSnapshotResponse r) {
    GroupSnapshot g = r.getSnapshot();
    Set<String> all = new LinkedHashSet<>();
    g.getMembersList().forEach(m -> all.add(m.getAgentId() + ":" + m.getVolume()));
    r.getCapturesList().forEach(c -> all.add(c.getAgentId() + ":" + c.getVolume()));
    String captures = all.size() == 1 ? " capture " : " captures ";
    Outcome o = outcome(r);
    String what = switch (o) {
      case INTACT -> all.size() + captures + "checked, none missing or altered";
      case DAMAGED -> damagedCount(r) + " of " + all.size() + captures + "missing or altered";
      case INCOMPLETE -> r.getCapturesList().stream().filter(c -> !CaptureConditions.isDefinite(c.getCondition()))
          .count() + " of " + all.size() + captures + "could not be checked, none found missing or altered";
    };
    return g.getId() + "  " + o + ": " + what;
  }

  /** The captures found missing or altered: by this check, or by an earlier one where this one could not tell. */
  private static int damagedCount(CheckGroupSnapshotResponse r) {
    Set<String> damaged = new LinkedHashSet<>();
    CaptureConditions.damaged(r.getSnapshot()).forEach(m -> damaged.add(m.getAgentId() + ":" + m.getVolume()));
    r.getCapturesList().stream().filter(c -> CaptureConditions.isDamage(c.getCondition()))
        .forEach(c -> damaged.add(c.getAgentId() + ":" + c.getVolume()));
    return damaged.size();
  }

  public static void text(PrintWriter out, CheckGroupSnapshotResponse r) {
    out.println(header(r));
    out.printf(Locale.ROOT, "  %-14s %-10s %-12s %-9s %s%n", "AGENT", "VOLUME", "CAPTURE", "COMPARED", "DETAIL");
    for (CaptureCheck c : r.getCapturesList()) {
      out.printf(Locale.ROOT, "  %-14s %-10s %-12s %-9s %s%n", c.getAgentId(), c.getVolume(),
          Views.condition(c.getCondition()), c.getDepth() == CheckDepth.CHECK_DEPTH_UNSPECIFIED ? "-"
              : c.getDepth().name().replace("CHECK_DEPTH_", "").toLowerCase(Locale.ROOT), c.getDetail());
    }
  }
}
