package io.groupsnap.agent.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrub on a real btrfs (root, loop device): captures live on the volume's own file system, as read-only
 * subvolumes, and are found through the kind rather than as directories under the snapshot root.
 */
class CaptureCheckerBtrfsTest {
  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.BTRFS);
  @TempDir Path tmp;
  Volume volume;
  SnapshotCatalog catalog;
  CaptureChecker checker;

  @BeforeEach
  void setUp() throws Exception {
    LoopFs btrfs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
    Path data = btrfs.createSubvolume("data");
    Files.writeString(data.resolve("ledger"), "balance=100\n");
    KindContext context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
    VolumeConfig c = new VolumeConfig("db", "btrfs", data, Map.of());
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    volume = setup.create(context);
    catalog = SnapshotCatalog.onDisk(tmp.resolve("state"));
    EpochFence fence = new EpochFence(EpochFence.Store.inMemory(), "c-1");
    checker = new CaptureChecker("a1", List.of(volume), catalog, fence, () -> false, false, Clock.systemUTC());
  }

  Path kept(String id) throws Exception {
    volume.check(volume.captureTarget(id));
    Path p = volume.capture(volume.captureTarget(id));
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(id).setVolume("db").setPath(p.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    return p;
  }

  CaptureCheck check(String id) throws Exception {
    List<CaptureCheck> r = checker.check(new TxnRef("c-1", 1, id), List.of("db"), false, () -> false);
    assertThat(r).hasSize(1);
    return r.get(0);
  }

  @Test
  void aSnapshotSubvolume_isFingerprinted_andOneDestroyedBehindTheCatalogsBack_isMissing() throws Exception {
    Path capture = kept("gs-1");
    assertThat(checker.fingerprintKept()).isEqualTo(1);
    assertThat(catalog.list("gs-1").get(0).getFingerprint().getFiles()).isEqualTo(1);
    CaptureCheck present = check("gs-1");
    assertThat(present.getCondition()).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    assertThat(present.getDepth()).isEqualTo(CheckDepth.CHECK_DEPTH_COUNTS);

    volume.delete(capture);
    Files.createDirectories(capture); // a plain directory in its place is not the capture
    CaptureCheck missing = check("gs-1");
    assertThat(missing.getCondition()).isEqualTo(CaptureCondition.CAPTURE_MISSING);
    assertThat(missing.getDetail()).contains(capture.toString());
  }
}
