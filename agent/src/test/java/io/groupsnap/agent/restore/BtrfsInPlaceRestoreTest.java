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
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.VolumeTarget;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-place restores of btrfs volumes on a real btrfs (a loop device), with the leader's records in a real ZooKeeper:
 * a subvolume stages as a writable snapshot of its capture beside the live one, switches by renames, and the
 * subvolume set aside (replaced at CONFIRM, staged at DISCARD) is deleted as a subvolume, leaving none behind; a live
 * plain directory is replaced all the same; a volume that is the mount itself switches entry by entry.
 */
class BtrfsInPlaceRestoreTest {
  static final String R = "r-1";
  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.BTRFS);
  @TempDir Path tmp;
  InPlaceFixture f;
  LoopFs fs;
  Volume v;
  Map<String, String> captured;
  Map<String, String> previous;

  @BeforeEach
  void setUp() throws Exception {
    f = new InPlaceFixture(tmp);
    fs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  /** A btrfs volume at {@code live}, captured as {@link InPlaceFixture#GS}, then changed. */
  private void volume(Path live) throws Exception {
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Files.createDirectories(live.resolve("wal"));
    Files.write(live.resolve("wal/0001"), new byte[] {0, 1, 2, (byte) 255});
    VolumeSetup<?> setup = Kinds.setUp(new VolumeConfig("bt", "btrfs", live, Map.of()));
    KindContext context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("kind-state"));
    setup.validate(context);
    v = setup.create(context);
    captured = data(live);
    f.capture(v, InPlaceFixture.GS);
    Files.writeString(live.resolve("ledger"), "balance 70\n");
    Files.write(live.resolve("wal/0002"), new byte[] {9, 9});
    previous = data(live);
  }

  /** A tree's description without groupsnap's own entries at its top (a capture directory inside a mount). */
  private static Map<String, String> data(Path root) throws Exception {
    Map<String, String> d = new TreeMap<>(Trees.describe(root));
    d.keySet().removeIf(k -> k.startsWith(".groupsnap"));
    return d;
  }

  private InPlaceRestores staged() throws Exception {
    InPlaceRestores a = f.agent(List.of(v), List.of(), VolumeSwitch.Between.NOTHING);
    a.stage(ref(3), R, List.of(VolumeTarget.newBuilder().setVolume("bt").build()), false);
    await().atMost(Duration.ofSeconds(60)).until(() -> a.status(R).orElseThrow().stream()
        .allMatch(m -> m.getState() != RestoreState.RESTORE_RUNNING));
    assertThat(a.status(R).orElseThrow()).extracting(MemberRestore::getState).containsOnly(RestoreState
        .RESTORE_DONE);
    return a;
  }

  private static void ok(InPlaceRestores a, InPlaceStep s) throws Exception {
    StepInPlaceResponse r = a.step(ref(3), R, s, s == InPlaceStep.START_WRITERS);
    assertThat(r.getOk()).as(s + ": " + r.getError()).isTrue();
  }

  private static boolean isSubvolume(Path p) throws Exception {
    return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue() == 256;
  }

  /** The paths of every subvolume on the file system, relative to its top. */
  private List<String> subvolumes() throws Exception {
    return Arrays.stream(LoopFs.run("btrfs", "subvolume", "list", fs.mountPoint().toString()).split("\n"))
        .filter(l -> l.contains(" path ")).map(l -> l.substring(l.indexOf(" path ") + 6).strip()).sorted().toList();
  }

  @Test
  void aSubvolume_stagesAWritableSnapshot_switches_andConfirmDeletesTheReplacedSubvolume() throws Exception {
    Path live = fs.createSubvolume("data");
    volume(live);
    InPlaceRestores a = staged();
    VolumeSwitch sw = VolumeSwitch.beside(live, R);
    assertThat(a.status(R).orElseThrow().get(0).getMethod()).isEqualTo("btrfs-snapshot");
    assertThat(isSubvolume(sw.staged())).as("staged as a subvolume").isTrue();
    assertThat(LoopFs.isReadOnlySubvolume(sw.staged())).as("writable").isFalse();
    assertThat(data(sw.staged())).isEqualTo(captured);
    assertThat(data(live)).isEqualTo(previous);

    ok(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    ok(a, InPlaceStep.SWITCH);
    ok(a, InPlaceStep.START_WRITERS);
    assertThat(data(live)).isEqualTo(captured);
    assertThat(data(sw.replaced())).isEqualTo(previous);
    ok(a, InPlaceStep.CONFIRM);

    assertThat(data(live)).isEqualTo(captured);
    assertThat(isSubvolume(live)).isTrue();
    assertThat(sw.replaced()).doesNotExist();
    assertThat(sw.staged()).doesNotExist();
    assertThat(subvolumes()).containsExactly(".groupsnap/bt/gs-1", "data");
    Files.writeString(live.resolve("ledger"), "balance 100, then more\n"); // live is writable
  }

  @Test
  void aDiscardAfterTheStage_deletesTheStagedSubvolume() throws Exception {
    Path live = fs.createSubvolume("data");
    volume(live);
    InPlaceRestores a = staged();
    assertThat(subvolumes()).contains("." + "data.groupsnap-staged-" + R);
    ok(a, InPlaceStep.DISCARD);
    assertThat(VolumeSwitch.beside(live, R).staged()).doesNotExist();
    assertThat(data(live)).isEqualTo(previous);
    assertThat(subvolumes()).containsExactly(".groupsnap/bt/gs-1", "data");
  }

  @Test
  void aRollback_putsThePreviousSubvolumeBack_andDiscardDeletesTheRestoredOne() throws Exception {
    Path live = fs.createSubvolume("data");
    volume(live);
    InPlaceRestores a = staged();
    ok(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    ok(a, InPlaceStep.SWITCH);
    ok(a, InPlaceStep.START_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);
    ok(a, InPlaceStep.STOP_WRITERS);
    ok(a, InPlaceStep.SWITCH_BACK);
    assertThat(data(live)).isEqualTo(previous);
    ok(a, InPlaceStep.DISCARD);
    assertThat(data(live)).isEqualTo(previous);
    assertThat(isSubvolume(live)).isTrue();
    assertThat(subvolumes()).containsExactly(".groupsnap/bt/gs-1", "data");
  }

  /** The live subvolume was replaced by a plain directory since the capture: it is replaced and deleted as files. */
  @Test
  void aLivePlainDirectory_isReplacedByASubvolume_andDeletedAsFilesAtConfirm() throws Exception {
    Path live = fs.createSubvolume("data");
    volume(live);
    LoopFs.run("btrfs", "subvolume", "delete", live.toString());
    Files.createDirectories(live.resolve("wal"));
    Files.writeString(live.resolve("ledger"), "a plain directory now\n");
    assertThat(isSubvolume(live)).isFalse();
    InPlaceRestores a = staged();
    ok(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    ok(a, InPlaceStep.SWITCH);
    ok(a, InPlaceStep.START_WRITERS);
    ok(a, InPlaceStep.CONFIRM);
    assertThat(data(live)).isEqualTo(captured);
    assertThat(isSubvolume(live)).isTrue();
    assertThat(VolumeSwitch.beside(live, R).replaced()).doesNotExist();
    assertThat(subvolumes()).containsExactly(".groupsnap/bt/gs-1", "data");
  }

  /**
   * The volume is the mounted top of the btrfs, a mount point: it stages a copy inside the mount (a snapshot there
   * would be a subvolume, whose entries cannot be renamed out of it) and switches entry by entry; the capture
   * directory inside the mount stays where it is.
   */
  @Test
  void theMountItself_stagesInsideIt_andSwitchesEntryByEntry() throws Exception {
    Path live = fs.mountPoint();
    volume(live);
    InPlaceRestores a = staged();
    MountSwitch sw = MountSwitch.inside(live, R, MountSwitch.Plans.NONE, VolumeSwitch.Between.NOTHING);
    assertThat(a.status(R).orElseThrow().get(0).getMethod()).isIn("reflink", "copy");
    assertThat(isSubvolume(sw.staged())).isFalse();
    assertThat(data(sw.staged())).isEqualTo(captured);

    ok(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    ok(a, InPlaceStep.SWITCH);
    ok(a, InPlaceStep.START_WRITERS);
    assertThat(data(live)).isEqualTo(captured);
    ok(a, InPlaceStep.CONFIRM);

    assertThat(data(live)).isEqualTo(captured);
    try (var top = Files.list(live)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ledger", "wal", ".groupsnap");
    }
    assertThat(subvolumes()).containsExactly(".groupsnap/bt/gs-1");
    assertThat(data(v.captureTarget(InPlaceFixture.GS))).as("the capture untouched").isEqualTo(captured);
  }
}
