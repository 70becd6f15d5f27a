package io.groupsnap.agent.restore;

import io.groupsnap.agent.export.ExportException;
import io.groupsnap.agent.export.ExportTarget;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.common.Daemons;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final Map<String, ExportTarget> exportTargets = new LinkedHashMap<>();
  private final SnapshotCatalog catalog;
  private final EpochFence fence;
  private final RestoreTargets targets;
  private final FreeSpace freeSpace;
  private final Clock clock;
  private final ExecutorService workers;
  private final RestoredCheck checks;
  /** Restores by id, oldest first; guarded by {@code this}. */
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  /** Discards kept scratch whose keep limit passed. */
  private final ScheduledExecutorService expiry;
  private final Duration keepScratchFor;
  /** How long a kept test restore copy waits for DiscardRestore before it is removed anyway. */
  public static final Duration DEFAULT_KEEP_SCRATCH_FOR = Duration.ofHours(1);
  /** Targets and (group snapshot, volume) pairs being restored now; guarded by {@code this}. */
  private final Set<Path> busyTargets = new HashSet<>();
  private final Set<String> busyCaptures = new HashSet<>();

  private static final class Job {
    final String groupSnapshotId;
    final boolean verify;
    final boolean keepScratch;
    final Map<String, MemberRestore> volumes = new TreeMap<>();
    /** Kept scratch copies by volume (their targets); guarded by the manager. */
    final Map<String, Path> kept = new TreeMap<>();
    /** Discarded: a copy finishing from now on is removed at once. */
    boolean discarded;

    Job(String groupSnapshotId, boolean verify, boolean keepScratch) {
      this.groupSnapshotId = groupSnapshotId;
      this.verify = verify;
      this.keepScratch = keepScratch;
    }
  }

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
    this.checks = checks;
    exportTargets.forEach(t -> this.exportTargets.put(t.name(), t));
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.catalog = catalog;
    this.fence = fence;
    this.targets = targets;
    this.freeSpace = freeSpace;
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
      Job known = jobs.get(restoreId);
      if (known != null) {
        if (!known.groupSnapshotId.equals(ref.txnId())) {
          throw new RestoreRefusedException("restore " + restoreId + " restores group snapshot "
              + known.groupSnapshotId + " on agent " + agentId + ", not " + ref.txnId());
        }
        return List.copyOf(known.volumes.values());
      }
    }
    List<RestorePlan> plans = plan(ref.txnId(), asked, (t, volume) -> {
      String v = volume.name();
      String raw = t.getTarget().isEmpty() ? (verify ? targets.scratchTarget(restoreId, v)
          : targets.defaultTarget(ref.txnId(), v)).toString() : t.getTarget();
      try {
        return targets.check(raw);
      } catch (RestoreRefusedException e) {
        throw new RestoreRefusedException("volume " + v + ": " + e.getMessage());
      }
    });
    checkRoom(plans);
    List<MemberRestore> out = new ArrayList<>();
    synchronized (this) {
      for (RestorePlan p : plans) {
        for (Path busy : busyTargets) {
          if (busy.startsWith(p.target()) || p.target().startsWith(busy)) {
            throw new RestoreRefusedException("volume " + p.volume() + ": target " + p.target()
                + " is in use by another restore");
          }
        }
        if (busyCaptures.contains(ref.txnId() + "/" + p.volume())) {
          throw new RestoreRefusedException("volume " + p.volume() + " of group snapshot " + ref.txnId()
              + " is being restored by another restore");
        }
      }
      Job job = new Job(ref.txnId(), verify, keepScratch);
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
        busyCaptures.add(ref.txnId() + "/" + p.volume());
      }
      jobs.put(restoreId, job);
      forgetOldest();
    }
    for (RestorePlan p : plans) {
      workers.execute(() -> run(restoreId, ref.txnId(), p));
    }
    return out;
  }

  /** GetRestore: the restore's volumes on this agent; empty when it knows no such restore. */
  public synchronized Optional<List<MemberRestore>> status(String restoreId) {
    Job job = jobs.get(restoreId);
    return job == null ? Optional.empty() : Optional.of(List.copyOf(job.volumes.values()));
  }

  /** Where one asked volume is materialized, checked: a refusal names the volume. */
  @FunctionalInterface
  interface TargetChoice {
    Path target(VolumeTarget asked, Volume volume) throws RestoreRefusedException;
  }

  /**
   * Checks every asked volume (its capture is kept here or an export of it is named, it is configured, its target as
   * {@code choice} decides it, no two targets overlap, the kind can restore it) and says how each is restored; writes
   * nothing. Shared with in-place restores, whose targets are beside the live data.
   *
   * @param asked empty: every volume captured here
   */
  List<RestorePlan> plan(String groupSnapshotId, List<VolumeTarget> asked, TargetChoice choice)
      throws RestoreRefusedException, IOException {
    Map<String, LocalSnapshot> kept = new TreeMap<>();
    catalog.list(groupSnapshotId).forEach(s -> kept.put(s.getVolume(), s));
    if (kept.isEmpty() && asked.stream().allMatch(t -> t.getExportTarget().isEmpty())) {
      throw new RestoreRefusedException("agent " + agentId + " keeps no capture of group snapshot "
          + groupSnapshotId);
    }
    List<VolumeTarget> wanted = asked.isEmpty()
        ? kept.keySet().stream().map(v -> VolumeTarget.newBuilder().setVolume(v).build()).toList() : asked;
    List<RestorePlan> plans = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (VolumeTarget t : wanted) {
      String v = t.getVolume();
      if (!seen.add(v)) {
        throw new RestoreRefusedException("volume " + v + " is asked for twice");
      }
      LocalSnapshot s = kept.get(v);
      if (s != null && s.getState() != LocalSnapshotState.LOCAL_KEPT) {
        throw new RestoreRefusedException("group snapshot " + groupSnapshotId + " is not committed on agent "
            + agentId + ": only kept captures are restored");
      }
      Volume volume = volumes.get(v);
      boolean local = s != null && volume != null && present(volume, s);
      if (!local && t.getExportTarget().isEmpty()) {
        throw new RestoreRefusedException("agent " + agentId + " keeps no capture of volume " + v
            + " of group snapshot " + groupSnapshotId + (s == null ? "" : " (it is gone from the volume)")
            + " and no export of it is known");
      }
      if (volume == null) {
        throw new RestoreRefusedException("volume " + v + " is no longer configured on agent " + agentId);
      }
      Path target = choice.target(t, volume);
      for (RestorePlan other : plans) {
        if (other.target().startsWith(target) || target.startsWith(other.target())) {
          throw new RestoreRefusedException("volume " + v + ": target " + target + " overlaps the target of volume "
              + other.volume());
        }
      }
      try {
        plans.add(local ? new RestorePlan(v, volume.kind(), Path.of(s.getPath()), target,
            volume.restorer(Path.of(s.getPath()), target))
            : new RestorePlan(v, volume.kind(), null, target, fromExport(v, t)));
      } catch (VolumeException | ExportException e) {
        throw new RestoreRefusedException("volume " + v + ": " + e.getMessage());
      }
    }
    return plans;
  }

  /** Whether the kept capture is still on its volume's storage (a tool failure counts as present: try it). */
  private static boolean present(Volume volume, LocalSnapshot s) {
    try {
      return volume.locate(Path.of(s.getPath())).present();
    } catch (IOException e) {
      return true;
    }
  }

  /** The export of a volume whose local capture is gone, as the leader named it. */
  private Restorer fromExport(String volume, VolumeTarget t) throws RestoreRefusedException, ExportException {
    ExportTarget target = exportTargets.get(t.getExportTarget());
    if (target == null) {
      throw new RestoreRefusedException("volume " + volume + ": the local capture is gone and export target "
          + t.getExportTarget() + " is not configured on agent " + agentId);
    }
    return target.restorer(t.getRepositorySnapshotId(), t.getExportBytes());
  }

  /** Each file system the targets lie on must have room for everything written there. */
  void checkRoom(List<RestorePlan> plans) throws RestoreRefusedException {
    Map<Long, Long> need = new HashMap<>();
    Map<Long, Path> where = new HashMap<>();
    for (RestorePlan p : plans) {
      Path dir = existingAncestor(p.target());
      try {
        long device = CaptureTree.device(dir);
        need.merge(device, p.restorer().bytesNeeded(), Long::sum);
        where.putIfAbsent(device, dir);
      } catch (IOException | UncheckedIOException e) {
        throw new RestoreRefusedException("volume " + p.volume() + ": cannot examine " + dir + ": " + e.getMessage());
      }
    }
    for (Map.Entry<Long, Long> e : need.entrySet()) {
      Path dir = where.get(e.getKey());
      long free;
      try {
        free = freeSpace.usable(dir);
      } catch (IOException ex) {
        throw new RestoreRefusedException("cannot read the free space at " + dir + ": " + ex.getMessage());
      }
      if (e.getValue() > free) {
        throw new RestoreRefusedException("not enough space: the restore needs " + e.getValue() + " bytes on the file"
            + " system of " + dir + ", which has " + free + " free");
      }
    }
  }

  private static Path existingAncestor(Path p) {
    Path d = p;
    while (d != null && !Files.exists(d)) {
      d = d.getParent();
    }
    return d == null ? p.getRoot() : d;
  }

  private void run(String restoreId, String groupSnapshotId, RestorePlan p) {
    long t0 = System.nanoTime();
    Path target = p.target();
    Path staging = TestScratch.staging(target);
    MemberRestore.Builder m;
    Job job;
    synchronized (this) {
      job = jobs.get(restoreId);
      m = job.volumes.get(p.volume()).toBuilder();
    }
    try {
      Files.createDirectories(target.getParent());
      boolean direct = p.restorer().atTarget();
      CaptureTree.delete(staging); // a killed restore's leftover
      String method = p.restorer().materialize(direct ? removeEmpty(target) : staging);
      if (!direct) {
        removeEmpty(target);
        try {
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(staging, target);
        }
      }
      long bytes = p.restorer().bytes() >= 0 ? p.restorer().bytes() : CaptureTree.size(target, null);
      m.setMethod(method).setBytes(bytes).setState(RestoreState.RESTORE_DONE);
      log.info("agent {}: restored volume {} of group snapshot {} at {} ({}, {} bytes)", agentId, p.volume(),
          groupSnapshotId, target, method, bytes);
    } catch (VolumeException | IOException | RuntimeException e) {
      m.setState(RestoreState.RESTORE_FAILED).setError(oneLine(e.getMessage()));
      log.warn("agent {}: restore of volume {} of group snapshot {} at {} failed: {}", agentId, p.volume(),
          groupSnapshotId, target, e.getMessage());
      try {
        CaptureTree.delete(staging);
      } catch (IOException ignored) {
        // the next restore to this target removes it
      }
    }
    if (job.verify) {
      verify(groupSnapshotId, p, m);
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
      Job job = jobs.get(restoreId);
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
      Job job = jobs.get(restoreId);
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

  /** A test restore's second half: checks the restored copy (when it was restored). */
  private void verify(String groupSnapshotId, RestorePlan p, MemberRestore.Builder m) {
    try {
      if (m.getState() == RestoreState.RESTORE_DONE) {
        RestoredCheck.Verdict v = checks.check(p.volume(), p.target(), recordedFingerprint(groupSnapshotId,
            p.volume()), () -> Thread.currentThread().isInterrupted());
        m.setVerification(v.ok() ? Verification.VERIFIED : Verification.VERIFICATION_FAILED)
            .setVerificationReason(oneLine(v.reason())).setVerifyOutputTail(v.outputTail());
        log.info("agent {}: test restore of volume {} of group snapshot {}: {} ({})", agentId, p.volume(),
            groupSnapshotId, v.ok() ? "VERIFIED" : "FAILED", v.reason());
      } else {
        m.setVerification(Verification.VERIFICATION_FAILED).setVerificationReason("the restore failed: "
            + m.getError());
      }
    } catch (RuntimeException e) {
      m.setVerification(Verification.VERIFICATION_FAILED).setVerificationReason("the check failed: "
          + oneLine(e.toString()));
    }
  }

  private io.groupsnap.proto.v1.CaptureFingerprint recordedFingerprint(String groupSnapshotId, String volume) {
    try {
      return catalog.list(groupSnapshotId).stream().filter(s -> s.getVolume().equals(volume) && s.hasFingerprint())
          .map(LocalSnapshot::getFingerprint).findFirst().orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /** Deletes {@code target} when it is an empty directory (checked empty before), so that it can be created anew. */
  private static Path removeEmpty(Path target) throws IOException {
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(target); // fails when something appeared in it since the check: nothing is overwritten
    }
    return target;
  }

  static String oneLine(String s) {
    return s == null ? "failed" : s.replace('\n', ' ').strip();
  }

  private void forgetOldest() {
    var it = jobs.entrySet().iterator();
    while (jobs.size() > KEPT_FINISHED && it.hasNext()) {
      Job j = it.next().getValue();
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
