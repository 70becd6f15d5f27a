package io.groupsnap.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.StartExportRequest;
import io.groupsnap.proto.v1.TxnHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export manager: admission, idempotence, the concurrency bound, the journal and resuming after a restart. */
class ExportManagerTest {
  static final TxnRef REF = new TxnRef("c-1", 3, "gs-1");
  @TempDir Path tmp;
  Path state;
  SnapshotCatalog catalog;
  EpochFence fence;
  final List<ExportManager> managers = new ArrayList<>();

  /** A target whose exports wait for {@link #release}, counting how many run at once. */
  static final class GatedTarget implements ExportTarget {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    volatile String failWith;

    @Override
    public String name() {
      return "offsite";
    }

    @Override
    public String kind() {
      return "gated";
    }

    @Override
    public Result export(Job job, Progress progress) throws ExportException, InterruptedException {
      calls.computeIfAbsent(job.volume(), v -> new AtomicInteger()).incrementAndGet();
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        progress.update(1, 10, 0, 3);
        release.await();
        if (failWith != null) {
          throw new ExportException(failWith);
        }
        return new Result(10, 3, "snap-" + job.volume());
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public int forget(Forget forget, List<Exported> exported) {
      return exported.size();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    state = tmp.resolve("state");
    catalog = SnapshotCatalog.onDisk(state);
    fence = new EpochFence(EpochFence.Store.inMemory(), "c-1");
  }

  @AfterEach
  void tearDown() {
    managers.forEach(ExportManager::close);
  }

  void keep(String gsid, String volume, LocalSnapshotState s) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("snaps").resolve(gsid).resolve(volume));
    Files.writeString(dir.resolve("f"), volume);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(gsid).setVolume(volume).setPath(dir.toString())
        .setState(s).build());
  }

  ExportManager manager(int concurrency, ExportTarget... targets) throws Exception {
    ExportManager m = new ExportManager("host-a", List.of(targets), catalog, ExportManager.CaptureLocator.BY_PATH,
        fence, state, concurrency, Clock.systemUTC(), ExportManager.Listener.NONE);
    managers.add(m);
    m.start();
    return m;
  }

  static Map<String, ExportState> states(ExportManager m, String run) {
    Map<String, ExportState> out = new java.util.TreeMap<>();
    m.status(run).forEach(e -> out.put(e.getVolume(), e.getState()));
    return out;
  }

  @Test
  void onlyKeptCapturesOfAConfiguredTarget_areExported() throws Exception {
    keep("gs-1", "data", LocalSnapshotState.LOCAL_PENDING);
    ExportManager m = manager(1, new GatedTarget());
    assertThat(catchThrowableOfType(ExportRefusedException.class, () -> m.startExport(REF, "run-1", "shop",
        "offsite", List.of()))).hasMessage("group snapshot gs-1 is not committed on agent host-a: only kept "
            + "captures are exported");
    assertThat(catchThrowableOfType(ExportRefusedException.class, () -> m.startExport(new TxnRef("c-1", 3,
        "gs-9"), "run-1", "shop", "offsite", List.of()))).hasMessage("agent host-a keeps no capture of group "
            + "snapshot gs-9");
    assertThat(catchThrowableOfType(ExportRefusedException.class, () -> m.startExport(REF, "run-1", "shop",
        "nas", List.of()))).hasMessage("agent host-a has no export target 'nas' (configured: offsite)");
    assertThat(m.status("run-1")).isEmpty();
  }

  @Test
  void aStaleEpoch_isFenced() throws Exception {
    keep("gs-1", "data", LocalSnapshotState.LOCAL_KEPT);
    ExportManager m = manager(1, new GatedTarget());
    fence.observe(4);
    assertThat(catchThrowableOfType(FencedException.class, () -> m.startExport(REF, "run-1", "shop", "offsite",
        List.of()))).hasMessageContaining("stale epoch 3");
  }

  @Test
  void concurrencyIsBounded_startIsIdempotent_andAFailedExportIsStartedAgain() throws Exception {
    for (String v : List.of("a", "b", "c")) {
      keep("gs-1", v, LocalSnapshotState.LOCAL_KEPT);
    }
    GatedTarget t = new GatedTarget();
    t.failWith = "repository unreachable";
    ExportManager m = manager(2, t);
    List<MemberExport> first = m.startExport(REF, "run-1", "shop", "offsite", List.of());
    assertThat(first).extracting(MemberExport::getVolume).containsExactly("a", "b", "c");
    await().atMost(Duration.ofSeconds(10)).until(() -> t.running.get() == 2);
    assertThat(states(m, "run-1")).containsValues(ExportState.EXPORT_RUNNING, ExportState.EXPORT_RUNNING,
        ExportState.EXPORT_PENDING);
    assertThat(m.status("run-1")).filteredOn(e -> e.getState() == ExportState.EXPORT_RUNNING)
        .allSatisfy(e -> assertThat(e.getBytesTotal()).isEqualTo(10));

    m.startExport(REF, "run-1", "shop", "offsite", List.of()); // answered as it stands: nothing started twice
    t.release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> m.status("run-1").stream()
        .allMatch(e -> e.getState() == ExportState.EXPORT_FAILED));
    assertThat(t.mostAtOnce.get()).isEqualTo(2);
    assertThat(t.calls).allSatisfy((v, n) -> assertThat(n.get()).isEqualTo(1));
    assertThat(m.status("run-1")).allSatisfy(e -> {
      assertThat(e.getError()).isEqualTo("repository unreachable");
      assertThat(e.getAttempts()).isEqualTo(1);
    });

    t.failWith = null;
    assertThat(m.startExport(REF, "run-1", "shop", "offsite", List.of("b"))).singleElement()
        .satisfies(e -> assertThat(e.getAttempts()).isEqualTo(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> states(m, "run-1").get("b") == ExportState.EXPORT_DONE);
    MemberExport b = m.status("run-1").get(1);
    assertThat(b.getRepositorySnapshotId()).isEqualTo("snap-b");
    assertThat(b.getError()).isEmpty();
    assertThat(states(m, "run-1")).containsEntry("a", ExportState.EXPORT_FAILED);
  }

  @Test
  void aCaptureDeletedWhileItsExportWaits_failsThatExport() throws Exception {
    keep("gs-1", "a", LocalSnapshotState.LOCAL_KEPT);
    keep("gs-1", "b", LocalSnapshotState.LOCAL_KEPT);
    GatedTarget t = new GatedTarget();
    ExportManager m = manager(1, t);
    m.startExport(REF, "run-1", "shop", "offsite", List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.running.get() == 1);
    catalog.remove("gs-1", "b");
    t.release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> states(m, "run-1").get("b") == ExportState.EXPORT_FAILED);
    assertThat(m.status("run-1").get(1).getError()).isEqualTo("the capture of volume b of group snapshot gs-1 was "
        + "deleted before it was exported");
    assertThat(states(m, "run-1")).containsEntry("a", ExportState.EXPORT_DONE);
  }

  @Test
  void forget_isRefusedWhileTheRunExports_thenMarksItsExportsForgotten() throws Exception {
    keep("gs-1", "a", LocalSnapshotState.LOCAL_KEPT);
    GatedTarget t = new GatedTarget();
    ExportManager m = manager(1, t);
    m.startExport(REF, "run-1", "shop", "offsite", List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.running.get() == 1);
    assertThat(catchThrowableOfType(ExportRefusedException.class, () -> m.forget(REF, "run-1", "shop", "",
        List.of()))).hasMessage("the export of volume a for run run-1 is still going on agent host-a");
    t.release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> states(m, "run-1").get("a") == ExportState.EXPORT_DONE);
    assertThat(m.forget(REF, "run-1", "shop", "", List.of())).isEqualTo(1);
    assertThat(states(m, "run-1")).containsEntry("a", ExportState.EXPORT_FORGOTTEN);
    // a restarted agent remembers: asking again answers the forgotten export as it is
    m.close();
    ExportManager again = manager(1, t);
    assertThat(again.startExport(REF, "run-1", "shop", "offsite", List.of())).singleElement()
        .satisfies(e -> assertThat(e.getState()).isEqualTo(ExportState.EXPORT_FORGOTTEN));
  }

  @Test
  void anExportLeftRunningByAKilledAgent_isResumedAndCompletesAtTheNextStart() throws Exception {
    keep("gs-1", "data", LocalSnapshotState.LOCAL_KEPT);
    Path backups = Files.createDirectories(tmp.resolve("backups"));
    Path copy = ExecTargetTest.copier(tmp, backups);
    ExecTarget exec = ExecTargetTest.target(List.of(copy.toString(), "{path}", backups + "/{run}/{volume}",
        "{run}"), null);
    // what the journal of an agent killed mid-export holds
    new ExportJournal(state.resolve("exports")).save(new ExportJournal.RunExports(StartExportRequest.newBuilder()
        .setHeader(TxnHeader.newBuilder().setClusterId("c-1").setEpoch(3).setTxnId("gs-1")).setRunId("run-1")
        .setGroup("shop").setTarget("copy").build(), Map.of("data", MemberExport.newBuilder().setAgentId("host-a")
        .setVolume("data").setState(ExportState.EXPORT_RUNNING).setAttempts(1).setBytesDone(5).build())));

    ExportManager m = manager(1, exec);

    await().atMost(Duration.ofSeconds(20)).until(() -> states(m, "run-1").get("data") == ExportState.EXPORT_DONE);
    assertThat(m.status("run-1")).singleElement().satisfies(e -> {
      assertThat(e.getRepositorySnapshotId()).isEqualTo("id-run-1");
      assertThat(e.getAttempts()).isEqualTo(1);
    });
    assertThat(backups.resolve("run-1/data/f")).hasContent("data");
    // and the journal says so for the next start
    assertThat(new ExportJournal(state.resolve("exports")).load()).singleElement()
        .satisfies(r -> assertThat(r.exports().get("data").getState()).isEqualTo(ExportState.EXPORT_DONE));
  }

  @Test
  void closingStopsARunningExport_whichTheNextStartRunsAgain() throws Exception {
    keep("gs-1", "data", LocalSnapshotState.LOCAL_KEPT);
    GatedTarget t = new GatedTarget();
    ExportManager m = manager(1, t);
    m.startExport(REF, "run-1", "shop", "offsite", List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.running.get() == 1);
    m.close();
    assertThat(new ExportJournal(state.resolve("exports")).load()).singleElement()
        .satisfies(r -> assertThat(r.exports().get("data").getState()).isEqualTo(ExportState.EXPORT_RUNNING));

    GatedTarget after = new GatedTarget();
    after.release.countDown();
    ExportManager again = manager(1, after);
    await().atMost(Duration.ofSeconds(10)).until(() -> states(again, "run-1").get("data")
        == ExportState.EXPORT_DONE);
    assertThat(after.calls.get("data").get()).isEqualTo(1);
    assertThat(t.release.await(0, TimeUnit.MILLISECONDS)).isFalse();
  }
}
