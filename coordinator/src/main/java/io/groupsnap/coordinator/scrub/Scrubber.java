package io.groupsnap.coordinator.scrub;

import io.groupsnap.common.CaptureConditions;
import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.TxnHeader;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's scrub: asks every member of a committed group snapshot whether its capture is still there and
 * unchanged (each agent compares with the fingerprint it recorded after the commit) and writes what they found onto
 * the members' records ({@code MemberRecord.check}).
 *
 * <p>A capture found missing or altered makes the group snapshot DAMAGED (see {@link CaptureConditions}): its state
 * stays COMMITTED — the decision never changes, reapers keep its other captures, and deletion works as for any
 * committed group snapshot. A member that could not be asked (not registered, the call failed) or could not check now
 * (a group snapshot in progress there) is reported to the caller but is not damage, and its earlier finding stays on
 * the record. A capture found present again (its file system mounted again) clears its damage.
 *
 * <p>Only group snapshots whose commit every member confirmed are checked ({@link ClusterStore#checkable}), so a
 * scrub's write never meets a transaction's own; it is fenced like every leader write and retried over a concurrent
 * check's write. Runs periodically while this process is the acting leader ({@link #start}) and on demand
 * ({@link #check}). Thread-safe.
 */
public final class Scrubber {
  private static final Logger log = LoggerFactory.getLogger(Scrubber.class);
  /** How much of an agent's explanation a record keeps, so that a record of many members stays small. */
  static final int MAX_DETAIL = 300;
  /** How long an agent may take to check its captures: it walks them, and a checksum reads every byte. */
  public static final Duration CALL_DEADLINE = Duration.ofMinutes(10);
  private static final int WRITE_ATTEMPTS = 3;

  /**
   * One check of one group snapshot.
   *
   * @param snapshot the record with the definite findings written onto its members
   * @param captures this check's finding per member, including those that could not be checked
   */
  public record Result(GroupSnapshot snapshot, List<CaptureCheck> captures) {
    public Result {
      captures = List.copyOf(captures);
    }

    public boolean damaged() {
      return CaptureConditions.isDamaged(snapshot);
    }

    /** True when every member's capture was checked (none unreachable, none unchecked). */
    public boolean complete() {
      return captures.stream().allMatch(c -> CaptureConditions.isDefinite(c.getCondition()));
    }
  }

  private final ClusterStore store;
  private final CaptureProbe probe;
  private final String clusterId;
  private final Duration callDeadline;
  private final Clock clock;

  /** @param callDeadline how long an agent may take to check its captures (it walks them; a checksum reads them) */
  public Scrubber(ClusterStore store, CaptureProbe probe, String clusterId, Duration callDeadline, Clock clock) {
    this.store = store;
    this.probe = probe;
    this.clusterId = clusterId;
    this.callDeadline = callDeadline;
    this.clock = clock;
  }

  /** Scrubs the catalog every {@code every} on {@code scheduler}, whenever {@code acting} names a term. */
  public void start(ScheduledExecutorService scheduler, Duration every, Supplier<Optional<Leadership.Term>> acting) {
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        scrubOnce(acting);
      } catch (Exception e) {
        log.warn("scrub pass failed: {}", e.toString());
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Checks every group snapshot of the catalog that can be checked, one after another, as long as {@code acting}
   * names a term (it stops at once when leadership is lost). Returns how many it checked.
   */
  public int scrubOnce(Supplier<Optional<Leadership.Term>> acting) throws Exception {
    if (acting.get().isEmpty()) {
      return 0;
    }
    int checked = 0;
    int damaged = 0;
    int incomplete = 0;
    for (GroupSnapshot listed : store.list(false)) {
      Optional<Leadership.Term> term = acting.get();
      if (term.isEmpty()) {
        log.info("scrub stopped: this coordinator no longer leads");
        break;
      }
      try {
        Optional<GroupSnapshot> g = store.checkable(listed.getId());
        if (g.isEmpty()) {
          continue;
        }
        Result r = checkRecord(g.get(), false, term.get());
        checked++;
        damaged += r.damaged() ? 1 : 0;
        incomplete += r.complete() ? 0 : 1;
      } catch (Exception e) {
        log.warn("scrub: could not check {}: {}", listed.getId(), e.toString());
      }
    }
    if (checked > 0) {
      log.info("scrub: checked {} group snapshot(s): {} damaged, {} not completely checked", checked, damaged,
          incomplete);
    }
    return checked;
  }

  /**
   * Checks one group snapshot now and records what was found.
   *
   * @param checksum also compare contents where agents recorded a checksum (reads every byte)
   * @throws NotFoundException when there is no such group snapshot
   * @throws IllegalStateException when it is not committed, or not every member has confirmed its commit yet
   * @throws FencedWriteException when this leader's write was refused (deposed)
   */
  public Result check(String id, boolean checksum, Leadership.Term term) throws Exception {
    Names.require("group snapshot id", id);
    Optional<GroupSnapshot> g = store.checkable(id);
    if (g.isEmpty()) {
      GroupSnapshot any = store.get(id).orElseThrow(() -> new NotFoundException("no group snapshot '" + id + "'"));
      throw new IllegalStateException("group snapshot " + id + " is " + any.getState()
          + (any.getState() == GroupSnapshotState.COMMITTED
              ? " but not every member has confirmed its commit yet; check again shortly"
              : "; only committed group snapshots can be checked"));
    }
    return checkRecord(g.get(), checksum, term);
  }

  private Result checkRecord(GroupSnapshot g, boolean checksum, Leadership.Term term) throws Exception {
    Map<String, String> endpoints = store.agents().stream()
        .collect(Collectors.toMap(AgentRegistration::getAgentId, AgentRegistration::getEndpoint, (a, b) -> a));
    Map<String, List<String>> byAgent = g.getMembersList().stream().collect(Collectors.groupingBy(
        MemberRecord::getAgentId, LinkedHashMap::new, Collectors.mapping(MemberRecord::getVolume,
            Collectors.toList())));
    TxnHeader header = TxnHeader.newBuilder().setClusterId(clusterId).setEpoch(term.epoch()).setTxnId(g.getId())
        .setProtocolVersion(Formats.CURRENT).build();
    Map<String, CompletableFuture<CaptureProbe.Reply>> calls = new LinkedHashMap<>();
    byAgent.forEach((agent, volumes) -> {
      String endpoint = endpoints.get(agent);
      calls.put(agent, endpoint == null
          ? CompletableFuture.completedFuture(CaptureProbe.Reply.unreachable("agent " + agent + " is not registered"))
          : probe.check(agent, endpoint, header, volumes, checksum, callDeadline).completeOnTimeout(
              CaptureProbe.Reply.unreachable("agent " + agent + " did not answer within "
                  + callDeadline.toSeconds() + "s"), callDeadline.toMillis() + 5_000, TimeUnit.MILLISECONDS));
    });
    List<CaptureCheck> findings = new ArrayList<>();
    byAgent.forEach((agent, volumes) -> {
      CaptureProbe.Reply reply = calls.get(agent).join();
      volumes.forEach(v -> findings.add(finding(agent, v, reply)));
    });
    GroupSnapshot written = record(g, findings, term);
    report(g, written);
    return new Result(written, findings);
  }

  /** What one member's capture was found to be, as its agent said (bounded), or why it could not be asked. */
  private CaptureCheck finding(String agent, String volume, CaptureProbe.Reply reply) {
    CaptureCheck.Builder b = CaptureCheck.newBuilder().setAgentId(agent).setVolume(volume);
    if (!reply.isAnswered()) {
      return b.setCondition(CaptureCondition.CAPTURE_UNREACHABLE).setDepth(CheckDepth.CHECK_DEPTH_UNSPECIFIED)
          .setDetail(bounded(reply.failure())).setCheckedAtMillis(clock.millis()).build();
    }
    return reply.captures().stream().filter(c -> c.getVolume().equals(volume)).findFirst()
        .map(c -> c.toBuilder().setAgentId(agent).setDetail(bounded(c.getDetail())).build())
        .orElseGet(() -> b.setCondition(CaptureCondition.CAPTURE_UNCHECKED)
            .setDetail("agent " + agent + " did not report this volume").setCheckedAtMillis(clock.millis()).build());
  }

  /** One line of at most {@link #MAX_DETAIL} characters: control characters replaced, the rest cut. */
  static String bounded(String s) {
    String text = s == null ? "" : s;
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_DETAIL + 3));
    for (int i = 0; i < text.length() && i < MAX_DETAIL; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return text.length() > MAX_DETAIL ? out.append("...").toString() : out.toString();
  }

  /** Writes the definite findings onto the record; returns it as it is afterwards. */
  private GroupSnapshot record(GroupSnapshot g, List<CaptureCheck> findings, Leadership.Term term) throws Exception {
    Map<String, CaptureCheck> definite = new LinkedHashMap<>();
    findings.stream().filter(c -> CaptureConditions.isDefinite(c.getCondition()))
        .forEach(c -> definite.put(c.getAgentId() + "/" + c.getVolume(), c));
    if (definite.isEmpty()) {
      return g;
    }
    FencedWriteException refused = null;
    for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      try {
        Optional<GroupSnapshot> written = store.annotateCommitted(g.getId(), r -> apply(r, definite), term.fence());
        return written.isPresent() ? written.get() : store.get(g.getId()).orElse(g); // deleted meanwhile
      } catch (FencedWriteException e) {
        refused = e; // another check wrote in between (read again), or this leader was deposed (fails again)
      }
    }
    throw refused;
  }

  static GroupSnapshot apply(GroupSnapshot g, Map<String, CaptureCheck> definite) {
    GroupSnapshot.Builder b = g.toBuilder();
    for (MemberRecord.Builder m : b.getMembersBuilderList()) {
      CaptureCheck c = definite.get(m.getAgentId() + "/" + m.getVolume());
      if (c != null) {
        m.setCheck(c);
      }
    }
    return b.build();
  }

  private static void report(GroupSnapshot before, GroupSnapshot after) {
    List<String> was = describe(CaptureConditions.damaged(before));
    List<String> now = describe(CaptureConditions.damaged(after));
    if (!now.isEmpty() && !now.equals(was)) {
      log.warn("group snapshot {} is DAMAGED: {}", after.getId(), String.join("; ", now));
    } else if (now.isEmpty() && !was.isEmpty()) {
      log.info("group snapshot {} is no longer damaged: its captures were found again", after.getId());
    }
  }

  private static List<String> describe(List<MemberRecord> damaged) {
    return damaged.stream().map(m -> m.getAgentId() + ":" + m.getVolume() + " "
        + m.getCheck().getCondition().name().replace("CAPTURE_", "") + " (" + m.getCheck().getDetail() + ")")
        .toList();
  }
}
