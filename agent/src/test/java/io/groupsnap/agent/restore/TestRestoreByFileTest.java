package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.scrub.TreeFingerprint;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test restores ({@code verify}) of captures whose file manifest was recorded with their fingerprint, as the scrub
 * records it after the commit: a FAILED verdict names the files that differ. On the real on-disk catalog.
 */
class TestRestoreByFileTest {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  static final String GS = "gs-1";

  @TempDir Path tmp;
  Path live;
  Path roots;
  DirVolume volume;
  SnapshotCatalog catalog;
  RestoreManager manager;
  Path capture;

  @BeforeEach
  void setUp() throws Exception {
    catalog = SnapshotCatalog.onDisk(tmp.resolve("state"));
    live = Files.createDirectories(tmp.resolve("live"));
    roots = tmp.resolve("restores");
    volume = new DirVolume("db", live, tmp.resolve("snaps"));
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Files.createDirectories(live.resolve("wal/segments"));
    Files.write(live.resolve("wal/segments/0001"), new byte[] {0, 1, 2, (byte) 255});
    Files.write(live.resolve("wal/segments/0002"), new byte[] {3, 4});
    Files.createSymbolicLink(live.resolve("current"), Path.of("wal/segments/0002"));
    Path target = volume.captureTarget(GS);
    volume.check(target);
    capture = volume.capture(target);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume("db").setPath(capture.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    List<Volume> volumes = List.of(volume);
    EpochFence fence = new EpochFence(EpochFence.Store.inMemory(), CLUSTER);
    manager = new RestoreManager("a1", volumes, List.of(), catalog, fence, new RestoreTargets(List.of(roots),
        volumes), dir -> Long.MAX_VALUE, 2, Clock.systemUTC(), new RestoredCheck(List.of(new VolumeConfig("db",
        "dir", live, Map.of(), List.of(), VolumeConfig.VERIFY_TIMEOUT)), CommandRunner.system()));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  /** What the agent records after the commit with {@code checksumCaptures: true}: fingerprint and file list. */
  private void recordAfterCommit() throws Exception {
    CaptureChecker checker = new CaptureChecker("a1", List.of(volume), catalog,
        new EpochFence(EpochFence.Store.inMemory(), CLUSTER), () -> false, true, Clock.systemUTC());
    assertThat(checker.fingerprintKept()).isEqualTo(1);
    assertThat(catalog.openManifest(GS, "db")).isPresent();
  }

  private MemberRestore verify(String restoreId) throws Exception {
    manager.start(new TxnRef(CLUSTER, 3, GS), restoreId, List.of(), false, true);
    MemberRestore m = await().atMost(Duration.ofSeconds(30))
        .until(() -> manager.status(restoreId).orElseThrow().get(0), r -> r.getState() != RestoreState.RESTORE_RUNNING);
    assertThat(m.getScratchRemoved()).isTrue();
    return m;
  }

  private static String failed(MemberRestore m) {
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(m.getVerificationReason()).startsWith("the restored copy differs from the capture's fingerprint")
        .doesNotContain("\n");
    return m.getVerificationReason();
  }

  @Test
  void anIntactCapture_isVerified_entryByEntry() throws Exception {
    recordAfterCommit();
    MemberRestore m = verify("v1");
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(m.getVerificationReason())
        .contains("contents match the capture's fingerprint and each of its 6 entries");
  }

  @Test
  void aFlippedByte_failsNamingTheFile() throws Exception {
    recordAfterCommit();
    Files.write(capture.resolve("wal/segments/0001"), new byte[] {0, 1, 2, (byte) 254}); // same size
    assertThat(failed(verify("v1"))).contains(": file wal/segments/0001 differs from the capture (sha256 ")
        .contains("; 1 of 6 entries differ; contents differ");
  }

  @Test
  void aRemovedFile_failsNamingIt() throws Exception {
    recordAfterCommit();
    Files.delete(capture.resolve("ledger"));
    assertThat(failed(verify("v1"))).contains(": missing file ledger; 1 of 6 entries differ");
  }

  @Test
  void anAddedFile_failsNamingIt_printedOnOneLine() throws Exception {
    recordAfterCommit();
    Files.writeString(capture.resolve("wal/stray\nline"), "x");
    assertThat(failed(verify("v1"))).contains(": unexpected file wal/stray\\nline; 1 unexpected");
  }

  @Test
  void aCaptureWithoutFileList_isStillVerifiedByItsFingerprint_asBefore() throws Exception {
    CaptureFingerprint fp = TreeFingerprint.of(capture, true, () -> false, 1_700_000_000_000L);
    assertThat(catalog.setFingerprint(GS, "db", CaptureFingerprint.getDefaultInstance(), fp)).isTrue();
    assertThat(catalog.openManifest(GS, "db")).isEmpty();
    MemberRestore good = verify("v1");
    assertThat(good.getVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(good.getVerificationReason()).endsWith("contents match the capture's fingerprint");

    Files.write(capture.resolve("wal/segments/0001"), new byte[] {0, 1, 2, (byte) 254});
    assertThat(failed(verify("v2"))).contains(": contents differ (SHA-256 ").doesNotContain("0001");
  }
}
