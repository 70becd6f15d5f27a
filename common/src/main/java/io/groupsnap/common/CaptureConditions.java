package io.groupsnap.common;

import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberRecord;
import java.util.List;

/**
 * What the findings of capture checks (the scrub) mean, in one place for the leader that records them and the CLI
 * that shows them: a capture found MISSING or ALTERED is damage, and a committed group snapshot with damage on any
 * member is DAMAGED; only findings about the capture itself (not "could not be checked") are kept on its record.
 */
public final class CaptureConditions {
  private CaptureConditions() {}

  /** The capture is gone or changed. */
  public static boolean isDamage(CaptureCondition c) {
    return c == CaptureCondition.CAPTURE_MISSING || c == CaptureCondition.CAPTURE_ALTERED;
  }

  /** A finding about the capture itself, as opposed to an agent that could not be asked or could not check. */
  public static boolean isDefinite(CaptureCondition c) {
    return switch (c) {
      case CAPTURE_PRESENT, CAPTURE_MISSING, CAPTURE_ALTERED, CAPTURE_UNVERIFIED -> true;
      default -> false;
    };
  }

  /** The members whose last check found their capture missing or altered. */
  public static List<MemberRecord> damaged(GroupSnapshot g) {
    return g.getMembersList().stream().filter(m -> m.hasCheck() && isDamage(m.getCheck().getCondition())).toList();
  }

  /** True when the last check of any member found its capture missing or altered. */
  public static boolean isDamaged(GroupSnapshot g) {
    return !damaged(g).isEmpty();
  }
}
