package io.groupsnap.agent.scrub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.fakes.RecordingCommandRunner;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of the scrub on real files: captures made by the real participant of a {@code dir} volume, then
 * removed, trimmed or changed behind the agent's back.
 */
class CaptureCheckerTest {
  static final String CLUSTER = "c-1";
  static final Duration LEASE = Duration.ofSeconds(10);

  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  SnapshotCatalog catalog;
  EpochFence fence;
  DirVolume volume;
  Participant participant;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("header"), "count=3\n");
    Files.createDirectories(data.resolve("body"));
    Files.writeString(data.resolve("body/1"), "alpha");
    Files.writeString(data.resolve("body/2"), "beta");
    Files.createSymbolicLink(data.resolve("latest"), Path.of("body/2"));
    catalog = SnapshotCatalog.onDisk(tmp.resolve("state"));
    fence = new EpochFence(EpochFence.Store.inMemory(), CLUSTER);
    volume = new DirVolume("data", data, tmp.resolve("snaps"), true, false);
    participant = new Participant("a1", List.of(volume), List.of(), catalog, fence, tmp.resolve("snaps"),
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    participant.releaseAll();
    scheduler.shutdownNow();
  }

  static TxnRef ref(String id) {
    return new TxnRef(CLUSTER, 1, id);
  }

  /** Runs a whole group snapshot on this one agent; returns where its capture is. */
  Path committed(String id) throws Exception {
    assertThat(participant.prepare(ref(id), List.of(), LEASE).ok()).isTrue();
    Path capture = participant.freeze(ref(id), LEASE).captures().get(0).path();
    assertThat(participant.thaw(ref(id)).unbroken()).isTrue();
    participant.commit(ref(id));
    return capture;
  }

  CaptureChecker checker(boolean checksumAfterCommit) {
    return new CaptureChecker("a1", List.of(volume), catalog, fence, participant::isBusy, checksumAfterCommit,
        Clock.systemUTC());
  }

  static CaptureCheck only(List<CaptureCheck> checks) {
    assertThat(checks).hasSize(1);
    return checks.get(0);
  }

  CaptureCheck check(CaptureChecker c, String id, boolean checksum) throws Exception {
    return only(c.check(ref(id), List.of("data"), checksum, () -> false));
  }

  @Test
  void anUntouchedCapture_isPresent_comparedByItsCounts() throws Exception {
    committed("gs-1");
    CaptureChecker c = checker(false);
    assertThat(c.fingerprintKept()).isEqualTo(1);
    assertThat(catalog.list("gs-1").get(0).getFingerprint()).satisfies(fp -> {
      assertThat(fp.getFiles()).isEqualTo(3);
      assertThat(fp.getDirectories()).isEqualTo(1);
      assertThat(fp.getSymlinks()).isEqualTo(1);
      assertThat(fp.getBytes()).isEqualTo("count=3\n".length() + "alpha".length() + "beta".length());
      assertThat(fp.getSha256()).isEmpty();
    });

    CaptureCheck r = check(c, "gs-1", false);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    assertThat(r.getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_COUNTS);
    assertThat(r.getAgentId()).isEqualTo("a1");
    assertThat(r.getVolume()).isEqualTo("data");
    assertThat(r.getCheckedAtMillis()).isPositive();
  }

  @Test
  void aCaptureRemovedBehindTheCatalogsBack_isMissing_namingItsPath() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    Captures.deleteTree(capture);

    CaptureCheck r = check(c, "gs-1", false);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_MISSING);
    assertThat(r.getDetail()).contains(capture.toString()).contains("gone");
  }

  @Test
  void aFileRemovedFromACapture_isAltered_sayingWhatDiffers() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    Files.delete(capture.resolve("body/2"));

    CaptureCheck r = check(c, "gs-1", false);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
    assertThat(r.getDetail()).contains("2 files (recorded 3)").contains("bytes");
  }

  @Test
  void aChangedByte_isAltered_whenTheChecksumRecordedAfterTheCommitIsCompared() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(true);
    c.fingerprintKept();
    assertThat(catalog.list("gs-1").get(0).getFingerprint().getSha256()).hasSize(64);
    Files.writeString(capture.resolve("body/1"), "alphA", StandardCharsets.UTF_8); // same size

    CaptureCheck counts = check(c, "gs-1", false);
    assertThat(counts.getCondition()).as("counts alone cannot see it").isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    CaptureCheck content = check(c, "gs-1", true);
    assertThat(content.getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
    assertThat(content.getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_CONTENT);
    assertThat(content.getDetail()).contains("contents differ");
  }

  @Test
  void aRetargetedSymbolicLink_isAltered_byTheChecksum() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(true);
    c.fingerprintKept();
    Files.delete(capture.resolve("latest"));
    Files.createSymbolicLink(capture.resolve("latest"), Path.of("body/1"));

    assertThat(check(c, "gs-1", true).getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
  }

  @Test
  void aChecksumAskedFor_isRecordedTheFirstTime_andComparedFromThenOn() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();

    CaptureCheck first = check(c, "gs-1", true);
    assertThat(first.getCondition()).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    assertThat(first.getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_COUNTS);
    assertThat(first.getDetail()).contains("recorded one now");
    assertThat(check(c, "gs-1", true).getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_CONTENT);
    Files.writeString(capture.resolve("header"), "count=2\n");
    assertThat(check(c, "gs-1", true).getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
  }

  @Test
  void aCaptureWithoutFingerprint_isUnverified_andFingerprintedForTheNextCheck() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);

    CaptureCheck first = check(c, "gs-1", false);
    assertThat(first.getCondition()).isEqualTo(CaptureCondition.CAPTURE_UNVERIFIED);
    assertThat(catalog.list("gs-1").get(0).hasFingerprint()).isTrue();
    Files.writeString(capture.resolve("extra"), "x");
    assertThat(check(c, "gs-1", false).getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
  }

  @Test
  void aFingerprint_isNeverReplaced_byOneOfAChangedTree() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    Files.writeString(capture.resolve("extra"), "x");

    assertThat(c.fingerprintKept()).isZero();
    check(c, "gs-1", true);
    assertThat(check(c, "gs-1", false).getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
  }

  @Test
  void whileATransactionIsInProgress_aCheckIsDeferred_andNothingIsFingerprinted() throws Exception {
    committed("gs-1");
    CaptureChecker c = checker(false);
    assertThat(participant.prepare(ref("gs-2"), List.of(), LEASE).ok()).isTrue();

    CaptureCheck r = check(c, "gs-1", false);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_UNCHECKED);
    assertThat(r.getDetail()).contains("deferred");
    assertThat(c.fingerprintKept()).isZero();
    assertThat(catalog.list("gs-1").get(0).hasFingerprint()).isFalse();

    participant.abort(ref("gs-2"));
    assertThat(c.fingerprintKept()).isEqualTo(1);
  }

  @Test
  void aCheckWhoseCallerIsGone_stopsAndSaysSo() throws Exception {
    committed("gs-1");
    CaptureChecker c = checker(false);
    CaptureCheck r = only(c.check(ref("gs-1"), List.of("data"), false, () -> true));
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_UNCHECKED);
    assertThat(r.getDetail()).contains("cancelled");
  }

  @Test
  void aVolumeWithoutCaptureOnThisAgent_isMissing() throws Exception {
    committed("gs-1");
    CaptureCheck r = only(checker(false).check(ref("gs-9"), List.of("data"), false, () -> false));
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_MISSING);
    assertThat(r.getDetail()).contains("keeps no capture");
  }

  @Test
  void aCheckFromAnotherCluster_isFenced() throws Exception {
    committed("gs-1");
    assertThatThrownBy(() -> checker(false).check(new TxnRef("c-other", 1, "gs-1"), List.of(), false, () -> false))
        .isInstanceOf(FencedException.class);
  }

  @Test
  void anExecVolume_isCheckedForPresenceOnly_asItsListCommandReportsIt() throws Exception {
    RecordingCommandRunner runner = new RecordingCommandRunner();
    List<String> list = List.of("/usr/local/bin/san-list", "san");
    runner.on(list, RecordingCommandRunner.ok("gs-1 1700000000\n"));
    Volume san = Kinds.setUp(new VolumeConfig("san", "exec", tmp.resolve("data"), Map.of(
        "create", "[\"/usr/local/bin/san-create\", \"{volume}\", \"{snapshot}\"]",
        "delete", "[\"/usr/local/bin/san-delete\", \"{volume}\", \"{snapshot}\"]",
        "list", "[\"/usr/local/bin/san-list\", \"{volume}\"]",
        "atomic", "true"))).create(new KindContext(tmp.resolve("snaps"), tmp.resolve("state"), runner));
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId("gs-1").setVolume("san")
        .setPath(san.captureTarget("gs-1").toString()).setState(LocalSnapshotState.LOCAL_KEPT).build());
    CaptureChecker c = new CaptureChecker("a1", List.of(san), catalog, fence, () -> false, true, Clock.systemUTC());

    CaptureCheck present = only(c.check(ref("gs-1"), List.of("san"), true, () -> false));
    assertThat(present.getCondition()).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    assertThat(present.getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_PRESENCE);
    runner.on(list, RecordingCommandRunner.ok("gs-2 1700000000\n"));
    assertThat(only(c.check(ref("gs-1"), List.of("san"), true, () -> false)).getCondition())
        .isEqualTo(CaptureCondition.CAPTURE_MISSING);
    runner.on(list, RecordingCommandRunner.exit(3, "array offline"));
    CaptureCheck unchecked = only(c.check(ref("gs-1"), List.of("san"), true, () -> false));
    assertThat(unchecked.getCondition()).as("a failing tool is not damage")
        .isEqualTo(CaptureCondition.CAPTURE_UNCHECKED);
    assertThat(unchecked.getDetail()).contains("array offline");
  }
}
