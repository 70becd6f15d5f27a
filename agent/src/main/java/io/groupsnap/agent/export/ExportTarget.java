package io.groupsnap.agent.export;

import io.groupsnap.agent.volume.Restorer;
import java.nio.file.Path;
import java.util.List;

/**
 * A kind of export target, as volume kinds are kinds of volumes: copies one kept capture to a repository outside the
 * agent and removes a run's copies again. Implementations start external tools as argument vectors, never through a
 * shell, and are called from the export manager's threads, never inside a freeze window. Thread-safe.
 */
public interface ExportTarget {
  String name();

  /** {@code restic} or {@code exec}. */
  String kind();

  /**
   * Exports one capture and waits for it.
   *
   * @param progress told what the tool reports as it goes (from the calling thread)
   * @throws ExportException with a one-line reason when the export failed
   * @throws InterruptedException when the calling thread was interrupted (the tool is killed)
   */
  Result export(Job job, Progress progress) throws ExportException, InterruptedException;

  /**
   * Removes what this agent exported for a run from the repository; what is gone already is not an error.
   *
   * @param exported what the agent's journal knows it exported for the run (possibly none)
   * @return how many repository snapshots were removed
   */
  int forget(Forget forget, List<Exported> exported) throws ExportException, InterruptedException;

  /**
   * How an exported capture comes back as a tree, for a restore whose local capture is gone: checks only, the
   * restore manager materializes. The default refuses (kinds that cannot read back what they exported).
   *
   * @param repositorySnapshotId what {@link #export} returned (empty: an empty capture, nothing stored)
   * @param bytes the size of the export, for the room check
   */
  default Restorer restorer(String repositorySnapshotId, long bytes) throws ExportException {
    throw new ExportException("export target " + name() + " (kind " + kind() + ") cannot restore what it exported");
  }

  /**
   * One capture to export.
   *
   * @param capture the directory (or, for kinds whose captures are not trees, the path) the capture lives at
   */
  record Job(String agentId, String group, String runId, String groupSnapshotId, String volume, Path capture) {
    /** {@code agent:volume}, how a member is named in tags and placeholders. */
    public String member() {
      return agentId + ":" + volume;
    }
  }

  /** What an export produced. */
  record Result(long bytes, long files, String repositorySnapshotId) {}

  /** A run to forget. */
  record Forget(String agentId, String group, String runId, String groupSnapshotId, List<String> snapshotIds) {
    public Forget {
      snapshotIds = List.copyOf(snapshotIds);
    }
  }

  /** One capture this agent exported, as its journal remembers it. */
  record Exported(String volume, String repositorySnapshotId) {}

  /** Progress as the tool reports it; totals are 0 while unknown. */
  @FunctionalInterface
  interface Progress {
    Progress NONE = (bytesDone, bytesTotal, filesDone, filesTotal) -> { };

    void update(long bytesDone, long bytesTotal, long filesDone, long filesTotal);
  }
}
