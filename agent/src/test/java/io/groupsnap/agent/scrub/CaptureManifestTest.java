package io.groupsnap.agent.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.CheckDepth;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrub with file manifests, on captures made by the real participant of a {@code dir} volume and the real
 * on-disk catalog: an altered capture is reported by the paths that differ, and the manifest goes with its capture.
 */
class CaptureManifestTest {
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
    Files.createDirectories(data.resolve("logs"));
    for (int i = 1; i <= 4; i++) {
      Files.writeString(data.resolve("logs/000" + i + ".log"), "entry " + i + "\n");
    }
    Files.createSymbolicLink(data.resolve("latest"), Path.of("logs/0004.log"));
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

  CaptureCheck check(CaptureChecker c, String id, boolean checksum) throws Exception {
    List<CaptureCheck> r = c.check(ref(id), List.of("data"), checksum, () -> false);
    assertThat(r).hasSize(1);
    return r.get(0);
  }

  Path manifestFile(String id) {
    return tmp.resolve("state/snapshots").resolve(id).resolve("data.files");
  }

  @Test
  void aFlippedByte_isReportedByTheFilesPath() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(true);
    assertThat(c.fingerprintKept()).isEqualTo(1);
    assertThat(manifestFile("gs-1")).isRegularFile();
    Files.writeString(capture.resolve("logs/0003.log"), "entrY 3\n"); // same size

    CaptureCheck r = check(c, "gs-1", true);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
    assertThat(r.getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_CONTENT);
    assertThat(r.getDetail()).startsWith("file logs/0003.log differs from the capture (sha256 ")
        .contains("; 1 of 7 entries differ; contents differ");
  }

  @Test
  void aRemovedAndAnAddedFile_areNamed_withoutChecksums() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    Files.delete(capture.resolve("logs/0002.log"));
    Files.writeString(capture.resolve("logs/0009.log"), "entry 9\n");

    CaptureCheck r = check(c, "gs-1", false);
    assertThat(r.getCondition()).as("the counts are the same: only the file list tells")
        .isEqualTo(CaptureCondition.CAPTURE_ALTERED);
    assertThat(r.getDetail()).isEqualTo("missing file logs/0002.log; unexpected file logs/0009.log; "
        + "1 of 7 entries differ, 1 unexpected");
  }

  @Test
  void aResizedFile_isNamedWithItsSizes_withoutChecksums() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    Files.writeString(capture.resolve("header"), "count=33\n");

    assertThat(check(c, "gs-1", false).getDetail())
        .startsWith("file header is 9 bytes, 8 in the capture; 1 of 7 entries differ; ");
  }

  @Test
  void aChecksumCompletingAFingerprint_alsoRecordsEachFilesHash() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    assertThat(check(c, "gs-1", true).getDetail()).contains("recorded one now");
    Files.writeString(capture.resolve("logs/0001.log"), "Entry 1\n");

    assertThat(check(c, "gs-1", true).getDetail()).startsWith("file logs/0001.log differs from the capture");
  }

  @Test
  void aCorruptFileList_isIgnored_andTheCountsStillJudge() throws Exception {
    Path capture = committed("gs-1");
    CaptureChecker c = checker(false);
    c.fingerprintKept();
    Files.write(manifestFile("gs-1"), new byte[] {31, (byte) 139, 8, 0});
    Files.delete(capture.resolve("header"));

    CaptureCheck r = check(c, "gs-1", false);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
    assertThat(r.getDetail()).startsWith("4 files (recorded 5)").contains("file list cannot be used")
        .doesNotContain("missing");
  }

  @Test
  void aCaptureWithoutFileList_isJudgedByItsCounts_asBefore() throws Exception {
    Path capture = committed("gs-1");
    // as recorded before manifests existed: a fingerprint alone
    CaptureFingerprint fp = TreeFingerprint.of(capture, false, () -> false, 1_700_000_000_000L);
    assertThat(catalog.setFingerprint("gs-1", "data", CaptureFingerprint.getDefaultInstance(), fp)).isTrue();
    assertThat(catalog.openManifest("gs-1", "data")).isEmpty();
    Files.delete(capture.resolve("logs/0002.log"));

    CaptureCheck r = check(checker(false), "gs-1", false);
    assertThat(r.getCondition()).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
    assertThat(r.getDetail()).isEqualTo("4 files (recorded 5), 32 bytes (recorded 40)");
  }

  @Test
  void theFileList_isDeletedWithItsCapture_byDeletionAndByTheReaper_andNoDraftIsLeft() throws Exception {
    committed("gs-1");
    committed("gs-2");
    CaptureChecker c = checker(true);
    assertThat(c.fingerprintKept()).isEqualTo(2);
    try (InputStream in = catalog.openManifest("gs-1", "data").orElseThrow()) {
      assertThat(in.readAllBytes()).isNotEmpty();
    }

    assertThat(participant.deleteSnapshot(ref("gs-1"))).isEqualTo(1);
    assertThat(manifestFile("gs-1")).doesNotExist();
    assertThat(manifestFile("gs-1").getParent()).doesNotExist();
    assertThat(catalog.openManifest("gs-1", "data")).isEmpty();
    assertThat(manifestFile("gs-2")).isRegularFile();
    assertThat(participant.reap("gs-2")).as("the reaper, for a group snapshot recorded DELETED").isEqualTo(1);
    assertThat(manifestFile("gs-2")).doesNotExist();
    try (Stream<Path> drafts = Files.list(tmp.resolve("state/manifest-drafts"))) {
      assertThat(drafts).isEmpty();
    }
  }
}
