package io.groupsnap.coordinator.restores;

import io.groupsnap.coordinator.api.MemberGuard;
import io.groupsnap.coordinator.groupcheck.GroupCheckRunner;
import io.groupsnap.coordinator.groupcheck.GroupChecks;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.runs.RunDriver;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.MemberTarget;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A restore of one committed group snapshot to new places, across its members: the leader's half of the agents'
 * {@code AgentRestoreService}.
 *
 * <p>Two rounds. First every check, for every member, before anything is written anywhere: this process leads
 * (epoch), the id (or the backup run's group snapshot) is known and COMMITTED (not aborted, deleting or deleted), each
 * per-member target names a member, every member's agent is registered, and every agent accepts a dry run of its part
 * (its capture is kept, its targets are confined, there is room). Any refusal fails the call in one line naming the
 * member, and nothing was written. Then every agent starts its part at once, and each is polled until all its volumes
 * have finished; an agent that stays unreachable longer than {@code unreachableFor}, or that lost the restore, fails
 * its running volumes with the reason. The answer carries every member's path, bytes, method and duration.
 *
 * <p>A member whose local capture is gone is restored from its export when the group snapshot's backup run (the one
 * asked for, else the one that took it) exported it: each agent is told of its members' DONE exports and uses them
 * only when its capture is no longer there.
 *
 * <p>Targets: {@code <to>/<agent>/<volume>} when {@code to} is given, a per-member target overriding it, else each
 * agent's default (under its first restore root). The agents, not this class, decide what a path may be.
 *
 * <p>A test restore ({@code verify}, {@code groupsnap verify}) is the same two rounds with each agent choosing scratch
 * space and checking its copies before removing them; the answer then carries the verdict ({@link TestVerdict}), which
 * is recorded on the backup run asked for, else the one that took the group snapshot, when that run has finished
 * ({@link VerdictLog}). A verdict that cannot be recorded is still answered. When this coordinator's configuration
 * names a group check for the group (the backup run's group; a bare group snapshot has none, so only {@code "*"}
 * applies), the agents keep their checked copies, the check runs over all of them once every member passed, and the
 * copies are discarded after it ({@link GroupCheckPhase}).
 *
 * <p>Restores are not records yet: a leader that dies mid-restore leaves the agents finishing their parts, and the
 * caller sees the call fail. Thread-safe; the polls run on {@code executor}.
 */
public final class GroupRestore implements RestoreCalls {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GroupRestore.class);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);

  /** The acting leader's epoch; throws NotLeaderException on a standby. */
  @FunctionalInterface
  public interface Leader {
    long epoch() throws Exception;
  }

  /** A group snapshot's record by id; throws NotFoundException for an unknown one. */
  @FunctionalInterface
  public interface Snapshots {
    GroupSnapshot get(String id) throws Exception;
  }

  private final String clusterId;
  private final Leader leader;
  private final Snapshots snapshots;
  private final RunCatalog runs;
  private final RunDriver.Agents agents;
  private final RestoreClient client;
  private final Executor executor;
  private final Duration pollEvery;
  private final Duration unreachableFor;
  private final Random random = new Random();
  private final VerdictLog verdicts;
  private final GroupCheckPhase groupChecks;
  private final MemberGuard held;

  public GroupRestore(String clusterId, Leader leader, Snapshots snapshots, RunCatalog runs, RunDriver.Agents agents,
      RestoreClient client, Executor executor, Duration pollEvery, Duration unreachableFor) {
    this(clusterId, leader, snapshots, runs, agents, client, executor, pollEvery, unreachableFor, VerdictLog.NONE);
  }

  /** @param verdicts where test restores' verdicts are recorded */
  public GroupRestore(String clusterId, Leader leader, Snapshots snapshots, RunCatalog runs, RunDriver.Agents agents,
      RestoreClient client, Executor executor, Duration pollEvery, Duration unreachableFor, VerdictLog verdicts) {
    this(clusterId, leader, snapshots, runs, agents, client, executor, pollEvery, unreachableFor, verdicts,
        GroupChecks.NONE, null);
  }

  /**
   * @param checks the test restores' group checks, from this coordinator's configuration
   * @param runner runs them (null: none run)
   */
  public GroupRestore(String clusterId, Leader leader, Snapshots snapshots, RunCatalog runs, RunDriver.Agents agents,
      RestoreClient client, Executor executor, Duration pollEvery, Duration unreachableFor, VerdictLog verdicts,
      GroupChecks checks, GroupCheckRunner runner) {
    this(clusterId, leader, snapshots, runs, agents, client, executor, pollEvery, unreachableFor, verdicts, checks,
        runner, MemberGuard.NONE);
  }

  /**
   * @param held refuses members under an unsettled in-place restore (their live data or writers are in the middle of
   *     a switch, and its staging counts on the free space this restore would take)
   */
  public GroupRestore(String clusterId, Leader leader, Snapshots snapshots, RunCatalog runs, RunDriver.Agents agents,
      RestoreClient client, Executor executor, Duration pollEvery, Duration unreachableFor, VerdictLog verdicts,
      GroupChecks checks, GroupCheckRunner runner, MemberGuard held) {
    this.held = held;
    this.groupChecks = new GroupCheckPhase(checks, runner, client);
    this.verdicts = verdicts;
    this.clusterId = clusterId;
    this.leader = leader;
    this.snapshots = snapshots;
    this.runs = runs;
    this.agents = agents;
    this.client = client;
    this.executor = executor;
    this.pollEvery = pollEvery;
    this.unreachableFor = unreachableFor;
  }

  @Override
  public CompletableFuture<RestoreGroupSnapshotResponse> restore(RestoreGroupSnapshotRequest req) throws Exception {
    long epoch = leader.epoch();
    boolean verify = req.getVerify();
    if (verify && (!req.getTo().isEmpty() || req.getTargetsCount() > 0)) {
      throw new IllegalArgumentException("a test restore chooses scratch space on each agent: give neither to nor"
          + " targets");
    }
    long t0 = System.nanoTime();
    GroupSnapshot g = snapshots.get(groupSnapshotId(req));
    if (g.getState() != GroupSnapshotState.COMMITTED) {
      throw new IllegalArgumentException("group snapshot " + g.getId() + " is " + g.getState()
          + ": only a committed group snapshot can be " + (verify ? "test-restored" : "restored"));
    }
    Map<String, List<VolumeTarget>> parts = withExports(parts(g, req), exportsOf(g, req));
    Set<String> registered = agents.registered().stream().map(AgentRegistration::getAgentId)
        .collect(Collectors.toSet());
    List<String> down = parts.keySet().stream().filter(a -> !registered.contains(a)).toList();
    if (!down.isEmpty()) {
      throw new IllegalArgumentException("agent" + (down.size() > 1 ? "s " : " ") + String.join(", ", down)
          + (down.size() > 1 ? " are" : " is") + " not registered (down?): nothing was restored");
    }
    held.requireFree(parts.keySet());
    String restoreId = (verify ? "verify-" : "restore-") + TIME.format(Instant.now()) + "-"
        + HexFormat.of().toHexDigits(random.nextInt()).substring(2);
    String runId = !req.getBackupRunId().isEmpty() ? req.getBackupRunId() : g.getRunId();
    String group = runId.isEmpty() ? "" : runs.find(runId).map(BackupRun::getGroup).orElse("");
    Optional<GroupChecks.Check> check = verify ? groupChecks.applies(group) : Optional.empty();
    CompletableFuture<RestoreGroupSnapshotResponse> done = restore(g, epoch, restoreId, parts, verify,
        check.isPresent());
    if (!verify) {
      return done;
    }
    CompletableFuture<RestoreGroupSnapshotResponse> judged = check.isEmpty()
        ? done.thenApply(r -> TestVerdict.judge(r, 0))
        : groupChecks.finish(done, r -> TestVerdict.judge(r, 0), check.get(), parts.keySet(), restoreId, group);
    return judged.thenApplyAsync(r -> {
      RestoreGroupSnapshotResponse timed = r.toBuilder().setDurationMillis((System.nanoTime() - t0) / 1_000_000)
          .build();
      verdicts.judged(timed);
      return runId.isEmpty() ? timed : recorded(runId, timed);
    }, executor);
  }

  private RestoreGroupSnapshotResponse recorded(String runId, RestoreGroupSnapshotResponse judged) {
    try {
      return verdicts.record(runId, judged, System.currentTimeMillis())
          ? judged.toBuilder().setRecordedOnRun(runId).build() : judged;
    } catch (Exception e) {
      log.warn("cannot record the verdict of test restore {} on backup run {}: {}", judged.getRestoreId(), runId,
          e.toString());
      return judged;
    }
  }

  private CompletableFuture<RestoreGroupSnapshotResponse> restore(GroupSnapshot g, long epoch, String restoreId,
      Map<String, List<VolumeTarget>> parts, boolean verify, boolean keepScratch) {
    return round(g.getId(), epoch, restoreId, parts, true, verify, keepScratch).thenCompose(checked -> {
      for (Map.Entry<String, RestoreClient.Answer> a : checked.entrySet()) {
        if (a.getValue().kind() != RestoreClient.Kind.ANSWERED) {
          throw new IllegalArgumentException(a.getValue().reason() + " (nothing was restored)");
        }
      }
      return round(g.getId(), epoch, restoreId, parts, false, verify, keepScratch);
    }).thenCompose(started -> {
      List<CompletableFuture<List<MemberRestore>>> follows = new ArrayList<>();
      started.forEach((agent, answer) -> follows.add(answer.kind() == RestoreClient.Kind.ANSWERED
          ? follow(agent, restoreId, answer.volumes(), System.nanoTime())
          : CompletableFuture.completedFuture(failed(agent, parts.get(agent), answer.reason()))));
      return CompletableFuture.allOf(follows.toArray(CompletableFuture[]::new)).thenApply(x -> {
        List<MemberRestore> all = new ArrayList<>();
        follows.forEach(f -> all.addAll(f.join()));
        all.sort(Comparator.comparing(MemberRestore::getAgentId).thenComparing(MemberRestore::getVolume));
        return RestoreGroupSnapshotResponse.newBuilder().setRestoreId(restoreId).setGroupSnapshotId(g.getId())
            .addAllMembers(all).setOk(all.stream().allMatch(m -> m.getState() == RestoreState.RESTORE_DONE)).build();
      });
    });
  }

  private String groupSnapshotId(RestoreGroupSnapshotRequest req) throws Exception {
    boolean byId = !req.getGroupSnapshotId().isEmpty();
    boolean byRun = !req.getBackupRunId().isEmpty();
    if (byId == byRun) {
      throw new IllegalArgumentException("give either group_snapshot_id or backup_run_id");
    }
    if (byId) {
      return req.getGroupSnapshotId();
    }
    BackupRun run = runs.find(req.getBackupRunId()).orElseThrow(() -> new NotFoundException("no backup run "
        + req.getBackupRunId()));
    if (run.getGroupSnapshotId().isEmpty()) {
      throw new IllegalArgumentException("backup run " + run.getId() + " has no group snapshot");
    }
    return run.getGroupSnapshotId();
  }

  /**
   * The backup run whose exports hold this group snapshot's captures: the run asked for, else the run that took it;
   * empty when there is none, it exported nothing or its exports were forgotten.
   */
  private Optional<BackupRun> exportsOf(GroupSnapshot g, RestoreGroupSnapshotRequest req) throws Exception {
    String runId = !req.getBackupRunId().isEmpty() ? req.getBackupRunId() : g.getRunId();
    if (runId.isEmpty()) {
      return Optional.empty();
    }
    return runs.find(runId).filter(r -> r.getGroupSnapshotId().equals(g.getId()) && !r.getExportTarget().isEmpty()
        && !r.getExportDeleted());
  }

  /**
   * Each member's DONE export, so that an agent whose local capture is gone restores from it instead (the agent
   * prefers its local capture whenever that is still there).
   */
  public static Map<String, List<VolumeTarget>> withExports(Map<String, List<VolumeTarget>> parts, Optional<BackupRun> run) {
    if (run.isEmpty()) {
      return parts;
    }
    Map<String, MemberExport> done = new HashMap<>();
    for (MemberExport e : run.get().getExportsList()) {
      if (e.getState() == ExportState.EXPORT_DONE) {
        done.put(e.getAgentId() + ":" + e.getVolume(), e);
      }
    }
    Map<String, List<VolumeTarget>> out = new TreeMap<>();
    parts.forEach((agent, volumes) -> out.put(agent, volumes.stream().map(v -> {
      MemberExport e = done.get(agent + ":" + v.getVolume());
      return e == null ? v : v.toBuilder().setExportTarget(run.get().getExportTarget())
          .setRepositorySnapshotId(e.getRepositorySnapshotId()).setExportBytes(Math.max(e.getBytesTotal(), e.getBytesDone())).build();
    }).toList()));
    return out;
  }

  /** Each member agent's volumes and targets, in the record's order. */
  static Map<String, List<VolumeTarget>> parts(GroupSnapshot g, RestoreGroupSnapshotRequest req) {
    Map<String, String> overrides = new LinkedHashMap<>();
    Set<String> members = g.getMembersList().stream().map(m -> m.getAgentId() + ":" + m.getVolume())
        .collect(Collectors.toSet());
    for (int i = 0; i < req.getTargetsCount(); i++) {
      MemberTarget t = req.getTargetsList().get(i);
      String key = t.getAgentId() + ":" + t.getVolume();
      if (!members.contains(key)) {
        throw new IllegalArgumentException("targets[" + i + "]: " + key + " is not a member of group snapshot "
            + g.getId());
      }
      if (overrides.put(key, checkedPath("targets[" + i + "] (" + key + ")", t.getPath())) != null) {
        throw new IllegalArgumentException("targets[" + i + "]: " + key + " is given twice");
      }
    }
    String to = req.getTo().isEmpty() ? null : checkedPath("to", req.getTo());
    Map<String, List<VolumeTarget>> parts = new TreeMap<>();
    for (MemberRecord m : g.getMembersList()) {
      String key = m.getAgentId() + ":" + m.getVolume();
      String target = overrides.containsKey(key) ? overrides.get(key)
          : to == null ? "" : Path.of(to).resolve(m.getAgentId()).resolve(m.getVolume()).toString();
      parts.computeIfAbsent(m.getAgentId(), a -> new ArrayList<>())
          .add(VolumeTarget.newBuilder().setVolume(m.getVolume()).setTarget(target).build());
    }
    return parts;
  }

  /** An absolute path without {@code .} or {@code ..}, else IllegalArgumentException naming the field. */
  static String checkedPath(String field, String value) {
    Path p;
    try {
      p = Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(field + ": not a valid path");
    }
    if (!p.isAbsolute()) {
      throw new IllegalArgumentException(field + ": " + value + " is not an absolute path");
    }
    for (Path n : p) {
      if (n.toString().equals("..") || n.toString().equals(".")) {
        throw new IllegalArgumentException(field + ": " + value + " contains '" + n + "'");
      }
    }
    return p.toString();
  }

  /** One call per agent, in parallel; completes with every agent's answer. */
  private CompletableFuture<Map<String, RestoreClient.Answer>> round(String id, long epoch, String restoreId,
      Map<String, List<VolumeTarget>> parts, boolean dryRun, boolean verify, boolean keepScratch) {
    Map<String, CompletableFuture<RestoreClient.Answer>> calls = new TreeMap<>();
    parts.forEach((agent, volumes) -> calls.put(agent, client.start(agent,
        new RestoreClient.Order(clusterId, epoch, id, restoreId, volumes, dryRun, verify, keepScratch))));
    return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(x -> {
      Map<String, RestoreClient.Answer> out = new TreeMap<>();
      calls.forEach((agent, f) -> out.put(agent, f.join()));
      return out;
    });
  }

  /** Polls one agent until none of its volumes runs; {@code reachedAt} is when it last answered (nanoTime). */
  private CompletableFuture<List<MemberRestore>> follow(String agent, String restoreId, List<MemberRestore> last,
      long reachedAt) {
    if (last.stream().noneMatch(m -> m.getState() == RestoreState.RESTORE_RUNNING)) {
      return CompletableFuture.completedFuture(last);
    }
    Executor later = CompletableFuture.delayedExecutor(pollEvery.toMillis(), TimeUnit.MILLISECONDS, executor);
    return CompletableFuture.supplyAsync(() -> null, later).thenCompose(x -> client.get(agent, restoreId))
        .thenCompose(a -> switch (a.kind()) {
          case ANSWERED -> follow(agent, restoreId, a.volumes(), System.nanoTime());
          case UNREACHABLE -> System.nanoTime() - reachedAt > unreachableFor.toNanos()
              ? CompletableFuture.completedFuture(failRunning(last, a.reason()))
              : follow(agent, restoreId, last, reachedAt);
          case UNKNOWN_RESTORE -> CompletableFuture.completedFuture(failRunning(last,
              "agent " + agent + " no longer knows the restore (restarted?)"));
          case REFUSED -> CompletableFuture.completedFuture(failRunning(last, a.reason()));
        });
  }

  private static List<MemberRestore> failRunning(List<MemberRestore> last, String why) {
    return last.stream().map(m -> m.getState() == RestoreState.RESTORE_RUNNING
        ? m.toBuilder().setState(RestoreState.RESTORE_FAILED).setError(why).build() : m).toList();
  }

  private static List<MemberRestore> failed(String agent, List<VolumeTarget> volumes, String why) {
    return volumes.stream().map(v -> MemberRestore.newBuilder().setAgentId(agent).setVolume(v.getVolume())
        .setPath(v.getTarget()).setState(RestoreState.RESTORE_FAILED).setError(why).build()).toList();
  }
}
