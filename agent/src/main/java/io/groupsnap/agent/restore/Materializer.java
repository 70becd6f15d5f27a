package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one planned volume's restore at its target: the tree is materialized beside the target
 * ({@link TestScratch#staging}) and renamed into place when complete, so a target never holds half a restore (a restorer that
 * works at the target itself: an exec command, a clone or a mount); a failed restore's staging is removed. The outcome goes into the volume's
 * {@link MemberRestore} (DONE with method and bytes, or FAILED with a one-line error); it never throws. Apart from
 * {@link RestoreManager}, which decides when a volume runs and keeps its status, because this is the one place that
 * writes a restored tree, whatever kind of restore asked for it. Stateless; one call per volume, from any thread.
 */
final class Materializer {
  private static final Logger log = LoggerFactory.getLogger(Materializer.class);

  private final String agentId;

  Materializer(String agentId) {
    this.agentId = agentId;
  }

  /** Materializes {@code p} and records the outcome in {@code m}. */
  void materialize(String groupSnapshotId, RestorePlan p, MemberRestore.Builder m) {
    Path target = p.target();
    Path staging = TestScratch.staging(target);
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
      m.setState(RestoreState.RESTORE_FAILED).setError(RestoreManager.oneLine(e.getMessage()));
      log.warn("agent {}: restore of volume {} of group snapshot {} at {} failed: {}", agentId, p.volume(),
          groupSnapshotId, target, e.getMessage());
      try {
        CaptureTree.delete(staging);
      } catch (IOException ignored) {
        // the next restore to this target removes it
      }
    }
  }

  /** Deletes {@code target} when it is an empty directory (checked empty before), so that it can be created anew. */
  private static Path removeEmpty(Path target) throws IOException {
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(target); // fails when something appeared in it since the check: nothing is overwritten
    }
    return target;
  }
}
