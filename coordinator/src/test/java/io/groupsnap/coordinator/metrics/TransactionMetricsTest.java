package io.groupsnap.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TransactionMetricsTest {
  final MeterRegistry registry = new SimpleMeterRegistry();
  final AtomicLong lastCommitted = new AtomicLong();
  final TransactionMetrics metrics = new TransactionMetrics(registry, lastCommitted);

  private double outcomes(String result, String reason) {
    return registry.get("groupsnap.group.snapshots").tags("result", result, "reason", reason).counter().count();
  }

  private io.micrometer.core.instrument.Timer timer(String name, String result) {
    return registry.get(name).tag("result", result).timer();
  }

  private static MemberRecord member(String agent, long frozenIn, long thawedAt) {
    return MemberRecord.newBuilder().setAgentId(agent).setFreezeStartedAtMillis(thawedAt == 0 ? 0 : 1_000)
        .setTimeToFrozenMillis(frozenIn).setThawedAtMillis(thawedAt).build();
  }

  @Test
  void everyResultAndReason_isThereAtZero_beforeAnyTransaction() {
    assertThat(outcomes("committed", "none")).isZero();
    assertThat(outcomes("in_doubt", "none")).isZero();
    for (String reason : new String[] {"voted_no", "timed_out", "unreachable", "refused", "not_frozen",
        "broken_hold", "record_not_written", "leader_lost", "unspecified"}) {
      assertThat(outcomes("aborted", reason)).as(reason).isZero();
    }
  }

  @Test
  void aCommit_countsOnce_recordsItsWindowsAndSlowestMember_andItsFinishTime() {
    metrics.finished(GroupSnapshot.newBuilder().setId("g1").setState(GroupSnapshotState.COMMITTED)
        .setFinishedAtMillis(1_700_000_000_123L).setPrepareMillis(40).setFreezeWindowMillis(12)
        .setCoordinatorWindowMillis(15).addMembers(member("a1", 3, 1_012)).addMembers(member("a2", 7, 1_010))
        .build());
    assertThat(outcomes("committed", "none")).isEqualTo(1);
    assertThat(timer("groupsnap.freeze.window", "committed").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12);
    assertThat(timer("groupsnap.coordinator.window", "committed").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(15);
    assertThat(timer("groupsnap.time.to.frozen", "committed").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7);
    assertThat(timer("groupsnap.prepare", "committed").count()).isEqualTo(1);
    assertThat(lastCommitted.get()).isEqualTo(1_700_000_000_123L);
  }

  @Test
  void anAbortBeforeFreeze_countsItsReason_andRecordsNoWindow() {
    metrics.finished(GroupSnapshot.newBuilder().setId("g2").setState(GroupSnapshotState.ABORTED)
        .setAbortCause(AbortCause.ABORT_VOTED_NO).addMembers(member("a1", 0, 0)).build());
    assertThat(outcomes("aborted", "voted_no")).isEqualTo(1);
    assertThat(timer("groupsnap.freeze.window", "aborted").count()).isZero();
    assertThat(timer("groupsnap.prepare", "aborted").count()).isZero();
    assertThat(lastCommitted.get()).isZero();
  }

  @Test
  void aBrokenHold_countsAsAborted_withTheWindowItHad_andALostLeaderAsInDoubt() {
    metrics.finished(GroupSnapshot.newBuilder().setId("g3").setState(GroupSnapshotState.ABORTED)
        .setAbortCause(AbortCause.ABORT_BROKEN_HOLD).setPrepareMillis(5).setFreezeWindowMillis(60_000)
        .addMembers(member("a1", 4, 61_000)).build());
    metrics.finished(GroupSnapshot.newBuilder().setId("g4").setState(GroupSnapshotState.PREPARING)
        .setAbortCause(AbortCause.ABORT_LEADER_LOST).build());
    assertThat(outcomes("aborted", "broken_hold")).isEqualTo(1);
    assertThat(timer("groupsnap.freeze.window", "aborted").totalTime(TimeUnit.SECONDS)).isEqualTo(60);
    assertThat(outcomes("in_doubt", "none")).isEqualTo(1);
    assertThat(outcomes("committed", "none")).isZero();
  }
}
