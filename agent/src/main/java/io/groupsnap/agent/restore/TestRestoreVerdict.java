package io.groupsnap.agent.restore;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test restore's verdict on one restored copy: the volume's checks ({@link RestoredCheck}) run against the copy
 * with the fingerprint recorded at capture time (and the capture's file manifest, when one was recorded with it),
 * and the outcome goes into the volume's {@link MemberRestore} (VERIFIED, or VERIFICATION_FAILED with the reason,
 * also when the restore itself failed or the check threw). Apart from {@link RestoreManager} because judging a copy
 * is a concern of its own, unlike writing it ({@link Materializer}) or removing it again ({@link TestScratch}). Never
 * throws; safe from any thread as far as the checks are.
 */
final class TestRestoreVerdict {
  private static final Logger log = LoggerFactory.getLogger(TestRestoreVerdict.class);

  private final String agentId;
  private final SnapshotCatalog catalog;
  private final RestoredCheck checks;

  TestRestoreVerdict(String agentId, SnapshotCatalog catalog, RestoredCheck checks) {
    this.agentId = agentId;
    this.catalog = catalog;
    this.checks = checks;
  }

  /** A test restore's second half: checks the restored copy (when it was restored). */
  void verify(String groupSnapshotId, RestorePlan p, MemberRestore.Builder m) {
    try {
      if (m.getState() == RestoreState.RESTORE_DONE) {
        RestoredCheck.Verdict v = checks.check(p.volume(), p.target(), recordedFingerprint(groupSnapshotId,
            p.volume()), () -> catalog.openManifest(groupSnapshotId, p.volume()).orElse(null),
            () -> Thread.currentThread().isInterrupted());
        m.setVerification(v.ok() ? Verification.VERIFIED : Verification.VERIFICATION_FAILED)
            .setVerificationReason(RestoreManager.oneLine(v.reason())).setVerifyOutputTail(v.outputTail());
        log.info("agent {}: test restore of volume {} of group snapshot {}: {} ({})", agentId, p.volume(),
            groupSnapshotId, v.ok() ? "VERIFIED" : "FAILED", v.reason());
      } else {
        m.setVerification(Verification.VERIFICATION_FAILED).setVerificationReason("the restore failed: "
            + m.getError());
      }
    } catch (RuntimeException e) {
      m.setVerification(Verification.VERIFICATION_FAILED).setVerificationReason("the check failed: "
          + RestoreManager.oneLine(e.toString()));
    }
  }

  private CaptureFingerprint recordedFingerprint(String groupSnapshotId, String volume) {
    try {
      return catalog.list(groupSnapshotId).stream().filter(s -> s.getVolume().equals(volume) && s.hasFingerprint())
          .map(LocalSnapshot::getFingerprint).findFirst().orElse(null);
    } catch (IOException e) {
      return null;
    }
  }
}
