package io.groupsnap.coordinator.txn;

import io.groupsnap.coordinator.txn.Replies.Ack;
import io.groupsnap.coordinator.txn.Replies.Captured;
import io.groupsnap.coordinator.txn.Replies.FreezeReply;
import io.groupsnap.coordinator.txn.Replies.Held;
import io.groupsnap.coordinator.txn.Replies.ThawReply;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import java.util.Map;

/**
 * What a group snapshot's record says of each member (one {@link MemberRecord} per agent and volume): filled from the
 * members' answers by the running {@link Transaction}, and by a successor that aborts a transaction its predecessor
 * left undecided ({@link #abortedBySuccessor}). Records only what was answered: never a state or a timing nobody
 * reported. Stateless; the builders passed in belong to the caller.
 */
public final class MemberRecords {
  private MemberRecords() {}

  /** Sets the state of every record of {@code agentId}; a non-empty {@code error} is kept as its error. */
  static void set(GroupSnapshot.Builder record, String agentId, MemberState state, String error) {
    for (MemberRecord.Builder m : record.getMembersBuilderList()) {
      if (m.getAgentId().equals(agentId)) {
        m.setState(state);
        if (!error.isEmpty()) {
          m.setError(error);
        }
      }
    }
  }

  /** A FROZEN answer: when the agent accepted FREEZE, how long it took, and each volume's capture. */
  static void frozen(GroupSnapshot.Builder record, String agentId, FreezeReply reply) {
    for (MemberRecord.Builder m : record.getMembersBuilderList()) {
      if (m.getAgentId().equals(agentId)) {
        m.setFreezeStartedAtMillis(reply.freezeStartedAtMillis()).setTimeToFrozenMillis(reply.timeToFrozenMillis());
        for (Captured c : reply.captured()) {
          if (c.volume().equals(m.getVolume())) {
            m.setSnapshotPath(c.path()).setSnapshotMillis(c.snapshotMillis());
          }
        }
      }
    }
  }

  /** A THAW answer: when the agent thawed and how long it held. */
  static void thawed(GroupSnapshot.Builder record, String agentId, ThawReply reply) {
    for (MemberRecord.Builder m : record.getMembersBuilderList()) {
      if (m.getAgentId().equals(agentId)) {
        m.setThawedAtMillis(reply.thawedAtMillis()).setHeldMillis(reply.heldMillis());
      }
    }
  }

  /** What an agent reported of its hold at ABORT, where the record does not say it already. */
  static void merge(GroupSnapshot.Builder record, String agentId, Held held) {
    if (!held.known()) {
      return;
    }
    for (MemberRecord.Builder m : record.getMembersBuilderList()) {
      if (m.getAgentId().equals(agentId)) {
        merge(m, held);
      }
    }
  }

  private static void merge(MemberRecord.Builder m, Held held) {
    if (m.getFreezeStartedAtMillis() == 0) {
      m.setFreezeStartedAtMillis(held.freezeStartedAtMillis());
    }
    if (m.getTimeToFrozenMillis() == 0) {
      m.setTimeToFrozenMillis(held.timeToFrozenMillis());
    }
    if (m.getHeldMillis() == 0) {
      m.setHeldMillis(held.heldMillis());
    }
  }

  /**
   * The ABORTED record a successor writes over {@code written}, the record as the lost leader left it. Each member
   * keeps what was written of it (state, timings, captures, error) and gains what its agent reported when it
   * confirmed the ABORT now ({@code answers}, by agent id). A member whose agent confirmed is ABORTED; one whose
   * agent did not (down, unreachable) keeps its written state, with the reason as its error — or, where the record
   * only says PENDING (nothing was answered before it was written), is UNKNOWN: nobody knows how far it got.
   *
   * @param why the abort reason when the record has none yet (an ABORTING record keeps its own)
   */
  public static GroupSnapshot abortedBySuccessor(GroupSnapshot written, Map<String, Ack> answers, AbortReason why,
      long nowMillis) {
    GroupSnapshot.Builder b = written.toBuilder().setState(GroupSnapshotState.ABORTED).setFinishedAtMillis(nowMillis);
    if (written.getAbortReason().isEmpty()) {
      b.setAbortReason(why.sentence()).setAbortMember(why.member()).setAbortCause(why.cause());
    }
    for (MemberRecord.Builder m : b.getMembersBuilderList()) {
      Ack ack = answers.get(m.getAgentId());
      if (ack != null && ack.ok()) {
        merge(m, ack.held());
        m.setState(MemberState.MEMBER_ABORTED);
        continue;
      }
      if (m.getState() == MemberState.MEMBER_PENDING || m.getState() == MemberState.MEMBER_STATE_UNSPECIFIED) {
        m.setState(MemberState.MEMBER_UNKNOWN);
      }
      if (m.getError().isEmpty()) {
        m.setError("abort not confirmed: " + (ack == null ? "agent not registered" : ack.error())
            + "; its reaper deletes what it holds of this transaction");
      }
    }
    return b.build();
  }
}
