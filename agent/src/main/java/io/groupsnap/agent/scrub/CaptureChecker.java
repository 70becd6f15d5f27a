package io.groupsnap.agent.scrub;

import io.groupsnap.agent.manifest.ManifestSource;
import io.groupsnap.agent.snapshot.ManifestDraft;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's side of the scrub: says whether its captures of a committed group snapshot are still on their storage
 * and unchanged since they were fingerprinted, and records those fingerprints in the background after each commit.
 *
 * <p>Nothing here runs inside a freeze window: a walk over a capture asks {@code busy} (true from a PREPARE until its
 * transaction has ended on this agent) before every entry and after every MiB it reads, and gives up when it is — a
 * check then reports {@code CAPTURE_UNCHECKED}, and a background fingerprint is retried on the next pass. Captures are
 * found through their volume's kind ({@link Volume#locate}); kinds whose captures are not file trees are checked for
 * presence only. A fingerprint, once recorded, is never replaced (only completed by a checksum it lacked), so a later
 * change cannot become the reference. Only KEPT captures get one. With each fingerprint of a file tree goes the
 * capture's file manifest, written in the same walk ({@link CaptureWalk}): every entry's path, type and size, and
 * its SHA-256 when the fingerprint has a checksum. A capture that has one is compared with it entry by entry, so an
 * altered capture is reported by the paths that differ; one without (recorded before manifests) by its counts.
 *
 * <p>Thread-safe: checks run on the callers' threads, background passes on the executor given to {@link #start}.
 */
public final class CaptureChecker {
  private static final Logger log = LoggerFactory.getLogger(CaptureChecker.class);

  private final String agentId;
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final SnapshotCatalog catalog;
  private final EpochFence fence;
  private final BooleanSupplier busy;
  private final boolean checksumAfterCommit;
  private final Clock clock;
  private final AtomicBoolean passQueued = new AtomicBoolean();
  private volatile ScheduledExecutorService background;

  /**
   * @param busy true while a transaction is in progress on this agent (nothing may compete with its freeze window)
   * @param checksumAfterCommit whether background fingerprints include a SHA-256 of the contents (reads every byte)
   */
  public CaptureChecker(String agentId, List<Volume> volumes, SnapshotCatalog catalog, EpochFence fence,
      BooleanSupplier busy, boolean checksumAfterCommit, Clock clock) {
    this.agentId = agentId;
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.catalog = catalog;
    this.fence = fence;
    this.busy = busy;
    this.checksumAfterCommit = checksumAfterCommit;
    this.clock = clock;
  }

  /** Fingerprints kept captures that have none now and then every {@code every}, on {@code executor}. */
  public void start(ScheduledExecutorService executor, Duration every) {
    this.background = executor;
    executor.scheduleWithFixedDelay(this::passQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A group snapshot was committed here: fingerprint its captures soon (after the COMMIT was answered). */
  public void committed(String groupSnapshotId) {
    ScheduledExecutorService executor = background;
    if (executor != null && passQueued.compareAndSet(false, true)) {
      try {
        executor.execute(this::passQuietly);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        passQueued.set(false); // shutting down
      }
    }
  }

  private void passQuietly() {
    passQueued.set(false);
    try {
      fingerprintKept();
    } catch (Exception e) {
      log.warn("could not fingerprint captures: {}", e.toString());
    }
  }

  /**
   * Records a fingerprint for every kept capture that has none; stops early when a transaction starts (the next pass
   * goes on). Returns how many were recorded.
   */
  public int fingerprintKept() throws IOException {
    int n = 0;
    for (LocalSnapshot s : catalog.list("")) {
      if (s.getState() != LocalSnapshotState.LOCAL_KEPT || s.hasFingerprint()) {
        continue;
      }
      if (busy.getAsBoolean()) {
        return n;
      }
      Volume v = volumes.get(s.getVolume());
      try {
        Volume.Located where = v == null ? Volume.Located.MISSING : v.locate(Path.of(s.getPath()));
        if (!where.present()) {
          continue; // nothing to fingerprint: a check will report it missing
        }
        if (where.tree() == null) {
          CaptureFingerprint fp = CaptureFingerprint.newBuilder().setPresenceOnly(true)
              .setRecordedAtMillis(clock.millis()).build();
          n += catalog.setFingerprint(s.getGroupSnapshotId(), s.getVolume(), CaptureFingerprint.getDefaultInstance(),
              fp) ? 1 : 0;
          continue;
        }
        try (ManifestDraft draft = catalog.draftManifest();
            CaptureWalk walk = CaptureWalk.run(where.tree(), checksumAfterCommit, busy, clock.millis(), null, null,
                draft)) {
          n += catalog.setFingerprint(s.getGroupSnapshotId(), s.getVolume(), CaptureFingerprint.getDefaultInstance(),
              walk.found(), walk.manifestFor(walk.found())) ? 1 : 0;
        }
      } catch (TreeFingerprint.Stopped e) {
        return n;
      } catch (IOException e) {
        log.warn("cannot fingerprint capture {} of volume {}: {}", s.getPath(), s.getVolume(), e.getMessage());
      }
    }
    return n;
  }

  /**
   * Checks this agent's captures of one group snapshot.
   *
   * @param volumeNames the volumes the coordinator's record names for this agent; empty: every one recorded here
   * @param checksum also compare contents where a checksum was recorded, and record one where none was
   * @param cancelled true once the caller has gone away (its deadline passed)
   * @return one finding per volume, in the order asked
   * @throws FencedException for another cluster or a stale epoch
   */
  public List<CaptureCheck> check(TxnRef ref, List<String> volumeNames, boolean checksum, BooleanSupplier cancelled)
      throws FencedException, IOException {
    fence.admit(ref);
    String id = Names.require("group snapshot id", ref.txnId());
    if (busy.getAsBoolean()) {
      // not even the catalog is read while a transaction is in progress
      List<CaptureCheck> deferred = new ArrayList<>();
      for (String name : volumeNames) {
        CaptureCheck.Builder b = CaptureCheck.newBuilder().setAgentId(agentId).setVolume(name);
        stopped(b, cancelled);
        deferred.add(b.setCheckedAtMillis(clock.millis()).build());
      }
      return deferred;
    }
    Map<String, LocalSnapshot> recorded = new LinkedHashMap<>();
    catalog.list(id).forEach(s -> recorded.put(s.getVolume(), s));
    List<String> names = volumeNames.isEmpty() ? List.copyOf(recorded.keySet()) : volumeNames;
    List<CaptureCheck> out = new ArrayList<>();
    for (String name : names) {
      CaptureCheck.Builder b = CaptureCheck.newBuilder().setAgentId(agentId).setVolume(name);
      checkOne(recorded.get(name), name, checksum, cancelled, b);
      out.add(b.setCheckedAtMillis(clock.millis()).build());
    }
    return out;
  }

  private void checkOne(LocalSnapshot entry, String name, boolean checksum, BooleanSupplier cancelled,
      CaptureCheck.Builder b) throws IOException {
    if (entry == null) {
      answer(b, CaptureCondition.CAPTURE_MISSING, CheckDepth.CHECK_DEPTH_PRESENCE,
          "agent " + agentId + " keeps no capture of volume " + Names.printable(name) + " for this group snapshot");
      return;
    }
    Volume v = volumes.get(name);
    if (v == null) {
      answer(b, CaptureCondition.CAPTURE_UNCHECKED, CheckDepth.CHECK_DEPTH_UNSPECIFIED, "volume " + name
          + " is no longer configured on agent " + agentId + "; its capture " + entry.getPath() + " cannot be checked");
      return;
    }
    BooleanSupplier stop = () -> busy.getAsBoolean() || cancelled.getAsBoolean();
    if (stop.getAsBoolean()) {
      stopped(b, cancelled);
      return;
    }
    Volume.Located where;
    try {
      where = v.locate(Path.of(entry.getPath()));
    } catch (IOException e) {
      answer(b, CaptureCondition.CAPTURE_UNCHECKED, CheckDepth.CHECK_DEPTH_UNSPECIFIED,
          "cannot look for the captures of volume " + name + ": " + e.getMessage());
      return;
    }
    if (!where.present()) {
      answer(b, CaptureCondition.CAPTURE_MISSING, CheckDepth.CHECK_DEPTH_PRESENCE,
          "capture " + entry.getPath() + " is gone from volume " + name + "'s storage");
      return;
    }
    if (where.tree() == null) {
      answer(b, CaptureCondition.CAPTURE_PRESENT, CheckDepth.CHECK_DEPTH_PRESENCE,
          "a " + v.kind() + " capture: only its presence can be checked");
      return;
    }
    CaptureFingerprint before = entry.getFingerprint();
    boolean hadOne = entry.hasFingerprint() && !before.getPresenceOnly();
    boolean content = checksum || (!hadOne && checksumAfterCommit);
    // a manifest is written only when this check may record a fingerprint: the first, or a checksum completing one
    boolean mayRecord = entry.getState() == LocalSnapshotState.LOCAL_KEPT
        && (!hadOne || checksum && before.getSha256().isEmpty());
    ManifestSource recorded = !hadOne ? null
        : () -> catalog.openManifest(entry.getGroupSnapshotId(), entry.getVolume()).orElse(null);
    try (ManifestDraft draft = mayRecord ? catalog.draftManifest() : null;
        CaptureWalk walk = CaptureWalk.run(where.tree(), content, stop, clock.millis(), recorded, before, draft)) {
      compare(entry, hadOne, walk, checksum, b);
    } catch (TreeFingerprint.Stopped e) {
      stopped(b, cancelled);
    } catch (IOException e) {
      answer(b, CaptureCondition.CAPTURE_UNCHECKED, CheckDepth.CHECK_DEPTH_UNSPECIFIED,
          "cannot read capture " + entry.getPath() + ": " + e.getMessage());
    }
  }

  private void compare(LocalSnapshot entry, boolean hadOne, CaptureWalk walk, boolean checksum,
      CaptureCheck.Builder b) throws IOException {
    boolean kept = entry.getState() == LocalSnapshotState.LOCAL_KEPT;
    CaptureFingerprint found = walk.found();
    if (!hadOne) {
      boolean recorded = kept && catalog.setFingerprint(entry.getGroupSnapshotId(), entry.getVolume(),
          entry.getFingerprint(), found, walk.manifestFor(found));
      answer(b, CaptureCondition.CAPTURE_UNVERIFIED, CheckDepth.CHECK_DEPTH_PRESENCE,
          "no fingerprint had been recorded to compare with" + (recorded ? "; recorded one now" : ""));
      return;
    }
    CaptureFingerprint before = entry.getFingerprint();
    String difference = walk.difference(before);
    if (difference != null) {
      answer(b, CaptureCondition.CAPTURE_ALTERED, before.getSha256().isEmpty() || !checksum
          ? CheckDepth.CHECK_DEPTH_COUNTS : CheckDepth.CHECK_DEPTH_CONTENT, difference);
      return;
    }
    if (checksum && before.getSha256().isEmpty()) {
      CaptureFingerprint next = before.toBuilder().setSha256(found.getSha256()).build();
      boolean recorded = kept && catalog.setFingerprint(entry.getGroupSnapshotId(), entry.getVolume(), before,
          next, walk.manifestFor(next));
      answer(b, CaptureCondition.CAPTURE_PRESENT, CheckDepth.CHECK_DEPTH_COUNTS, "no checksum had been recorded"
          + (recorded ? "; recorded one now, compared from the next check with a checksum on" : ""));
      return;
    }
    answer(b, CaptureCondition.CAPTURE_PRESENT, checksum ? CheckDepth.CHECK_DEPTH_CONTENT
        : CheckDepth.CHECK_DEPTH_COUNTS, "");
  }

  private void stopped(CaptureCheck.Builder b, BooleanSupplier cancelled) {
    answer(b, CaptureCondition.CAPTURE_UNCHECKED, CheckDepth.CHECK_DEPTH_UNSPECIFIED, cancelled.getAsBoolean()
        ? "the check was cancelled (its deadline passed)"
        : "deferred: a group snapshot is in progress on agent " + agentId);
  }

  private static void answer(CaptureCheck.Builder b, CaptureCondition c, CheckDepth depth, String detail) {
    b.setCondition(c).setDepth(depth).setDetail(detail);
  }
}
