package io.groupsnap.cli.output;

import io.groupsnap.common.CaptureConditions;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorInfo;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.VolumeInfo;
import io.groupsnap.proto.v1.WriterInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON shapes the CLI prints. Field names are a stable interface for scripts: add fields, never rename or remove
 * them. Times are ISO-8601 UTC; durations are integers with their unit in the name.
 */
public final class Views {
  /** The state a quarantined record (one that cannot be decoded) is listed with. */
  public static final String UNDECODABLE = "UNDECODABLE";
  /** The state of an agent registered now. */
  public static final String REGISTERED = "REGISTERED";
  /** The state of an agent the cluster knows that is not registered now. */
  public static final String MISSING = "MISSING";

  private Views() {}

  public static Map<String, Object> groupSnapshot(GroupSnapshot g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", g.getId());
    m.put("state", state(g));
    m.put("createdAt", time(g.getCreatedAtMillis()));
    m.put("finishedAt", time(g.getFinishedAtMillis()));
    m.put("epoch", g.getEpoch());
    m.put("coordinator", g.getCoordinator());
    m.put("freezeWindowMillis", g.getFreezeWindowMillis());
    m.put("coordinatorWindowMillis", g.getCoordinatorWindowMillis());
    m.put("prepareMillis", g.getPrepareMillis());
    m.put("freezeTimeoutMillis", g.getFreezeTimeoutMillis());
    m.put("leaseMillis", g.getLeaseMillis());
    if (g.getState() == GroupSnapshotState.ABORTED || !g.getAbortReason().isEmpty()) {
      m.put("abortReason", g.getAbortReason());
      m.put("abortMember", g.getAbortMember());
      if (g.getAbortCause() != AbortCause.ABORT_CAUSE_UNSPECIFIED) {
        m.put("abortCause", g.getAbortCause().name().replace("ABORT_", ""));
      }
    }
    m.put("missingAgents", g.getMissingAgentsList());
    if (!g.getGroup().isEmpty()) {
      m.put("group", g.getGroup());
    }
    if (!g.getRunId().isEmpty()) {
      m.put("runId", g.getRunId());
    }
    if (CaptureConditions.isDamaged(g)) {
      m.put("damage", CaptureConditions.damaged(g).stream().map(r -> check(r.getCheck())).toList());
    }
    m.put("members", g.getMembersList().stream().map(Views::member).toList());
    return m;
  }

  /**
   * The state the operator sees: the record's, except that a committed group snapshot a check found a capture of
   * missing or altered is DAMAGED.
   */
  public static String state(GroupSnapshot g) {
    return g.getState() == GroupSnapshotState.COMMITTED && CaptureConditions.isDamaged(g) ? "DAMAGED"
        : g.getState().name();
  }

  /** A capture check: who, what was found, how far it could be compared, why, when. */
  public static Map<String, Object> check(CaptureCheck c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("agent", c.getAgentId());
    m.put("volume", c.getVolume());
    m.put("condition", condition(c.getCondition()));
    m.put("depth", c.getDepth() == CheckDepth.CHECK_DEPTH_UNSPECIFIED ? null
        : c.getDepth().name().replace("CHECK_DEPTH_", ""));
    m.put("detail", c.getDetail());
    m.put("checkedAt", time(c.getCheckedAtMillis()));
    return m;
  }

  /** PRESENT, MISSING, ALTERED, UNVERIFIED, UNCHECKED, UNREACHABLE. */
  public static String condition(CaptureCondition c) {
    return c.name().replace("CAPTURE_", "");
  }

  static Map<String, Object> member(MemberRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("agent", r.getAgentId());
    m.put("volume", r.getVolume());
    m.put("state", r.getState().name().replace("MEMBER_", ""));
    m.put("snapshotPath", r.getSnapshotPath());
    m.put("freezeStartedAt", time(r.getFreezeStartedAtMillis()));
    m.put("timeToFrozenMillis", r.getTimeToFrozenMillis());
    m.put("snapshotMillis", r.getSnapshotMillis());
    m.put("thawedAt", time(r.getThawedAtMillis()));
    m.put("heldMillis", r.getHeldMillis());
    if (!r.getError().isEmpty()) {
      m.put("error", r.getError());
    }
    if (r.hasCheck()) {
      Map<String, Object> c = check(r.getCheck());
      c.remove("agent");
      c.remove("volume");
      m.put("check", c);
    }
    return m;
  }

  public static Map<String, Object> agent(AgentRegistration a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.getAgentId());
    m.put("state", REGISTERED);
    m.put("endpoint", a.getEndpoint());
    m.put("version", a.getVersion());
    m.put("startedAt", time(a.getStartedAtMillis()));
    m.put("labels", a.getLabelsMap());
    m.put("volumes", a.getVolumesList().stream().map(Views::volume).toList());
    m.put("writers", a.getWritersList().stream().map(Views::writer).toList());
    m.put("maxFreezeLeaseMillis", a.getMaxFreezeLeaseMillis());
    return m;
  }

  static Map<String, Object> volume(VolumeInfo v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.getName());
    m.put("kind", v.getKind());
    m.put("path", v.getPath());
    return m;
  }

  static Map<String, Object> writer(WriterInfo w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", w.getName());
    m.put("kind", w.getKind());
    m.put("tier", w.getTier());
    return m;
  }

  public static Map<String, Object> cluster(ClusterStatusResponse s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cluster", s.getClusterName());
    m.put("clusterId", s.getClusterId());
    m.put("leader", s.getLeader());
    m.put("epoch", s.getEpoch());
    m.put("answeredBy", s.getAnsweredBy());
    m.put("coordinatorVersion", s.getCoordinatorVersion());
    m.put("coordinators", s.getCoordinatorsList().stream().map(Views::coordinator).toList());
    m.put("agents", s.getAgentsList().stream().map(Views::agent).toList());
    m.put("damagedRecords", s.getDamagedRecordsList().stream().map(Views::damaged).toList());
    return m;
  }

  static Map<String, Object> coordinator(CoordinatorInfo c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.getId());
    m.put("leader", c.getLeader());
    return m;
  }

  public static List<Map<String, Object>> groupSnapshots(List<GroupSnapshot> list) {
    return list.stream().map(Views::groupSnapshot).toList();
  }

  /** The group snapshots, then each record that cannot be decoded as an entry of state {@code UNDECODABLE}. */
  public static List<Map<String, Object>> groupSnapshots(List<GroupSnapshot> list, List<DamagedRecord> damaged) {
    List<Map<String, Object>> out = new ArrayList<>(groupSnapshots(list));
    damaged.forEach(d -> out.add(damaged(d)));
    return out;
  }

  /** The agents, then each registration that cannot be decoded as an entry of state {@code UNDECODABLE}. */
  /**
   * {@code agents list}: the registered agents ({@code state} {@code REGISTERED}), then the quarantined registrations
   * ({@code UNDECODABLE}), then the agents the cluster knows that are not registered now ({@link #missing}).
   */
  public static List<Map<String, Object>> agents(List<AgentRegistration> list, List<DamagedRecord> damaged,
      List<KnownAgent> missing) {
    List<Map<String, Object>> out = new ArrayList<>(list.stream().map(Views::agent).toList());
    damaged.forEach(d -> out.add(damaged(d)));
    missing.forEach(k -> out.add(missing(k)));
    return out;
  }

  /**
   * An agent the cluster knows that is not registered now (a group snapshot of every agent waits for it): {@code id},
   * {@code state} (always {@code MISSING}), {@code endpoint} (where it was last registered), {@code firstSeenAt},
   * {@code lastSeenAt} (the leader's clock).
   */
  public static Map<String, Object> missing(KnownAgent k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", k.getAgentId());
    m.put("state", MISSING);
    m.put("endpoint", k.getEndpoint());
    m.put("firstSeenAt", time(k.getFirstSeenAtMillis()));
    m.put("lastSeenAt", time(k.getLastSeenAtMillis()));
    return m;
  }

  /**
   * A quarantined record: {@code id}, {@code state} (always {@code UNDECODABLE}), {@code kind} ({@code transaction},
   * {@code manifest}, {@code agent}, {@code audit}), {@code record} (its ZooKeeper node), {@code reason},
   * {@code modifiedAt}.
   */
  public static Map<String, Object> damaged(DamagedRecord d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.getId());
    m.put("state", UNDECODABLE);
    m.put("kind", kind(d));
    m.put("record", d.getPath());
    m.put("reason", d.getReason());
    m.put("modifiedAt", time(d.getModifiedAtMillis()));
    return m;
  }

  static String kind(DamagedRecord d) {
    return switch (d.getKind()) {
      case RECORD_TRANSACTION -> "transaction";
      case RECORD_MANIFEST -> "manifest";
      case RECORD_AGENT -> "agent";
      case RECORD_AUDIT -> "audit";
      default -> d.getKind().name().toLowerCase(Locale.ROOT);
    };
  }

  static String time(long millis) {
    return millis <= 0 ? null : Instant.ofEpochMilli(millis).toString();
  }
}
