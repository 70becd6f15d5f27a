package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.dir.DirVolume;
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
 * Test restores whose checked copies are kept for the leader's group check ({@code keep_scratch}): the copy stays,
 * verified, until DiscardRestore removes it, or until the agent's keep limit passes when no discard comes.
 */
class KeptScratchTest {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  static final String GS = "gs-1";

  @TempDir Path tmp;
  Path live;
  Path roots;
  DirVolume volume;
  SnapshotCatalog catalog = SnapshotCatalog.inMemory();
  RestoreManager manager;

  @BeforeEach
  void setUp() throws Exception {
    live = Files.createDirectories(tmp.resolve("live"));
    roots = tmp.resolve("restores");
    volume = new DirVolume("db", live, tmp.resolve("snaps"));
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Path target = volume.captureTarget(GS);
    volume.check(target);
    Path capture = volume.capture(target);
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume("db").setPath(capture.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
  }

  @AfterEach
  void tearDown() {
    if (manager != null) {
      manager.close();
    }
  }

  private RestoreManager manager(Duration keepFor) throws Exception {
    List<Volume> volumes = List.of(volume);
    return new RestoreManager("a1", volumes, List.of(), catalog, new EpochFence(EpochFence.Store.inMemory(),
        CLUSTER), new RestoreTargets(List.of(roots), volumes), dir -> Long.MAX_VALUE, 2, Clock.systemUTC(),
        new RestoredCheck(List.of(new VolumeConfig("db", "dir", live, Map.of(), List.of(),
            VolumeConfig.VERIFY_TIMEOUT)), CommandRunner.system()), keepFor);
  }

  private MemberRestore keptTestRestore(String restoreId) throws Exception {
    manager.start(new TxnRef(CLUSTER, 3, GS), restoreId, List.of(), false, true, true);
    return await().atMost(Duration.ofSeconds(30)).until(() -> manager.status(restoreId).orElseThrow().get(0),
        m -> m.getState() != RestoreState.RESTORE_RUNNING);
  }

  private List<String> scratchDirs() {
    return Files.exists(roots) ? List.of(roots.toFile().list()) : List.of();
  }

  @Test
  void aKeptCopy_isCheckedAndStays_untilDiscarded_andDiscardIsIdempotent() throws Exception {
    manager = manager(Duration.ofHours(1));
    MemberRestore m = keptTestRestore("verify-k1");
    assertThat(m.getState()).as(m.getError()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(m.getScratchRemoved()).isFalse();
    assertThat(Path.of(m.getPath()).resolve("ledger")).hasContent("balance 100\n");

    assertThat(manager.discard("verify-k1")).hasValueSatisfying(v -> assertThat(v).singleElement()
        .satisfies(d -> assertThat(d.getScratchRemoved()).isTrue()));
    assertThat(Path.of(m.getPath())).doesNotExist();
    assertThat(scratchDirs()).isEmpty();
    assertThat(manager.status("verify-k1").orElseThrow().get(0).getVerification()).isEqualTo(Verification.VERIFIED);

    assertThat(manager.discard("verify-k1")).hasValueSatisfying(v -> assertThat(v).singleElement()
        .satisfies(d -> assertThat(d.getScratchRemoved()).isTrue()));
    assertThat(manager.discard("verify-unknown")).isEmpty();
  }

  @Test
  void aKeptCopyNobodyDiscards_isRemovedOnceItsKeepLimitPasses() throws Exception {
    manager = manager(Duration.ofMillis(300));
    MemberRestore m = keptTestRestore("verify-k2");
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.status("verify-k2").orElseThrow().get(0)
        .getScratchRemoved());
    assertThat(Path.of(m.getPath())).doesNotExist();
    assertThat(scratchDirs()).isEmpty();
  }

  @Test
  void keepingScratch_isOnlyForATestRestore() throws Exception {
    manager = manager(Duration.ofHours(1));
    assertThatThrownBy(() -> manager.start(new TxnRef(CLUSTER, 3, GS), "restore-1", List.of(), false, false, true))
        .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("keep_scratch");
    assertThat(scratchDirs()).isEmpty();
  }
}
