package io.groupsnap.agent.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.rpc.AgentGrpcService;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.Results.AbortResult;
import io.groupsnap.agent.txn.Results.HoldReport;
import io.groupsnap.agent.volume.DirVolume;
import io.groupsnap.proto.v1.MemberState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent's answer to ABORT says what it knew of the transaction — how far it got, when it froze, how long it held
 * and whether its lease ended the hold — so that a leader aborting a transaction its predecessor left undecided
 * records that instead of "PENDING 0ms". And its refusals are typed: retryable is a field, not a "!" prefix.
 */
class AbortReportTest {
  static final String CLUSTER = "c-1";

  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  RecordingWriter app;
  Participant participant;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path root = tmp.resolve("snaps");
    app = new RecordingWriter("app", 0, new CopyOnWriteArrayList<>());
    participant = new Participant("a1", List.of(new DirVolume("data", data, root)), List.of(app),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), CLUSTER), root,
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    participant.releaseAll();
    scheduler.shutdownNow();
  }

  static TxnRef ref(String txn) {
    return new TxnRef(CLUSTER, 1, txn);
  }

  @Test
  void abortAfterTheLeaseExpired_reportsTheHoldItHadAndThatTheLeaseEndedIt() throws Exception {
    Duration lease = Duration.ofMillis(300);
    assertThat(participant.prepare(ref("gs-1"), List.of(), lease).ok()).isTrue();
    Results.FreezeResult f = participant.freeze(ref("gs-1"), lease);
    assertThat(f.frozen()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !participant.isHolding());

    AbortResult r = participant.abort(ref("gs-1"));

    HoldReport h = r.report();
    assertThat(h.reached()).isEqualTo(AgentTxnState.FROZEN);
    assertThat(h.freezeStartedAtMillis()).isEqualTo(f.freezeStartedAtMillis());
    assertThat(h.timeToFrozenMillis()).isEqualTo(f.timeToFrozenMillis());
    assertThat(h.heldMillis()).as("held until the lease ran out, not until the ABORT")
        .isBetween(lease.toMillis() - 20, lease.toMillis() + 2_000);
    assertThat(h.leaseExpired()).isTrue();
    assertThat(r.wasFrozen()).isFalse();
    assertThat(AgentGrpcService.reached(h.reached())).isEqualTo(MemberState.MEMBER_FROZEN);
    assertThat(participant.abort(ref("gs-1")).report()).as("a repeated ABORT tells the same").isEqualTo(h);
  }

  @Test
  void abortWhileFrozen_reportsTheHoldUntilTheAbortEndedIt() throws Exception {
    Duration lease = Duration.ofSeconds(30);
    participant.prepare(ref("gs-1"), List.of(), lease);
    assertThat(participant.freeze(ref("gs-1"), lease).frozen()).isTrue();

    AbortResult r = participant.abort(ref("gs-1"));

    assertThat(r.wasFrozen()).isTrue();
    assertThat(r.report().reached()).isEqualTo(AgentTxnState.FROZEN);
    assertThat(r.report().leaseExpired()).isFalse();
    assertThat(r.report().heldMillis()).isLessThan(lease.toMillis());
    assertThat(app.holding).isFalse();
  }

  @Test
  void abortOfAPreparedTransaction_reportsNoHold_andOfAnUnknownOne_nothing() throws Exception {
    participant.prepare(ref("gs-1"), List.of(), Duration.ofSeconds(5));

    HoldReport prepared = participant.abort(ref("gs-1")).report();
    HoldReport unknown = participant.abort(ref("gs-2")).report();

    assertThat(prepared).isEqualTo(new HoldReport(AgentTxnState.PREPARED, 0, 0, 0, false));
    assertThat(AgentGrpcService.reached(prepared.reached())).isEqualTo(MemberState.MEMBER_PREPARED);
    assertThat(unknown).isEqualTo(HoldReport.NONE);
    assertThat(AgentGrpcService.reached(unknown.reached())).isEqualTo(MemberState.MEMBER_STATE_UNSPECIFIED);
  }

  @Test
  void refusalsAtAdmission_sayWhetherRetryingMayHelp_asAField() throws Exception {
    Results.PrepareResult unknownVolume = participant.prepare(ref("gs-1"), List.of("logs"), Duration.ofSeconds(5));
    Results.PrepareResult leaseTooLong = participant.prepare(ref("gs-2"), List.of(), Duration.ofMinutes(5));
    participant.prepare(ref("gs-3"), List.of(), Duration.ofSeconds(5));
    Results.PrepareResult busy = participant.prepare(ref("gs-4"), List.of(), Duration.ofSeconds(5));

    assertThat(unknownVolume.retryable()).isFalse();
    assertThat(unknownVolume.reason()).isEqualTo("unknown volume 'logs' on agent a1 (has: data)");
    assertThat(leaseTooLong.retryable()).isFalse();
    assertThat(leaseTooLong.reason()).startsWith("freeze lease 300000ms is outside [100ms, 60000ms]");
    assertThat(busy.retryable()).isTrue();
    assertThat(busy.reason()).isEqualTo("busy with transaction gs-3");
  }
}
