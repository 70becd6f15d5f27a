package io.groupsnap.agent.restore;

import io.groupsnap.agent.export.ExportTarget;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.common.Daemons;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materializes this agent's kept captures at new places, in the background: StartRestore checks and queues, GetRestore
 * answers how far each volume got. Asynchronous rather than one long call because a copy of a large volume takes
 * minutes to hours, longer than any sensible call deadline, and the coordinator polls many agents at once; the same
 * shape as exports ({@code ExportManager}), so the leader's code for both is alike.
 *
 * <p>Everything is checked for every asked volume before anything is written ({@link #start}): the request is fenced
 * by epoch, the capture is one this agent keeps (its group snapshot committed here), the target is allowed
 * ({@link RestoreTargets}), the kind can restore it ({@link Volume#restorer}), no other restore uses the same target or
 * volume capture, and each file system the targets lie on has room for what will be written there. A dry run stops
 * after the checks. A tree is materialized beside its target ({@code .<name>.restoring}) and renamed into place when
 * complete, so a target never holds half a restore; a restorer that makes a mount (a ZFS clone, an LVM overlay) or runs
 * a command works at the target itself ({@link Restorer#atTarget}) and undoes its own failures. The capture is only
 * read. The staging of an in-place restore and a test restore's scratch copy are this same operation with other
 * targets.
 *
 * <p>A test restore ({@code verify}) restores each volume to scratch space ({@link RestoreTargets#scratchTarget}),
 * checks the copy ({@link RestoredCheck}) and removes the scratch space again as its kind made it
 * ({@link Volume#removeRestored}), whatever the outcome; the volume stays RUNNING until its verdict is in and its
 * scratch gone. With {@code keepScratch} (the leader runs a group check over every member's copy) a checked copy is
 * kept instead, DONE with its verdict and {@code scratch_removed} false, until {@link #discard} or until it has been
 * kept {@code keepScratchFor} (the leader may have died meanwhile).
 *
 * <p>Restores are kept in memory only: an agent killed mid-restore leaves a {@code .restoring} directory, which the
 * next restore to that target removes, and the coordinator sees the restore unknown; test restores' scratch left by a
 * killed agent is removed when the next agent starts. Thread-safe.
 *
 * <p>This class admits, schedules and remembers restores; the checks and plan are {@link RestorePlanner}'s, the
 * writing of a tree {@link Materializer}'s, a test restore's verdict {@link TestRestoreVerdict}'s and the removal of
 * its scratch {@link TestScratch}'s.
 */
public final class RestoreManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestoreManager.class);
  /** Finished restores remembered for GetRestore. */
  static final int KEPT_FINISHED = 200;

  /** The usable bytes of the file system a directory is on (a port, so a test can make one full). */
  @FunctionalInterface
  public interface FreeSpace {
    FreeSpace SYSTEM = dir -> Files.getFileStore(dir).getUsableSpace();

    long usable(Path existingDir) throws IOException;
  }

  private final String agentId;
  private final EpochFence fence;
  private final RestoreTargets targets;
  private final RestorePlanner planner;
  /** This agent's volumes by name: a test restore's copy is removed by its kind ({@link Volume#removeRestored}). */
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final Materializer materializer;
  private final TestRestoreVerdict verdict;
  private final Clock clock;
  private final ExecutorService workers;
  /** Restores by id, oldest first; guarded by {@code this}. */
  private final Map<String, RestoreJob> jobs = new LinkedHashMap<>();
  /** Discards kept scratch whose keep limit passed. */
  private final ScheduledExecutorService expiry;
  private final Duration keepScratchFor;
  /** How long a kept test restore copy waits for DiscardRestore before it is removed anyway. */
  public static final Duration DEFAULT_KEEP_SCRATCH_FOR = Duration.ofHours(1);
  /** Targets and (group snapshot, volume) pairs being restored now; guarded by {@code this}. */
  private final Set<Path> busyTargets = new HashSet<>();
  private final Set<String> busyCaptures = new HashSet<>();

  public RestoreManager(String agentId, List<Volume> volumes, SnapshotCatalog catalog, EpochFence fence,
      RestoreTargets targets, FreeSpace freeSpace, int concurrency, Clock clock) {
    this(agentId, volumes, List.of(), catalog, fence, targets, freeSpace, concurrency, clock);
  }

  /** @param exportTargets where captures were exported, to restore from when a local capture is gone */
  public RestoreManager(String agentId, List<Volume> volumes, List<ExportTarget> exportTargets,
      SnapshotCatalog catalog, EpochFence fence, RestoreTargets targets, FreeSpace freeSpace, int concurrency,
      Clock clock) {
    this(agentId, volumes, exportTargets, catalog, fence, targets, freeSpace, concurrency, clock,
        RestoredCheck.filesOnly());
  }

  /** @param checks what a test restore checks of each restored copy (the volumes' verify commands) */
  public RestoreManager(String agentId, List<Volume> volumes, List<ExportTarget> exportTargets,
      SnapshotCatalog catalog, EpochFence fence, RestoreTargets targets, FreeSpace freeSpace, int concurrency,
      Clock clock, RestoredCheck checks) {
    this(agentId, volumes, exportTargets, catalog, fence, targets, freeSpace, concurrency, clock, checks,
        DEFAULT_KEEP_SCRATCH_FOR);
  }

  /** @param keepScratchFor how long a test restore's kept scratch waits for {@link #discard} before it is removed */
  public RestoreManager(String agentId, List<Volume> volumes, List<ExportTarget> exportTargets,
      SnapshotCatalog catalog, EpochFence fence, RestoreTargets targets, FreeSpace freeSpace, int concurrency,
      Clock clock, RestoredCheck checks, Duration keepScratchFor) {
    if (keepScratchFor.isZero() || keepScratchFor.isNegative()) {
      throw new IllegalArgumentException("keepScratchFor must be positive, not " + keepScratchFor);
    }
    this.keepScratchFor = keepScratchFor;
    this.expiry = Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-scratch-" + agentId));
    this.agentId = agentId;
    this.planner = new RestorePlanner(agentId, volumes, exportTargets, catalog, freeSpace);
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.materializer = new Materializer(agentId);
    this.verdict = new TestRestoreVerdict(agentId, catalog, checks);
    this.fence = fence;
    this.targets = targets;
    this.clock = clock;
    this.workers = Executors.newFixedThreadPool(concurrency, Daemons.named("groupsnap-restore-" + agentId));
    TestScratch.removeLeftovers(agentId, targets.roots().get(0), this.volumes);
  }

  /**
   * StartRestore: checks every asked volume, then (unless {@code dryRun}) starts materializing each.
   *
   * @param asked the volumes and their targets (an empty target: the default); empty: every volume captured here
   * @return each volume's restore as it stands (CHECKED for a dry run)
   * @throws RestoreRefusedException naming the volume and why; nothing was written
   */
  public List<MemberRestore> start(TxnRef ref, String restoreId, List<VolumeTarget> asked, boolean dryRun)
      throws FencedException, RestoreRefusedException, IOException {
    return start(ref, restoreId, asked, dryRun, false);
  }

  /**
   * StartRestore, or with {@code verify} a test restore: every target must be empty (the scratch space is chosen
   * here), and each volume is checked and its scratch removed before it finishes.
   */
  public List<MemberRestore> start(TxnRef ref, String restoreId, List<VolumeTarget> asked, boolean dryRun,
      boolean verify) throws FencedException, RestoreRefusedException, IOException {
    return start(ref, restoreId, asked, dryRun, verify, false);
  }

  /**
   * A test restore whose checked copies are kept ({@code keepScratch}) until {@link #discard}, for the leader's group
   * check; {@code keepScratch} without {@code verify} is refused.
   */
  public List<MemberRestore> start(TxnRef ref, String restoreId, List<VolumeTarget> asked, boolean dryRun,
      boolean verify, boolean keepScratch) throws FencedException, RestoreRefusedException, IOException {
    fence.admit(ref);
    if (keepScratch && !verify) {
      throw new RestoreRefusedException("keep_scratch is only for a test restore (verify)");
    }
    if (verify) {
      for (VolumeTarget t : asked) {
        if (!t.getTarget().isEmpty()) {
          throw new RestoreRefusedException("volume " + t.getVolume() + ": a test restore chooses its own scratch"
              + " target; none may be given");
        }
      }
    }
    synchronized (this) {
      RestoreJob known = jobs.get(restoreId);
      if (known != null) {
        if (!known.groupSnapshotId.equals(ref.txnId())) {
          throw new RestoreRefusedException("restore " + restoreId + " restores group snapshot "
              + known.groupSnapshotId + " on agent " + agentId + ", not " + ref.txnId());
        }
        return List.copyOf(known.volumes.values());
      }
    }
    List<RestorePlan> plans = plan(ref.txnId(), asked,
        (t, volume) -> target(restoreId, ref.txnId(), verify, t, volume));
    checkRoom(plans);
    List<MemberRestore> out = admit(restoreId, ref.txnId(), plans, dryRun, verify, keepScratch);
    if (dryRun) {
      return out;
    }
    for (RestorePlan p : plans) {
      workers.execute(() -> run(restoreId, ref.txnId(), p));
    }
    return out;
  }

  /** Where a restore puts one volume: the asked target, or the default (a test restore: its scratch), checked. */
  private Path target(String restoreId, String groupSnapshotId, boolean verify, VolumeTarget t, Volume volume)
      throws RestoreRefusedException {
    String v = volume.name();
    String raw = t.getTarget().isEmpty() ? (verify ? targets.scratchTarget(restoreId, v)
        : targets.defaultTarget(groupSnapshotId, v)).toString() : t.getTarget();
    try {
      return targets.check(raw);
    } catch (RestoreRefusedException e) {
      throw new RestoreRefusedException("volume " + v + ": " + e.getMessage());
    }
  }

  /**
   * Refuses plans whose target or capture another restore is using, and (unless {@code dryRun}) remembers the restore
   * and marks its targets and captures busy, at once.
   *
   * @return each volume's restore as it starts (CHECKED for a dry run)
   */
  private synchronized List<MemberRestore> admit(String restoreId, String groupSnapshotId, List<RestorePlan> plans,
      boolean dryRun, boolean verify, boolean keepScratch) throws RestoreRefusedException {
    List<MemberRestore> out = new ArrayList<>();
    for (RestorePlan p : plans) {
      for (Path busy : busyTargets) {
        if (busy.startsWith(p.target()) || p.target().startsWith(busy)) {
          throw new RestoreRefusedException("volume " + p.volume() + ": target " + p.target()
              + " is in use by another restore");
        }
      }
      if (busyCaptures.contains(groupSnapshotId + "/" + p.volume())) {
        throw new RestoreRefusedException("volume " + p.volume() + " of group snapshot " + groupSnapshotId
            + " is being restored by another restore");
      }
    }
    RestoreJob job = new RestoreJob(groupSnapshotId, verify, keepScratch);
    long now = clock.millis();
    for (RestorePlan p : plans) {
      MemberRestore m = MemberRestore.newBuilder().setAgentId(agentId).setVolume(p.volume()).setKind(p.kind())
          .setMethod(p.restorer().method()).setPath(p.target().toString()).setBytes(Math.max(0, p.restorer()
              .bytes())).setState(dryRun ? RestoreState.RESTORE_CHECKED : RestoreState.RESTORE_RUNNING)
          .setStartedAtMillis(dryRun ? 0 : now).build();
      job.volumes.put(p.volume(), m);
      out.add(m);
    }
    if (dryRun) {
      return out;
    }
    for (RestorePlan p : plans) {
      busyTargets.add(p.target());
      busyCaptures.add(groupSnapshotId + "/" + p.volume());
    }
    jobs.put(restoreId, job);
    forgetOldest();
    return out;
  }

  /** GetRestore: the restore's volumes on this agent; empty when it knows no such restore. */
  public synchronized Optional<List<MemberRestore>> status(String restoreId) {
    RestoreJob job = jobs.get(restoreId);
    return job == null ? Optional.empty() : Optional.of(List.copyOf(job.volumes.values()));
  }

  /**
   * The checks and plan of a restore, writing nothing ({@link RestorePlanner#plan}); shared with in-place restores,
   * whose targets are beside the live data.
   */
  List<RestorePlan> plan(String groupSnapshotId, List<VolumeTarget> asked, RestorePlanner.TargetChoice choice)
      throws RestoreRefusedException, IOException {
    return planner.plan(groupSnapshotId, asked, choice);
  }

  /** As {@link #plan(String, List, RestorePlanner.TargetChoice)}; a kept capture is materialized as {@code restorers}
   * says. */
  List<RestorePlan> plan(String groupSnapshotId, List<VolumeTarget> asked, RestorePlanner.TargetChoice choice,
      RestorePlanner.RestorerChoice restorers) throws RestoreRefusedException, IOException {
    return planner.plan(groupSnapshotId, asked, choice, restorers);
  }

  /** Each file system the targets lie on must have room for everything written there. */
  void checkRoom(List<RestorePlan> plans) throws RestoreRefusedException {
    planner.checkRoom(plans);
  }

  private void run(String restoreId, String groupSnapshotId, RestorePlan p) {
    long t0 = System.nanoTime();
    Path target = p.target();
    Path staging = TestScratch.staging(target);
    MemberRestore.Builder m;
    RestoreJob job;
    synchronized (this) {
      job = jobs.get(restoreId);
      m = job.volumes.get(p.volume()).toBuilder();
    }
    materializer.materialize(groupSnapshotId, p, m);
    if (job.verify) {
      verdict.verify(groupSnapshotId, p, m);
    }
    boolean keep = false;
    synchronized (this) {
      if (job.verify && job.keepScratch && !job.discarded && m.getState() == RestoreState.RESTORE_DONE) {
        job.kept.put(p.volume(), target);
        keep = true;
      }
    }
    if (job.verify && !keep) {
      m.setScratchRemoved(TestScratch.remove(agentId, volumes.get(p.volume()), target, staging));
    }
    m.setDurationMillis((System.nanoTime() - t0) / 1_000_000);
    synchronized (this) {
      job.volumes.put(p.volume(), m.build());
      busyTargets.remove(target);
      busyCaptures.remove(groupSnapshotId + "/" + p.volume());
    }
    if (keep) {
      expiry.schedule(() -> expire(restoreId), keepScratchFor.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void expire(String restoreId) {
    if (discard(restoreId).map(v -> v.stream().anyMatch(MemberRestore::getScratchRemoved)).orElse(false)) {
      log.info("agent {}: test restore {}: kept scratch removed after {} without a discard", agentId, restoreId,
          keepScratchFor);
    }
  }

  /**
   * DiscardRestore: removes every copy a test restore kept (and any copy still being checked, once it finishes), and
   * answers the restore's volumes with {@code scratch_removed} set. Idempotent.
   *
   * @return empty when this agent knows no such restore
   */
  public Optional<List<MemberRestore>> discard(String restoreId) {
    Map<String, Path> kept;
    synchronized (this) {
      RestoreJob job = jobs.get(restoreId);
      if (job == null) {
        return Optional.empty();
      }
      job.discarded = true;
      kept = new TreeMap<>(job.kept);
      job.kept.clear();
    }
    Map<String, Boolean> removed = new TreeMap<>();
    kept.forEach((volume, target) -> removed.put(volume, TestScratch.remove(agentId, volumes.get(volume), target,
        TestScratch.staging(target))));
    synchronized (this) {
      RestoreJob job = jobs.get(restoreId);
      if (job != null) {
        removed.forEach((volume, gone) -> job.volumes.computeIfPresent(volume,
            (v, m) -> m.toBuilder().setScratchRemoved(gone).build()));
        removed.forEach((volume, gone) -> {
          if (!gone) {
            job.kept.put(volume, kept.get(volume)); // asked again, tried again
          }
        });
      }
      return status(restoreId);
    }
  }

  static String oneLine(String s) {
    return s == null ? "failed" : s.replace('\n', ' ').strip();
  }

  private void forgetOldest() {
    var it = jobs.entrySet().iterator();
    while (jobs.size() > KEPT_FINISHED && it.hasNext()) {
      RestoreJob j = it.next().getValue();
      if (j.kept.isEmpty()
          && j.volumes.values().stream().noneMatch(m -> m.getState() == RestoreState.RESTORE_RUNNING)) {
        it.remove();
      }
    }
  }

  @Override
  public void close() {
    expiry.shutdownNow();
    workers.shutdownNow();
  }
}
