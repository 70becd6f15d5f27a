package io.groupsnap.agent.restore;

import static io.groupsnap.agent.restore.InPlaceFixture.GS;
import static io.groupsnap.agent.restore.InPlaceFixture.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.fakes.FakeLvm;
import io.groupsnap.agent.restore.InPlaceFixture.StopWriter;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.lvm.LvmSnapshotSize;
import io.groupsnap.agent.volume.lvm.LvmVolume;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.SwitchState;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-place restores of an lvm volume through the agent, against a fake LVM and mount table with state: nothing
 * staged, the capture merged into the origin after a {@code 100%ORIGIN} aside snapshot kept the replaced data, the
 * capture re-created, switched back by merging the aside, confirmed by removing the aside, a merge cut by a crash
 * finished forward from the journal, and what cannot be merged safely refused at the check.
 */
class LvmInPlaceRestoreTest {
  static final String R = "r-1";
  static final String VG = "vg0";
  static final String LV = "data";
  static final String CAPTURE = LV + "-gs-" + GS;
  static final String OLDER = LV + "-gs-gs-0";
  static final String ASIDE = LV + "-gs-aside-" + R;
  static final long EXTENT = 4L << 20;
  static final List<VolumeTarget> DATA = List.of(VolumeTarget.newBuilder().setVolume("data").build());

  @TempDir Path tmp;
  InPlaceFixture f;
  FakeLvm lvm;
  LvmVolume volume;
  Path mnt;
  StopWriter app;

  @BeforeEach
  void setUp() throws Exception {
    f = new InPlaceFixture(tmp);
    Files.createDirectories(tmp.resolve("host/dev/mapper"));
    Files.createFile(tmp.resolve("host/dev/mapper/control"));
    mnt = Files.createDirectories(tmp.resolve("srv/data")).toAbsolutePath().normalize();
    lvm = world(400);
    app = new StopWriter("app", 1, f.events);
  }

  /** A group of {@code extents}: the origin (100, mounted, "old" data), an older capture and the capture (10 each). */
  private FakeLvm world(long extents) throws IOException {
    FakeLvm w = new FakeLvm(VG, EXTENT, extents).origin(LV, 100, "old", mnt.toString())
        .snapshot(OLDER, LV, 10, "older").snapshot(CAPTURE, LV, 10, "cut");
    volume = new LvmVolume("data", mnt, VG, LV, LvmSnapshotSize.parse("10%ORIGIN"), Duration.ofSeconds(30),
        w.runner, tmp.resolve("host"));
    f.catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume("data")
        .setPath(volume.captureTarget(GS).toString()).setState(LocalSnapshotState.LOCAL_KEPT).build());
    return w;
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  private InPlaceRestores agent(VolumeSwitch.Between between) throws IOException {
    return f.agent(List.<Volume>of(volume), List.of(app), between, lvm.runner);
  }

  private static StepInPlaceResponse step(InPlaceRestores a, InPlaceStep s) throws Exception {
    return a.step(ref(3), R, s, s == InPlaceStep.START_WRITERS);
  }

  private static List<SwitchState> states(StepInPlaceResponse r) {
    return r.getVolumesList().stream().map(VolumeSwitchStatus::getState).toList();
  }

  private void staged(InPlaceRestores a) throws Exception {
    a.stage(ref(3), R, DATA, false);
    await().until(() -> a.status(R).orElseThrow().stream().allMatch(m -> m.getState() != RestoreState
        .RESTORE_RUNNING));
    assertThat(a.status(R).orElseThrow()).extracting(MemberRestore::getState, MemberRestore::getError)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(RestoreState.RESTORE_DONE, ""));
  }

  /** The commands that change something, without the tool's directory: what a step did. */
  private List<String> changes() {
    return lvm.runner.calls().stream().filter(c -> !List.of("lvs", "vgs", "findmnt").contains(tool(c)))
        .map(c -> tool(c) + " " + String.join(" ", c.subList(1, c.size()))).toList();
  }

  private static String tool(List<String> argv) {
    return Path.of(argv.get(0)).getFileName().toString();
  }

  private List<String> switchForward() {
    return List.of("umount " + mnt, "lvcreate --snapshot --permission r --extents 100%ORIGIN --name " + ASIDE + " "
        + VG + "/" + LV, "lvconvert --merge --background " + VG + "/" + CAPTURE, "lvcreate --snapshot --permission r "
        + "--name " + CAPTURE + " --extents 10%ORIGIN " + VG + "/" + LV, "mount -t ext4 -o rw,noatime /dev/" + VG
        + "/" + LV + " " + mnt);
  }

  /** The origin holds the cut and is mounted; the capture was re-created (same content, another LV). */
  private void assertOnTheCut(String firstCaptureUuid) {
    assertThat(lvm.content(LV)).isEqualTo("cut");
    assertThat(lvm.mounted(mnt.toString())).isTrue();
    assertThat(lvm.content(CAPTURE)).isEqualTo("cut");
    assertThat(lvm.uuid(CAPTURE)).as("re-created").isNotEqualTo(firstCaptureUuid);
    assertThat(lvm.extents(CAPTURE)).as("with the volume's snapshot size").isEqualTo(10);
    assertThat(lvm.content(OLDER)).as("other snapshots keep their data through a merge").isEqualTo("older");
  }

  @Test
  void stageStopSwitchStartConfirm_mergesTheCapture_keepsTheOldDataAside_andRemovesOnlyTheAside() throws Exception {
    String uuid = lvm.uuid(CAPTURE);
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    staged(a);
    assertThat(a.status(R).orElseThrow().get(0).getPath()).isEqualTo(VG + "/" + CAPTURE);
    assertThat(a.status(R).orElseThrow().get(0).getMethod()).isEqualTo("lvm-merge");
    assertThat(changes()).as("the stage only checks").isEmpty();
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);

    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    lvm.runner.clear();
    StepInPlaceResponse switched = step(a, InPlaceStep.SWITCH);
    assertThat(switched.getOk()).as(switched.getError()).isTrue();
    assertThat(states(switched)).containsExactly(SwitchState.SWITCH_NEW);
    assertThat(changes()).containsExactlyElementsOf(switchForward());
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, ASIDE, OLDER);
    assertOnTheCut(uuid);
    assertThat(lvm.content(ASIDE)).as("the replaced data").isEqualTo("old");
    assertThat(lvm.extents(ASIDE)).as("100%ORIGIN: never fills up").isEqualTo(100);
    assertThat(Files.readString(f.journal(R))).contains("volume.data.merge=recreated\\:" + lvm.uuid(CAPTURE));
    assertThat(volume.listCaptures()).as("the aside is no capture").extracting(Volume.Found::groupSnapshotId)
        .containsExactlyInAnyOrder("gs-0", GS);

    lvm.runner.clear();
    assertThat(states(step(a, InPlaceStep.SWITCH))).as("asked again").containsExactly(SwitchState.SWITCH_NEW);
    assertThat(changes()).isEmpty();
    lvm.write(LV, "cut, then new writes");
    assertThat(step(a, InPlaceStep.START_WRITERS).getOk()).isTrue();
    StepInPlaceResponse confirmed = step(a, InPlaceStep.CONFIRM);
    assertThat(confirmed.getOk()).as(confirmed.getError()).isTrue();
    assertThat(states(confirmed)).containsExactly(SwitchState.SWITCH_SETTLED);
    assertThat(changes()).containsExactly("lvremove -y " + VG + "/" + ASIDE);
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(lvm.content(CAPTURE)).isEqualTo("cut");
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.events).containsExactly("app:pre [data]", "app:post restored=true");
  }

  @Test
  void rollback_mergesTheAsideBack_keepsTheRecreatedCapture_andDiscardRemovesNothing() throws Exception {
    String uuid = lvm.uuid(CAPTURE);
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    step(a, InPlaceStep.START_WRITERS);
    lvm.write(LV, "cut, then new writes");
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);
    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();

    lvm.runner.clear();
    StepInPlaceResponse back = step(a, InPlaceStep.SWITCH_BACK);
    assertThat(back.getOk()).as(back.getError()).isTrue();
    assertThat(states(back)).containsExactly(SwitchState.SWITCH_OLD);
    assertThat(changes()).containsExactly("umount " + mnt, "lvconvert --merge --background " + VG + "/" + ASIDE,
        "mount -t ext4 -o rw,noatime /dev/" + VG + "/" + LV + " " + mnt);
    assertThat(lvm.content(LV)).as("the previous data").isEqualTo("old");
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(lvm.content(CAPTURE)).as("the re-created capture still holds the cut").isEqualTo("cut");
    assertThat(lvm.uuid(CAPTURE)).isNotEqualTo(uuid);
    assertThat(lvm.content(OLDER)).isEqualTo("older");

    lvm.runner.clear();
    assertThat(states(step(a, InPlaceStep.SWITCH_BACK))).as("asked again").containsExactly(SwitchState.SWITCH_OLD);
    StepInPlaceResponse discarded = step(a, InPlaceStep.DISCARD);
    assertThat(discarded.getOk()).as(discarded.getError()).isTrue();
    assertThat(changes()).isEmpty();
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(lvm.mounted(mnt.toString())).isTrue();
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.events).containsExactly("app:pre [data]", "app:post restored=true", "app:pre [data]",
        "app:post restored=false");
  }

  /**
   * Killed right after {@code lvconvert --merge}, the merge pending until the origin's next activation: the journal
   * says which merge started, and settling finishes it forward (reactivate, wait, re-create the capture, mount).
   */
  @Test
  void aCrashMidMerge_isFinishedForwardByTheJournalAndLvsAlone() throws Exception {
    String uuid = lvm.uuid(CAPTURE);
    lvm.deferMerges(true);
    InPlaceRestores a = agent(() -> {
      throw new IOException("killed mid-merge");
    });
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    StepInPlaceResponse crashed = step(a, InPlaceStep.SWITCH);
    assertThat(crashed.getOk()).isFalse();
    assertThat(states(crashed)).containsExactly(SwitchState.SWITCH_HALF);
    assertThat(lvm.merging(LV)).isTrue();
    assertThat(lvm.mounted(mnt.toString())).isFalse();
    assertThat(Files.readString(f.journal(R))).contains("volume.data.merge=capture\\:" + uuid);
    a.close();

    lvm.runner.clear();
    List<String> settled = InPlaceRestores.settleInterruptedSwitches(f.state, lvm.runner);

    assertThat(settled).singleElement().asString().contains("volume data").contains("settled forward");
    assertThat(changes()).containsExactly("lvchange --activate n " + VG + "/" + LV, "lvchange --activate y " + VG
        + "/" + LV, "lvcreate --snapshot --permission r --name " + CAPTURE + " --extents 10%ORIGIN " + VG + "/" + LV,
        "mount -t ext4 -o rw,noatime /dev/" + VG + "/" + LV + " " + mnt);
    assertThat(lvm.merging(LV)).isFalse();
    assertOnTheCut(uuid);
    assertThat(lvm.content(ASIDE)).isEqualTo("old");
    assertThat(InPlaceRestores.settleInterruptedSwitches(f.state, lvm.runner)).as("nothing left").isEmpty();

    InPlaceRestores restarted = agent(VolumeSwitch.Between.NOTHING);
    assertThat(states(step(restarted, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    step(restarted, InPlaceStep.START_WRITERS);
    assertThat(step(restarted, InPlaceStep.CONFIRM).getOk()).isTrue();
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(lvm.content(LV)).isEqualTo("cut");
  }

  /** A rollback decided while a merge of the capture was cut: the merge is finished, then undone by the aside. */
  @Test
  void aCrashMidMerge_withTheRecordRollingBack_finishesTheMergeThenMergesTheAsideBack() throws Exception {
    lvm.deferMerges(true);
    InPlaceRestores a = agent(() -> {
      throw new IOException("killed mid-merge");
    });
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_HALF);
    a.close();
    lvm.deferMerges(false);
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);

    InPlaceRestores restarted = agent(VolumeSwitch.Between.NOTHING); // recover(): back, as the record says

    assertThat(lvm.content(LV)).isEqualTo("old");
    assertThat(lvm.mounted(mnt.toString())).isTrue();
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(lvm.content(CAPTURE)).as("re-created before the aside was merged back").isEqualTo("cut");
    assertThat(step(restarted, InPlaceStep.DISCARD).getOk()).isTrue();
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
  }

  @Test
  void tooFewFreeExtentsForTheAside_isRefusedAtTheCheck_andNothingIsWritten() throws Exception {
    lvm = world(150); // 120 used: 30 free, the aside needs 100
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    lvm.runner.clear();
    assertThatThrownBy(() -> a.stage(ref(3), R, DATA, false)).isInstanceOf(RestoreRefusedException.class)
        .hasMessage("volume data: cannot be restored in place: volume group " + VG + " has 30 free extents, the "
            + "aside snapshot of " + VG + "/" + LV + " (100%ORIGIN, so that it never fills up) and the re-created "
            + "capture need 100 (" + 100 * EXTENT + " bytes)");
    assertThat(changes()).isEmpty();
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(f.journal(R)).doesNotExist();
    assertThat(a.status(R)).isEmpty();
  }

  @Test
  void anInvalidatedCapture_isRefusedAtTheCheck_andNothingIsWritten() throws Exception {
    lvm.invalidate(CAPTURE);
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    lvm.runner.clear();
    assertThatThrownBy(() -> a.stage(ref(3), R, DATA, false)).isInstanceOf(RestoreRefusedException.class)
        .hasMessage("volume data: cannot be restored in place: capture " + VG + "/" + CAPTURE + " is invalid (its "
            + "copy-on-write space filled up, so it no longer holds the cut); it cannot be restored");
    assertThat(changes()).isEmpty();
    assertThat(f.journal(R)).doesNotExist();
    assertThat(a.status(R)).isEmpty();
  }
}
