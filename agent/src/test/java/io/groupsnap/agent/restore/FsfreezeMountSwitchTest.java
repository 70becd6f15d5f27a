package io.groupsnap.agent.restore;

import static io.groupsnap.agent.restore.InPlaceFixture.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.VolumeTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An in-place restore of an fsfreeze volume, a whole ext4 mounted on a loop device: it stages inside the mount,
 * switches entry by entry, and confirmed, the mount holds exactly what was captured and nothing hidden. A capture
 * taken while the replaced data is still kept (SWITCHED: snapshots are allowed) leaves the hidden tree out.
 */
class FsfreezeMountSwitchTest {
  static final String R = "r-1";
  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.EXT4);
  @TempDir Path tmp;
  InPlaceFixture f;

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  private void capture(Volume v, String id) throws Exception {
    Path target = v.captureTarget(id);
    v.check(target);
    Volume.Frozen frozen = v.freeze();
    Path c;
    try {
      c = v.capture(target);
    } finally {
      frozen.thaw();
    }
    f.catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(id).setVolume(v.name()).setPath(c.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
  }

  private static void ok(InPlaceRestores a, InPlaceStep s) throws Exception {
    StepInPlaceResponse r = a.step(ref(3), R, s, s == InPlaceStep.START_WRITERS);
    assertThat(r.getOk()).as(s + ": " + r.getError()).isTrue();
  }

  @Test
  void aWholeExt4_isRestoredInPlace_entryByEntry_andNothingHiddenIsLeftOrCaptured() throws Exception {
    f = new InPlaceFixture(tmp);
    LoopFs fs = loop.create(LoopFs.Type.EXT4, 32L << 20);
    Path mount = fs.mountPoint();
    Files.writeString(mount.resolve("ledger"), "balance 100\n");
    Files.createDirectories(mount.resolve("wal"));
    Files.write(mount.resolve("wal/0001"), new byte[] {0, 1, 2, (byte) 255});
    Files.createSymbolicLink(mount.resolve("current"), Path.of("wal/0001"));
    VolumeSetup<?> setup = Kinds.setUp(new VolumeConfig("fs", "fsfreeze", mount, Map.of()));
    // the copies go onto another file system (never the frozen one), which is thrown away whole: they are immutable
    LoopFs snaps = loop.create(LoopFs.Type.EXT4, 16L << 20);
    KindContext context = KindContext.of(snaps.mountPoint().resolve("snaps"), tmp.resolve("kind-state"));
    setup.validate(context);
    Volume v = setup.create(context);
    Map<String, String> captured = Trees.describe(mount);
    capture(v, InPlaceFixture.GS);
    Files.writeString(mount.resolve("ledger"), "balance 70\n");
    Files.write(mount.resolve("wal/0002"), new byte[] {9, 9});
    Files.delete(mount.resolve("current"));
    Files.writeString(mount.resolve("only-after"), "x");
    Map<String, String> previous = Trees.describe(mount);

    InPlaceRestores a = f.agent(List.of(v), List.of(), VolumeSwitch.Between.NOTHING);
    a.stage(ref(3), R, List.of(VolumeTarget.newBuilder().setVolume("fs").build()), false);
    await().atMost(Duration.ofSeconds(60)).until(() -> a.status(R).orElseThrow().stream()
        .allMatch(m -> m.getState() != RestoreState.RESTORE_RUNNING));
    assertThat(a.status(R).orElseThrow()).extracting(MemberRestore::getState).containsOnly(RestoreState
        .RESTORE_DONE);
    MountSwitch sw = MountSwitch.inside(mount, R, MountSwitch.Plans.NONE, VolumeSwitch.Between.NOTHING);
    assertThat(a.status(R).orElseThrow().get(0).getPath()).isEqualTo(sw.staged().toString());
    assertThat(Trees.describe(sw.staged())).isEqualTo(captured);

    ok(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    ok(a, InPlaceStep.SWITCH);
    ok(a, InPlaceStep.START_WRITERS);
    assertThat(sw.state()).isEqualTo(VolumeSwitch.State.NEW);
    Map<String, String> replacedKept = Trees.describe(sw.replaced());
    assertThat(replacedKept).containsKeys("only-after", "wal/0002").doesNotContainKey("lost+found");

    // a group snapshot while SWITCHED: its capture must not take the replaced data in
    capture(v, "gs-2");
    try (var top = Files.list(v.captureTarget("gs-2"))) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ledger", "wal", "current",
          "lost+found");
    }

    ok(a, InPlaceStep.CONFIRM);
    assertThat(Trees.describe(mount)).isEqualTo(captured);
    assertThat(sw.replaced()).doesNotExist();
    assertThat(sw.staged()).doesNotExist();
    assertThat(previous).isNotEqualTo(captured);
  }
}
