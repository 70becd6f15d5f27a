package io.groupsnap.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.groupsnap.common.CaptureConditions;
import io.groupsnap.common.Printable;
import io.groupsnap.coordinator.api.MissingAgentsException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.VolumeInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints results on stdout, as text tables or as JSON (data only, nothing else on stdout). */
public final class Printer {
  /** Output formats. */
  public enum Format { text, json }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper JSON_LINE = new ObjectMapper();
  private final Format format;
  private final PrintWriter out;

  public Printer(Format format, PrintWriter out) {
    this.format = format;
    this.out = out;
  }

  public boolean json() {
    return format == Format.json;
  }

  public void json(Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One JSON value on one line (JSON lines: a stream of them, one per event). */
  public void jsonLine(Object value) {
    try {
      out.println(JSON_LINE.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /**
   * One change seen while watching a group snapshot that is not final yet. JSON: the whole record on one line, as
   * {@code snapshot show -o json} prints it. Text: its state when that changed (or on the first look, when
   * {@code before} is null), then every member whose state or error changed.
   */
  public void change(GroupSnapshot before, GroupSnapshot now) {
    if (json()) {
      jsonLine(Views.groupSnapshot(now));
      return;
    }
    if (before == null || !Views.state(before).equals(Views.state(now))
        || !before.getAbortReason().equals(now.getAbortReason())) {
      out.printf(Locale.ROOT, "%s %-10s %d member(s)%s%n", now.getId(), Views.state(now), now.getMembersCount(),
          now.getAbortReason().isEmpty() ? "" : "; abort reason: " + now.getAbortReason());
    }
    for (int i = 0; i < now.getMembersCount(); i++) {
      MemberRecord m = now.getMembers(i);
      MemberRecord was = before == null || i >= before.getMembersCount() ? null : before.getMembers(i);
      if (was == null || was.getState() != m.getState() || !was.getError().equals(m.getError())) {
        out.println(String.format(Locale.ROOT, "    %-24s %-10s %s", m.getAgentId() + ":" + m.getVolume(),
            m.getState().name().replace("MEMBER_", ""), m.getError()).stripTrailing());
      }
    }
    out.flush();
  }

  public void groupSnapshot(GroupSnapshot g) {
    if (json()) {
      json(Views.groupSnapshot(g));
      return;
    }
    out.printf(Locale.ROOT, "%s  %s  epoch %d  created %s%n", g.getId(), Views.state(g), g.getEpoch(),
        Instant.ofEpochMilli(g.getCreatedAtMillis()));
    for (MemberRecord m : CaptureConditions.damaged(g)) {
      out.printf(Locale.ROOT, "  damaged: %s:%s %s: %s (checked %s)%n", m.getAgentId(), m.getVolume(),
          Views.condition(m.getCheck().getCondition()), m.getCheck().getDetail(),
          Instant.ofEpochMilli(m.getCheck().getCheckedAtMillis()));
    }
    if (!g.getAbortReason().isEmpty()) {
      out.println("  abort reason: " + g.getAbortReason()
          + (g.getAbortMember().isEmpty() ? "" : " (member " + g.getAbortMember() + ")"));
    }
    if (!g.getGroup().isEmpty()) {
      out.println("  group: " + g.getGroup() + (g.getRunId().isEmpty() ? "" : ", run " + g.getRunId()));
    }
    if (g.getMissingAgentsCount() > 0) {
      out.println("  left out, not registered: " + String.join(", ", g.getMissingAgentsList()));
    }
    out.printf(Locale.ROOT, "  freeze window %dms (coordinator saw %dms), prepare %dms, lease %dms%n",
        g.getFreezeWindowMillis(), g.getCoordinatorWindowMillis(), g.getPrepareMillis(), g.getLeaseMillis());
    out.printf(Locale.ROOT, "  %-14s %-10s %-10s %8s %8s %8s  %-10s  %s%n", "AGENT", "VOLUME", "STATE", "FROZEN",
        "CAPTURE", "HELD", "CHECK", "SNAPSHOT");
    for (MemberRecord m : g.getMembersList()) {
      out.printf(Locale.ROOT, "  %-14s %-10s %-10s %6dms %6dms %6dms  %-10s  %s%s%n", m.getAgentId(), m.getVolume(),
          m.getState().name().replace("MEMBER_", ""), m.getTimeToFrozenMillis(), m.getSnapshotMillis(),
          m.getHeldMillis(), m.hasCheck() ? Views.condition(m.getCheck().getCondition()) : "-", m.getSnapshotPath(),
          m.getError().isEmpty() ? "" : "  error: " + m.getError());
    }
  }

  public void groupSnapshots(List<GroupSnapshot> list) {
    groupSnapshots(list, List.of());
  }

  /** The group snapshots, then the records that cannot be decoded (quarantined), each with its id and reason. */
  public void groupSnapshots(List<GroupSnapshot> list, List<DamagedRecord> damaged) {
    if (json()) {
      json(Views.groupSnapshots(list, damaged));
      return;
    }
    if (list.isEmpty()) {
      out.println("no group snapshots");
    } else {
      out.printf(Locale.ROOT, "%-28s %-10s %-24s %7s %10s%n", "ID", "STATE", "CREATED", "MEMBERS", "WINDOW");
    }
    for (GroupSnapshot g : list) {
      out.printf(Locale.ROOT, "%-28s %-10s %-24s %7d %8dms%s%n", g.getId(), Views.state(g),
          Instant.ofEpochMilli(g.getCreatedAtMillis()), g.getMembersCount(), g.getFreezeWindowMillis(),
          damageSummary(g));
    }
    damaged(damaged);
  }

  /** "  damaged: agent:volume CONDITION, ..." for a damaged group snapshot, else empty. */
  private static String damageSummary(GroupSnapshot g) {
    List<MemberRecord> damaged = CaptureConditions.damaged(g);
    return damaged.isEmpty() ? "" : "  damaged: " + damaged.stream().map(m -> m.getAgentId() + ":" + m.getVolume()
        + " " + Views.condition(m.getCheck().getCondition())).collect(Collectors.joining(", "));
  }

  public void agents(List<AgentRegistration> agents) {
    agents(agents, List.of(), List.of());
  }

  /**
   * The agents, then the registrations that cannot be decoded (quarantined: never members), then the agents the
   * cluster knows that are not registered now; in text and in JSON alike.
   */
  public void agents(List<AgentRegistration> agents, List<DamagedRecord> damaged, List<KnownAgent> missing) {
    if (json()) {
      json(Views.agents(agents, damaged, missing));
      return;
    }
    if (agents.isEmpty()) {
      out.println("no agents registered");
    } else {
      out.printf(Locale.ROOT, "%-16s %-22s %-30s %s%n", "AGENT", "ENDPOINT", "VOLUMES", "WRITERS");
      for (AgentRegistration a : agents) {
        out.printf(Locale.ROOT, "%-16s %-22s %-30s %s%n", a.getAgentId(), a.getEndpoint(),
            a.getVolumesList().stream().map(v -> v.getName() + "(" + v.getKind() + ")")
                .collect(Collectors.joining(",")),
            a.getWritersList().stream().map(w -> w.getName() + "(" + w.getKind() + ")")
                .collect(Collectors.joining(",")));
      }
    }
    damaged(damaged);
    missingAgents(missing);
  }

  private void damaged(List<DamagedRecord> damaged) {
    if (damaged.isEmpty()) {
      return;
    }
    out.println(damaged.size() + " damaged record(s), " + Views.UNDECODABLE
        + ": quarantined, skipped by recovery (inspect, then remove or rewrite them in ZooKeeper)");
    for (DamagedRecord d : damaged) {
      out.printf(Locale.ROOT, "%-28s %-11s %s: %s%n", d.getId(), Views.UNDECODABLE, d.getPath(), d.getReason());
    }
  }

  /** Agents the cluster knows that are not registered, in text. */
  private void missingAgents(List<KnownAgent> missing) {
    if (missing.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    out.println("not registered, known to the cluster (a group snapshot of every agent waits for them):");
    for (KnownAgent k : missing) {
      out.printf(Locale.ROOT, "%-16s %-22s last seen %s ago%n", k.getAgentId(), k.getEndpoint(),
          MissingAgentsException.ago(now - k.getLastSeenAtMillis()));
    }
  }

  public void cluster(ClusterStatusResponse s) {
    if (json()) {
      json(Views.cluster(s));
      return;
    }
    out.println("cluster      " + s.getClusterName() + " (" + s.getClusterId() + ")");
    out.println("leader       " + (s.getLeader().isEmpty() ? "(none)" : s.getLeader()));
    out.println("epoch        " + s.getEpoch());
    out.println("version      " + (s.getCoordinatorVersion().isEmpty() ? "(not reported)"
        : Printable.value(s.getCoordinatorVersion()))
        + " (answered by " + s.getAnsweredBy() + ")");
    out.println("coordinators " + s.getCoordinatorsList().stream()
        .map(c -> c.getId() + (c.getLeader() ? " (leader)" : "")).collect(Collectors.joining(", ")));
    out.println("agents       " + s.getAgentsCount());
    for (AgentRegistration a : s.getAgentsList()) {
      out.println("  " + a.getAgentId() + "  " + a.getEndpoint() + "  volumes: " + a.getVolumesList().stream()
          .map(VolumeInfo::getName).collect(Collectors.joining(",")));
    }
    if (s.getDamagedRecordsCount() > 0) {
      out.println("damaged      " + s.getDamagedRecordsCount() + " record(s) quarantined, skipped by recovery: "
          + s.getDamagedRecordsList().stream().limit(10).map(DamagedRecord::getPath).collect(Collectors.joining(", "))
          + (s.getDamagedRecordsCount() > 10 ? ", ... ('snapshot list --all' and 'agents list' name them all)" : ""));
    }
  }
}
