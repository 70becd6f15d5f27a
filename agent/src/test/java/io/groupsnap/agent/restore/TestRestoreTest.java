package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.VolumeConfig;
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
import io.groupsnap.proto.v1.VolumeTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test restores on one agent ({@code verify}): the capture restored to scratch space, every file read back and
 * compared with the capture's recorded fingerprint, the volume's verify command run, and the scratch removed in every
 * outcome.
 */
class TestRestoreTest {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  static final String GS = "gs-1";

  @TempDir Path tmp;
  Path live;
  Path roots;
  DirVolume volume;
  SnapshotCatalog catalog = SnapshotCatalog.inMemory();
  RestoreManager manager;
  Path capture;

  @BeforeEach
  void setUp() throws Exception {
    live = Files.createDirectories(tmp.resolve("live"));
    roots = tmp.resolve("restores");
    volume = new DirVolume("db", live, tmp.resolve("snaps"));
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Files.createDirectories(live.resolve("wal/segments"));
    Files.write(live.resolve("wal/segments/0001"), new byte[] {0, 1, 2, (byte) 255});
    Files.createSymbolicLink(live.resolve("current"), Path.of("wal/segments/0001"));
    Path target = volume.captureTarget(GS);
    volume.check(target);
    capture = volume.capture(target);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume("db").setPath(capture.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
  }

  @AfterEach
  void tearDown() {
    if (manager != null) {
      manager.close();
    }
  }

  private RestoreManager manager(List<String> verify, Duration timeout) throws Exception {
    List<Volume> volumes = List.of(volume);
    return new RestoreManager("a1", volumes, List.of(), catalog, new EpochFence(EpochFence.Store.inMemory(),
        CLUSTER), new RestoreTargets(List.of(roots), volumes), dir -> Long.MAX_VALUE, 2, Clock.systemUTC(),
        new RestoredCheck(List.of(new VolumeConfig("db", "dir", live, Map.of(), verify, timeout)),
            CommandRunner.system()));
  }

  /** What the scrub records after the commit: a fingerprint with a checksum. */
  private void recordFingerprint() throws Exception {
    CaptureFingerprint fp = TreeFingerprint.of(capture, true, () -> false, 1_700_000_000_000L);
    assertThat(catalog.setFingerprint(GS, "db", CaptureFingerprint.getDefaultInstance(), fp)).isTrue();
  }

  private MemberRestore verify(String restoreId) throws Exception {
    List<MemberRestore> started = manager.start(new TxnRef(CLUSTER, 3, GS), restoreId, List.of(), false, true);
    assertThat(started).singleElement().satisfies(m -> {
      assertThat(m.getState()).isEqualTo(RestoreState.RESTORE_RUNNING);
      assertThat(m.getPath()).startsWith(roots.resolve(".verify-" + restoreId).toString());
    });
    return await().atMost(Duration.ofSeconds(30)).until(() -> manager.status(restoreId).orElseThrow().get(0),
        m -> m.getState() != RestoreState.RESTORE_RUNNING);
  }

  private void assertScratchGone(MemberRestore m) throws Exception {
    assertThat(m.getScratchRemoved()).isTrue();
    assertThat(Path.of(m.getPath())).doesNotExist();
    assertThat(Files.exists(roots) ? List.of(roots.toFile().list()) : List.of()).isEmpty();
    assertThat(capture.resolve("ledger")).exists(); // the capture itself is untouched
  }

  private Path script(String body) throws Exception {
    Path s = tmp.resolve("check.sh");
    Files.writeString(s, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
    return s;
  }

  @Test
  void aGoodCapture_isVerified_andItsScratchRemoved() throws Exception {
    recordFingerprint();
    manager = manager(List.of(), VolumeConfig.VERIFY_TIMEOUT);
    MemberRestore m = verify("v1");
    assertThat(m.getState()).as(m.getError()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(m.getVerificationReason()).contains("2 files").contains("contents match the capture's fingerprint");
    assertScratchGone(m);
  }

  @Test
  void aCaptureWithOneCorruptedFile_fails_namingTheMemberAndTheDifference() throws Exception {
    recordFingerprint();
    // the same length, one byte changed: only the contents tell
    Files.write(capture.resolve("wal/segments/0001"), new byte[] {0, 1, 2, (byte) 254});
    manager = manager(List.of(), VolumeConfig.VERIFY_TIMEOUT);
    MemberRestore m = verify("v1");
    assertThat(m.getAgentId()).isEqualTo("a1");
    assertThat(m.getVolume()).isEqualTo("db");
    assertThat(m.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(m.getVerificationReason()).contains("differs from the capture's fingerprint")
        .contains("contents differ").doesNotContain("\n");
    assertScratchGone(m);

    // a file cut short changes the counts, which name what differs
    Files.write(capture.resolve("wal/segments/0001"), new byte[] {0});
    MemberRestore again = verify("v2");
    assertThat(again.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(again.getVerificationReason()).contains("13 bytes (recorded 16)");
    assertScratchGone(again);
  }

  @Test
  void withoutARecordedFingerprint_everyFileIsStillReadBack_andTheVerdictSaysSo() throws Exception {
    manager = manager(List.of(), VolumeConfig.VERIFY_TIMEOUT);
    MemberRestore m = verify("v1");
    assertThat(m.getVerification()).isEqualTo(Verification.VERIFIED);
    assertThat(m.getVerificationReason()).contains("read back").contains("no fingerprint");
    assertScratchGone(m);
  }

  @Test
  void theVolumesVerifyCommand_runsOnTheRestoredCopy_andItsFailureFailsWithItsOutputTail() throws Exception {
    recordFingerprint();
    Path ok = script("test \"$(cat \"$1/ledger\")\" = 'balance 100' || exit 9\necho \"checked $2\"");
    manager = manager(List.of(ok.toString(), "{path}", "{volume}"), VolumeConfig.VERIFY_TIMEOUT);
    MemberRestore good = verify("v1");
    assertThat(good.getVerification()).as(good.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(good.getVerifyOutputTail()).isEqualTo("checked db");
    assertScratchGone(good);
    manager.close();

    Path bad = script("i=0; while [ $i -lt 3000 ]; do echo \"row $i fine\"; i=$((i+1)); done\n"
        + "echo 'ledger does not balance' >&2\nexit 3");
    manager = manager(List.of(bad.toString(), "{path}"), VolumeConfig.VERIFY_TIMEOUT);
    MemberRestore failed = verify("v2");
    assertThat(failed.getState()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(failed.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(failed.getVerificationReason()).contains("exited 3: ledger does not balance");
    assertThat(failed.getVerifyOutputTail()).hasSizeLessThanOrEqualTo(RestoredCheck.OUTPUT_TAIL)
        .endsWith("ledger does not balance").doesNotContain("row 0 fine");
    assertScratchGone(failed);
  }

  @Test
  void aVerifyCommandThatDoesNotFinish_isKilled_failsTheVerdict_andTheScratchIsRemoved() throws Exception {
    manager = manager(List.of(script("exec sleep 60").toString()), Duration.ofMillis(300));
    MemberRestore m = verify("v1");
    assertThat(m.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(m.getVerificationReason()).contains("did not finish within");
    assertScratchGone(m);
  }

  @Test
  void aCommandThatCannotStart_failsTheVerdict_andTheScratchIsRemoved() throws Exception {
    manager = manager(List.of(tmp.resolve("no-such-check").toString()), VolumeConfig.VERIFY_TIMEOUT);
    MemberRestore m = verify("v1");
    assertThat(m.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(m.getVerificationReason()).contains("cannot be started");
    assertScratchGone(m);
  }

  @Test
  void aRestoreThatFailsHalfWay_failsTheVerdict_andItsPartialCopyIsRemoved() throws Exception {
    Path half = script("mkdir -p \"$1/d\" && echo half > \"$1/d/written\" && echo 'disk full' >&2 && exit 1");
    var setup = io.groupsnap.agent.config.Kinds.setUp(new VolumeConfig("ext", "exec", live, Map.of(
        "create", "[\"/bin/mkdir\", \"{target}\"]", "delete", "[\"/bin/true\"]",
        "list", "[\"/bin/echo\", \"" + GS + "\"]",
        "restore", "[\"" + half + "\", \"{to}\"]", "allowUnheld", "true")));
    var context = io.groupsnap.agent.kinds.KindContext.of(tmp.resolve("exec-snaps"), tmp.resolve("state"));
    setup.validate(context);
    Volume ext = setup.create(context);
    Path t = ext.captureTarget(GS);
    ext.check(t);
    Path c = ext.capture(t);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume("ext").setPath(c.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    manager = new RestoreManager("a1", List.of(ext), List.of(), catalog, new EpochFence(EpochFence.Store.inMemory(),
        CLUSTER), new RestoreTargets(List.of(roots), List.of(ext)), dir -> Long.MAX_VALUE, 2, Clock.systemUTC(),
        RestoredCheck.filesOnly());
    manager.start(new TxnRef(CLUSTER, 3, GS), "v1", List.of(VolumeTarget.newBuilder().setVolume("ext").build()),
        false, true);
    MemberRestore m = await().atMost(Duration.ofSeconds(30)).until(() -> manager.status("v1").orElseThrow().get(0),
        x -> x.getState() != RestoreState.RESTORE_RUNNING);
    assertThat(m.getState()).isEqualTo(RestoreState.RESTORE_FAILED);
    assertThat(m.getVerification()).isEqualTo(Verification.VERIFICATION_FAILED);
    assertThat(m.getVerificationReason()).startsWith("the restore failed: ").contains("disk full");
    assertThat(m.getScratchRemoved()).isTrue();
    assertThat(List.of(roots.toFile().list())).isEmpty();
  }

  @Test
  void aTestRestore_choosesItsOwnScratch_aGivenTargetIsRefused() throws Exception {
    manager = manager(List.of(), VolumeConfig.VERIFY_TIMEOUT);
    assertThatThrownBy(() -> manager.start(new TxnRef(CLUSTER, 3, GS), "v1", List.of(VolumeTarget.newBuilder()
        .setVolume("db").setTarget(roots.resolve("x").toString()).build()), false, true))
        .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("scratch");
    assertThat(roots).doesNotExist();
    RestoreTargets t = new RestoreTargets(List.of(roots), List.of(volume));
    assertThat(t.scratchTarget("v1", "db")).isEqualTo(roots.resolve(".verify-v1/db"));
    assertThat(t.scratchTarget("verify-20261203-101500-1a2b3c", "db"))
        .isEqualTo(roots.resolve(".verify-20261203-101500-1a2b3c/db")); // the leader's ids: no ".verify-verify-"
  }

  @Test
  void scratchLeftByAKilledAgent_isRemovedWhenTheNextStarts() throws Exception {
    Path left = Files.createDirectories(roots.resolve(".verify-old/db/sub"));
    Files.writeString(left.resolve("f"), "x");
    Path kept = Files.createDirectories(roots.resolve("gs-0/db"));
    manager = manager(List.of(), VolumeConfig.VERIFY_TIMEOUT);
    assertThat(roots.resolve(".verify-old")).doesNotExist();
    assertThat(kept).exists(); // an operator's restore is not scratch
  }
}
