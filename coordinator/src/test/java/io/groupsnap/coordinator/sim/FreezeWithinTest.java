package io.groupsnap.coordinator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.FreezeOutcome;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.TxnJournal;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.DirVolume;
import io.groupsnap.coordinator.txn.Member;
import io.groupsnap.coordinator.txn.TxnAction.Call;
import io.groupsnap.coordinator.txn.TxnSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's deadlines and the agent's agree: the wait for FREEZE a PREPARE carries ({@link TxnSpec#freezeWithin})
 * never makes the agent refuse a FREEZE whose call is still alive, i.e. one sent by the prepare deadline and arriving
 * before its own call deadline ({@link TxnSpec#callDeadline}, the freeze timeout plus the backstop). A real {@link
 * Participant} on virtual time, the PREPARE arriving the instant it is sent (the worst case).
 */
class FreezeWithinTest {
  static final String CLUSTER = "c-1";

  @TempDir Path tmp;
  EventLoop loop;
  VirtualScheduler scheduler;
  Participant participant;
  TxnSpec spec;
  TxnRef ref;

  @BeforeEach
  void setUp() throws Exception {
    loop = new EventLoop(new Trace(100, false));
    scheduler = new VirtualScheduler(loop, "agent-1");
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    Path root = tmp.resolve("snaps");
    participant = new Participant("agent-1", List.of(new DirVolume("data", data, root, true, false)), List.of(),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(EpochFence.Store.inMemory(), CLUSTER), root,
        Duration.ofSeconds(60), scheduler, new VirtualClock(loop, 0), loop::now, TxnJournal.inMemory());
    spec = new TxnSpec("gs-1", CLUSTER, 1, "leader", List.of(new Member("agent-1", "127.0.0.1:1", List.of("data"))),
        Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(12), Duration.ofSeconds(5),
        Duration.ofSeconds(5));
    ref = new TxnRef(CLUSTER, 1, "gs-1");
    assertThat(participant.prepare(ref, List.of("data"), spec.lease(), spec.freezeWithin()).ok()).isTrue();
  }

  @AfterEach
  void tearDown() {
    participant.releaseAll();
    scheduler.shutdownNow();
  }

  /** Runs the loop until a FREEZE arriving {@code after} the PREPARE has been answered; returns the answer. */
  FreezeResult freezeArriving(Duration after) {
    AtomicReference<FreezeResult> answer = new AtomicReference<>();
    loop.at(after.toNanos(), "FREEZE arrives", () -> {
      try {
        answer.set(participant.freeze(ref, spec.lease()));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    while (answer.get() == null && loop.step()) {
      // virtual time moves only here
    }
    return answer.get();
  }

  @Test
  void aFreezeSentAtThePrepareDeadline_isFrozen_untilTheLastInstantOfItsCallDeadline() {
    Duration lastAlive = spec.prepareTimeout().plus(spec.callDeadline(Call.FREEZE)).minusNanos(1);

    FreezeResult f = freezeArriving(lastAlive);

    assertThat(f.outcome()).as(f.reason()).isEqualTo(FreezeOutcome.FROZEN);
    assertThat(participant.isHolding()).isTrue();
  }

  @Test
  void aFreezeArrivingWhenItsCallHasEnded_isRefusedAsAborted_byTheAgentsOwnDeadline() {
    Duration callEnded = spec.prepareTimeout().plus(spec.callDeadline(Call.FREEZE));

    FreezeResult f = freezeArriving(callEnded);

    assertThat(f.outcome()).isEqualTo(FreezeOutcome.ABORTED);
    assertThat(f.reason()).isEqualTo("transaction gs-1 was already aborted on agent agent-1 (no FREEZE within "
        + callEnded.toMillis() + "ms of its PREPARE)");
    assertThat(participant.isActive("gs-1")).isFalse();
  }
}
