package io.groupsnap.agent.export;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.common.Daemons;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.StartExportRequest;
import io.groupsnap.proto.v1.TxnHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this agent's exports in the background, at most {@code concurrency} at once, and answers their state at any
 * time.
 *
 * <p>Only captures this agent keeps (their group snapshot was committed here, catalog state KEPT) are exported, and
 * only when a fenced StartExport asks: nothing here is ever called from the freeze path, so an export never runs
 * inside the freeze window of its own group snapshot. StartExport is idempotent per (run, volume): a pending, running,
 * done or forgotten export is answered as it is; a failed one is started again (attempts + 1). Every change of state
 * is written to the {@link ExportJournal} before it is answered, and {@link #start} queues again what a killed agent
 * left pending or running. A capture deleted before its turn fails its export, saying so; the capture itself is never
 * touched here, whatever the outcome. Thread-safe.
 */
public final class ExportManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExportManager.class);

  /** Where a kept capture's files are; null when it is gone from its volume's storage. */
  @FunctionalInterface
  public interface CaptureLocator {
    /** By its catalog entry's path. */
    CaptureLocator BY_PATH = s -> Path.of(s.getPath()).toFile().exists() ? Path.of(s.getPath()) : null;

    Path locate(LocalSnapshot capture) throws IOException;

    /**
     * Through each capture's volume ({@link Volume#locate}): the directory its files are read from, or its location
     * when it is not a file tree (an exec target may still read it); by path when its volume is gone from the
     * configuration.
     */
    static CaptureLocator byVolumes(List<Volume> volumes) {
      Map<String, Volume> byName = new HashMap<>();
      volumes.forEach(v -> byName.put(v.name(), v));
      return s -> {
        Volume v = byName.get(s.getVolume());
        if (v == null) {
          return BY_PATH.locate(s);
        }
        Volume.Located where = v.locate(Path.of(s.getPath()));
        return !where.present() ? null : where.tree() != null ? where.tree() : Path.of(s.getPath());
      };
    }
  }

  /** Told of every export that ended (metrics). */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = (kind, state, bytes, millis) -> { };

    void ended(String kind, ExportState state, long bytes, long millis);
  }

  private final String agentId;
  private final Map<String, ExportTarget> targets = new LinkedHashMap<>();
  private final SnapshotCatalog catalog;
  private final CaptureLocator locator;
  private final EpochFence fence;
  private final ExportJournal journal;
  private final ToolLedger ledger;
  /** How long a predecessor's tool is given to end on SIGTERM (restic removes its lock) before SIGKILL. */
  static final java.time.Duration LEFTOVER_GRACE = java.time.Duration.ofSeconds(10);
  private final Clock clock;
  private final Map<String, ReadWriteLock> repositoryLocks =
      new ConcurrentHashMap<>();
  private final Listener listener;
  private final ExecutorService workers;
  /** Runs by id; guarded by {@code this}. */
  private final Map<String, Run> runs = new HashMap<>();

  /** A run's exports in memory: the journal's record plus live progress. */
  private static final class Run {
    StartExportRequest request;
    final Map<String, MemberExport> exports = new TreeMap<>();

    Run(StartExportRequest request) {
      this.request = request;
    }

    ExportJournal.RunExports record() {
      return new ExportJournal.RunExports(request, exports);
    }
  }

  /**
   * @param stateDir the agent's state directory: the journal goes to {@code <stateDir>/exports}
   * @param concurrency how many exports run at once
   */
  public ExportManager(String agentId, List<ExportTarget> targets, SnapshotCatalog catalog, CaptureLocator locator,
      EpochFence fence, Path stateDir, int concurrency, Clock clock, Listener listener) {
    this(agentId, targets, catalog, locator, fence, stateDir, concurrency, clock, listener, ToolLedger.NONE);
  }

  /**
   * @param ledger the tools the targets run, written down: {@link #start} stops those a killed predecessor left
   *     running before it resumes their exports
   */
  public ExportManager(String agentId, List<ExportTarget> targets, SnapshotCatalog catalog, CaptureLocator locator,
      EpochFence fence, Path stateDir, int concurrency, Clock clock, Listener listener, ToolLedger ledger) {
    this.agentId = agentId;
    this.ledger = ledger;
    targets.forEach(t -> this.targets.put(t.name(), t));
    this.catalog = catalog;
    this.locator = locator;
    this.fence = fence;
    this.journal = new ExportJournal(stateDir.resolve("exports"));
    this.clock = clock;
    this.listener = listener;
    this.workers = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), Daemons.named("groupsnap-export-" + agentId));
  }

  /**
   * Stops the tools a previous agent process left running ({@link ToolLedger}), then reads the journal and queues
   * again every export that process left pending or running; returns how many.
   */
  public synchronized int start() throws IOException {
    ledger.stopLeftovers(LEFTOVER_GRACE);
    int resumed = 0;
    for (ExportJournal.RunExports r : journal.load()) {
      Run run = new Run(r.request());
      run.exports.putAll(r.exports());
      runs.put(r.request().getRunId(), run);
      for (MemberExport e : r.exports().values()) {
        if (e.getState() == ExportState.EXPORT_RUNNING || e.getState() == ExportState.EXPORT_PENDING) {
          run.exports.put(e.getVolume(), e.toBuilder().setState(ExportState.EXPORT_PENDING).build());
          resumed++;
        }
      }
      journal.save(run.record());
      for (MemberExport e : run.exports.values()) {
        if (e.getState() == ExportState.EXPORT_PENDING) {
          log.info("agent {}: resuming export of volume {} for run {}", agentId, e.getVolume(), run.request
              .getRunId());
          submit(run.request.getRunId(), e.getVolume());
        }
      }
    }
    return resumed;
  }

  /** The targets, in configuration order. */
  public List<ExportTarget> targets() {
    return List.copyOf(targets.values());
  }

  /**
   * StartExport: queues the export of this agent's kept captures of {@code ref}'s group snapshot.
   *
   * @param volumes empty: every volume captured here
   * @return each asked volume's export as it stands
   * @throws ExportRefusedException when the target is unknown or a capture is not one this agent keeps
   */
  public List<MemberExport> startExport(TxnRef ref, String runId, String group, String target, List<String> volumes)
      throws FencedException, ExportRefusedException, IOException {
    fence.admit(ref);
    if (!targets.containsKey(target)) {
      throw new ExportRefusedException("agent " + agentId + " has no export target '" + target + "' (configured: "
          + (targets.isEmpty() ? "none" : String.join(", ", targets.keySet())) + ")");
    }
    Map<String, LocalSnapshot> kept = new TreeMap<>();
    catalog.list(ref.txnId()).forEach(s -> kept.put(s.getVolume(), s));
    if (kept.isEmpty()) {
      throw new ExportRefusedException("agent " + agentId + " keeps no capture of group snapshot " + ref.txnId());
    }
    List<String> asked = volumes.isEmpty() ? List.copyOf(kept.keySet()) : volumes;
    for (String v : asked) {
      LocalSnapshot s = kept.get(v);
      if (s == null) {
        throw new ExportRefusedException("agent " + agentId + " keeps no capture of volume " + v
            + " of group snapshot " + ref.txnId());
      }
      if (s.getState() != LocalSnapshotState.LOCAL_KEPT) {
        throw new ExportRefusedException("group snapshot " + ref.txnId() + " is not committed on agent " + agentId
            + ": only kept captures are exported");
      }
    }
    StartExportRequest request = StartExportRequest.newBuilder()
        .setHeader(TxnHeader.newBuilder().setClusterId(ref.clusterId()).setEpoch(ref.epoch()).setTxnId(ref.txnId()))
        .setRunId(runId).setGroup(group).setTarget(target).build();
    List<String> queued = new ArrayList<>();
    List<MemberExport> out = new ArrayList<>();
    synchronized (this) {
      Run run = runs.get(runId);
      if (run != null && !run.request.getHeader().getTxnId().equals(ref.txnId())) {
        throw new ExportRefusedException("run " + runId + " exports group snapshot "
            + run.request.getHeader().getTxnId() + " on agent " + agentId + ", not " + ref.txnId());
      }
      if (run == null) {
        run = new Run(request);
        runs.put(runId, run);
      }
      for (String v : asked) {
        MemberExport e = run.exports.get(v);
        if (e == null || e.getState() == ExportState.EXPORT_FAILED) {
          run.request = request; // a target changed since is the one used from now on
          e = MemberExport.newBuilder().setAgentId(agentId).setVolume(v).setState(ExportState.EXPORT_PENDING)
              .setAttempts(e == null ? 1 : e.getAttempts() + 1).build();
          run.exports.put(v, e);
          queued.add(v);
        }
        out.add(e);
      }
      if (!queued.isEmpty()) {
        journal.save(run.record());
      }
    }
    queued.forEach(v -> submit(runId, v));
    return out;
  }

  /** GetExport: the run's exports on this agent (with progress while running); empty when it knows none. */
  public synchronized List<MemberExport> status(String runId) {
    Run run = runs.get(runId);
    return run == null ? List.of() : List.copyOf(run.exports.values());
  }

  /**
   * ForgetExport: removes what this agent exported for the run from the repository, and records its exports
   * forgotten. Refused while any of them is pending or running.
   *
   * @param target the target to forget in; empty: the one the run was exported to
   * @param snapshotIds what the coordinator recorded (the target also finds them by tags)
   * @return how many repository snapshots were removed
   */
  public int forget(TxnRef ref, String runId, String group, String target, List<String> snapshotIds)
      throws FencedException, ExportRefusedException, ExportException, IOException, InterruptedException {
    fence.admit(ref);
    List<ExportTarget.Exported> exported = new ArrayList<>();
    String targetName = target;
    synchronized (this) {
      Run run = runs.get(runId);
      if (run != null) {
        for (MemberExport e : run.exports.values()) {
          if (e.getState() == ExportState.EXPORT_PENDING || e.getState() == ExportState.EXPORT_RUNNING) {
            throw new ExportRefusedException("the export of volume " + e.getVolume() + " for run " + runId
                + " is still going on agent " + agentId);
          }
          if (e.getState() == ExportState.EXPORT_DONE) {
            exported.add(new ExportTarget.Exported(e.getVolume(), e.getRepositorySnapshotId()));
          }
        }
        if (targetName.isEmpty()) {
          targetName = run.request.getTarget();
        }
      }
    }
    ExportTarget t = targets.get(targetName);
    if (t == null) {
      throw new ExportRefusedException("agent " + agentId + " has no export target '" + targetName + "'");
    }
    int n;
    Lock exclusive = repositoryLock(targetName).writeLock();
    exclusive.lockInterruptibly();
    try {
      n = t.forget(new ExportTarget.Forget(agentId, group, runId, ref.txnId(), snapshotIds), exported);
    } finally {
      exclusive.unlock();
    }
    synchronized (this) {
      Run run = runs.get(runId);
      if (run != null) {
        run.exports.replaceAll((v, e) -> e.getState() == ExportState.EXPORT_DONE
            ? e.toBuilder().setState(ExportState.EXPORT_FORGOTTEN).build() : e);
        journal.save(run.record());
      }
    }
    return n;
  }

  /**
   * Per target: exports share it, a forget holds it alone — restic's prune needs the repository to itself, and a
   * backup started meanwhile would fail on its lock. (Agents sharing one repository can still meet there: give each
   * its own, or expect such an export to fail with restic's lock message and the forget to be tried again.)
   */
  private ReadWriteLock repositoryLock(String target) {
    return repositoryLocks.computeIfAbsent(target, k -> new ReentrantReadWriteLock());
  }

  private void submit(String runId, String volume) {
    try {
      workers.execute(() -> {
        try (LogContext ignored = LogContext.run(runId, null)) {
          runOne(runId, volume);
        }
      });
    } catch (RejectedExecutionException e) {
      // closing: the journal keeps it pending for the next start
    }
  }

  private void runOne(String runId, String volume) {
    Run run;
    MemberExport e;
    synchronized (this) {
      run = runs.get(runId);
      e = run == null ? null : run.exports.get(volume);
      if (e == null || e.getState() != ExportState.EXPORT_PENDING) {
        return;
      }
      e = e.toBuilder().setState(ExportState.EXPORT_RUNNING).setStartedAtMillis(clock.millis())
          .setFinishedAtMillis(0).setBytesDone(0).setBytesTotal(0).setFilesDone(0).setFilesTotal(0).setError("")
          .setRepositorySnapshotId("").build();
      if (!record(run, e)) {
        return;
      }
    }
    StartExportRequest req = run.request;
    ExportTarget target = targets.get(req.getTarget());
    String gsid = req.getHeader().getTxnId();
    long started = clock.millis();
    try {
      if (target == null) {
        throw new ExportException("export target '" + req.getTarget() + "' is no longer configured on agent "
            + agentId);
      }
      Path capture = capture(gsid, volume);
      ExportTarget.Result r;
      Lock shared = repositoryLock(req.getTarget()).readLock();
      shared.lockInterruptibly();
      try {
        r = target.export(new ExportTarget.Job(agentId, req.getGroup(), runId, gsid, volume, capture),
            (bytesDone, bytesTotal, filesDone, filesTotal) -> progress(run, volume, bytesDone, bytesTotal, filesDone,
                filesTotal));
      } finally {
        shared.unlock();
      }
      end(run, volume, ExportState.EXPORT_DONE, r, "");
      listener.ended(target.kind(), ExportState.EXPORT_DONE, r.bytes(), clock.millis() - started);
    } catch (ExportException ex) {
      log.warn("agent {}: export of volume {} for run {} failed: {}", agentId, volume, runId, ex.getMessage());
      end(run, volume, ExportState.EXPORT_FAILED, null, ex.getMessage());
      listener.ended(target == null ? "" : target.kind(), ExportState.EXPORT_FAILED, 0, clock.millis() - started);
    } catch (InterruptedException ex) {
      // the agent is closing: the journal says RUNNING, and the next start resumes it
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException ex) {
      end(run, volume, ExportState.EXPORT_FAILED, null, ExportException.oneLine(ex.toString()));
    }
  }

  /** Where the kept capture is, or why it cannot be exported. */
  private Path capture(String gsid, String volume) throws ExportException, IOException {
    LocalSnapshot entry = catalog.list(gsid).stream().filter(s -> s.getVolume().equals(volume)).findFirst()
        .orElse(null);
    Path where = entry == null ? null : locator.locate(entry);
    if (where == null) {
      throw new ExportException("the capture of volume " + volume + " of group snapshot " + gsid
          + " was deleted before it was exported");
    }
    return where;
  }

  private synchronized void progress(Run run, String volume, long bytesDone, long bytesTotal, long filesDone,
      long filesTotal) {
    MemberExport e = run.exports.get(volume);
    if (e != null && e.getState() == ExportState.EXPORT_RUNNING) {
      run.exports.put(volume, e.toBuilder().setBytesDone(bytesDone).setBytesTotal(bytesTotal)
          .setFilesDone(filesDone).setFilesTotal(filesTotal).build());
    }
  }

  private synchronized void end(Run run, String volume, ExportState state, ExportTarget.Result r, String error) {
    MemberExport e = run.exports.get(volume);
    if (e == null) {
      return;
    }
    MemberExport.Builder b = e.toBuilder().setState(state).setFinishedAtMillis(clock.millis()).setError(error);
    if (r != null) {
      b.setBytesDone(r.bytes()).setBytesTotal(r.bytes()).setFilesDone(r.files()).setFilesTotal(r.files())
          .setRepositorySnapshotId(r.repositorySnapshotId());
    }
    record(run, b.build());
  }

  /** Puts {@code e} in the run and the journal; false (logged) when the journal cannot be written. */
  private boolean record(Run run, MemberExport e) {
    run.exports.put(e.getVolume(), e);
    try {
      journal.save(run.record());
      return true;
    } catch (IOException ex) {
      log.error("agent {}: cannot write the export journal of run {}: {}", agentId, run.request.getRunId(),
          ex.toString());
      return false;
    }
  }

  /** Stops the exports going on (their tools are killed); the journal keeps them for the next start. */
  @Override
  public void close() {
    workers.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
