package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test restore of a btrfs volume on a real btrfs: the scratch copy is a writable snapshot (a subvolume of its own),
 * and it is removed all the same, as is one a killed agent left behind.
 */
class BtrfsTestRestoreTest {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.BTRFS);
  @TempDir Path tmp;

  @Test
  void aWritableSnapshotAsScratch_isVerifiedAndRemoved_andOneLeftBehindIsRemovedAtStart() throws Exception {
    LoopFs fs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
    Path data = fs.createSubvolume("data");
    Files.writeString(data.resolve("ledger"), "balance 100");
    VolumeSetup<?> setup = Kinds.setUp(new VolumeConfig("db", "btrfs", data, Map.of()));
    KindContext context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
    setup.validate(context);
    Volume v = setup.create(context);
    Path target = v.captureTarget("gs-1");
    v.check(target);
    Path capture = v.capture(target);
    SnapshotCatalog catalog = SnapshotCatalog.inMemory();
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId("gs-1").setVolume("db").setPath(capture.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    Path roots = Files.createDirectories(fs.mountPoint().resolve("restores"));

    try (RestoreManager m = manager(v, catalog, roots)) {
      m.start(new TxnRef(CLUSTER, 1, "gs-1"), "v1", List.of(), false, true);
      MemberRestore done = await().atMost(Duration.ofSeconds(30)).until(() -> m.status("v1").orElseThrow().get(0),
          x -> x.getState() != RestoreState.RESTORE_RUNNING);
      assertThat(done.getMethod()).isEqualTo("btrfs-snapshot");
      assertThat(done.getVerification()).as(done.getVerificationReason()).isEqualTo(Verification.VERIFIED);
      assertThat(done.getScratchRemoved()).isTrue();
      assertThat(List.of(roots.toFile().list())).isEmpty();
    }

    // an agent killed mid-check leaves its writable snapshot behind; the next one removes it as it starts
    Path left = Files.createDirectories(roots.resolve(".verify-old"));
    v.restorer(capture, left.resolve("db")).materialize(left.resolve("db"));
    assertThat(left.resolve("db/ledger")).hasContent("balance 100");
    try (RestoreManager m = manager(v, catalog, roots)) {
      assertThat(List.of(roots.toFile().list())).isEmpty();
    }
    assertThat(capture.resolve("ledger")).hasContent("balance 100");
  }

  private static RestoreManager manager(Volume v, SnapshotCatalog catalog, Path roots) throws Exception {
    return new RestoreManager("a1", List.of(v), List.of(), catalog, new EpochFence(EpochFence.Store.inMemory(),
        CLUSTER), new RestoreTargets(List.of(roots), List.of(v)), dir -> Long.MAX_VALUE, 1, Clock.systemUTC(),
        RestoredCheck.filesOnly());
  }
}
