package io.groupsnap.coordinator.restores;

import io.groupsnap.proto.v1.GroupCheck;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreGroupSnapshotResponse;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;

/**
 * The verdict of a test restore across its members: VERIFIED only when every member was restored and verified on its
 * agent (and the group check, when one is configured, passed over all their copies); else FAILED, naming the first
 * failing member ({@code agent:volume}, in the answer's order) and why, and how many failed, or the group check and
 * the first line it printed. Stateless.
 */
final class TestVerdict {
  private TestVerdict() {}

  /** The answer with its verdict and duration set. */
  static RestoreGroupSnapshotResponse judge(RestoreGroupSnapshotResponse r, long durationMillis) {
    String first = null;
    int failed = 0;
    for (MemberRestore m : r.getMembersList()) {
      if (m.getState() == RestoreState.RESTORE_DONE && m.getVerification() == Verification.VERIFIED) {
        continue;
      }
      failed++;
      if (first == null) {
        first = m.getAgentId() + ":" + m.getVolume() + ": " + why(m);
      }
    }
    if (r.getMembersCount() == 0) {
      first = "the group snapshot has no members";
    }
    boolean ok = first == null;
    return r.toBuilder().setOk(ok).setVerification(ok ? Verification.VERIFIED : Verification.VERIFICATION_FAILED)
        .setVerificationReason(ok ? "" : first + (failed > 1 ? " (and " + (failed - 1) + " more)" : ""))
        .setDurationMillis(durationMillis).build();
  }

  /**
   * The verdict with the group check's result: a check that ran and failed (or could not start) makes it FAILED
   * with the check's reason; one that was not run (a member had failed already) leaves it as it was.
   */
  static RestoreGroupSnapshotResponse withGroupCheck(RestoreGroupSnapshotResponse judged, GroupCheck check) {
    RestoreGroupSnapshotResponse.Builder b = judged.toBuilder().setGroupCheck(check);
    if (judged.getVerification() == Verification.VERIFIED
        && check.getVerification() != Verification.VERIFIED) {
      b.setOk(false).setVerification(Verification.VERIFICATION_FAILED).setVerificationReason(check.getReason());
    }
    return b.build();
  }

  private static String why(MemberRestore m) {
    if (!m.getVerificationReason().isEmpty()) {
      return m.getVerificationReason();
    }
    if (!m.getError().isEmpty()) {
      return "the restore failed: " + m.getError();
    }
    return "not verified (" + m.getState() + ")";
  }
}
