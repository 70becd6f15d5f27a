package io.groupsnap.agent.restore;

import static io.groupsnap.agent.restore.InPlaceFixture.GS;
import static io.groupsnap.agent.restore.InPlaceFixture.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.fakes.FakeZfs;
import io.groupsnap.agent.restore.InPlaceFixture.StopWriter;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.zfs.ZfsVolume;
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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-place restores of a zfs volume through the agent, against a fake {@code zfs} with state: the capture's clone
 * staged beside the dataset, renamed over it and promoted (so the capture and older snapshots keep their names on the
 * live dataset), switched back, confirmed, discarded, and a switch cut by a crash settled from {@code zfs list}.
 */
class ZfsInPlaceRestoreTest {
  static final String R = "r-1";
  static final String LIVE = "tank/data";
  static final String STAGED = "tank/data.gs-staged-" + R;
  static final String REPLACED = "tank/data.gs-replaced-" + R;
  static final String CAPTURE = LIVE + "@gs-" + GS;
  static final String OLDER = LIVE + "@gs-gs-0";
  /** The fixture's catalog also holds its dir volume's capture: the zfs volume is asked for by name. */
  static final List<VolumeTarget> DATA = List.of(VolumeTarget.newBuilder().setVolume("data").build());

  @TempDir Path tmp;
  InPlaceFixture f;
  FakeZfs zfs;
  ZfsVolume volume;
  StopWriter app;

  @BeforeEach
  void setUp() throws Exception {
    f = new InPlaceFixture(tmp);
    Path probe = Files.createDirectories(tmp.resolve("host/dev"));
    Files.createFile(probe.resolve("zfs"));
    Path mnt = Files.createDirectories(tmp.resolve("tank/data"));
    zfs = new FakeZfs().filesystem("tank", tmp.resolve("tank").toString()).filesystem(LIVE, null)
        .property(LIVE, "compression", "lz4").property(LIVE, "com.example:owner", "db team")
        .snapshot(OLDER, 1000).snapshot(CAPTURE, 5000);
    volume = new ZfsVolume("data", mnt, LIVE, true, Duration.ofSeconds(30), zfs.runner, tmp.resolve("host"));
    f.catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume("data")
        .setPath(volume.captureTarget(GS).toString()).setState(LocalSnapshotState.LOCAL_KEPT).build());
    app = new StopWriter("app", 1, f.events);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  private InPlaceRestores agent(VolumeSwitch.Between between) throws IOException {
    return f.agent(List.<Volume>of(volume), List.of(app), between, zfs.runner);
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

  /** The commands that change something, without the zfs path: what a switch did. */
  private List<String> changes() {
    return zfs.runner.calls().stream().filter(c -> !List.of("list", "get").contains(c.get(1)))
        .map(c -> String.join(" ", c.subList(1, c.size()))).toList();
  }

  private void assertLiveIsTheOriginalDataset() {
    assertThat(zfs.origin(LIVE)).isEqualTo("-");
    assertThat(zfs.mounted(LIVE)).isTrue();
    assertThat(zfs.canmount(LIVE)).isEqualTo("on");
    assertThat(zfs.snapshots(LIVE)).containsExactly(OLDER, CAPTURE);
  }

  /** The restored dataset is live, mounted where the old one was, configured as it was, owning the snapshots. */
  private void assertLiveIsTheRestoredClone() {
    assertThat(zfs.mounted(LIVE)).isTrue();
    assertThat(zfs.canmount(LIVE)).isEqualTo("on");
    assertThat(zfs.mountpoint(LIVE)).isEqualTo(volume.path().toString());
    assertThat(zfs.origin(LIVE)).as("promoted").isEqualTo("-");
    assertThat(zfs.localProperties(LIVE)).isEqualTo(Map.of("compression", "lz4", "com.example:owner", "db team"));
    assertThat(zfs.snapshots(LIVE)).as("the capture and older snapshots keep their names").containsExactly(OLDER,
        CAPTURE);
  }

  @Test
  void stageStopSwitchStartConfirm_clonesPromotesAndDestroysOnlyTheReplacedDataset() throws Exception {
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    staged(a);
    assertThat(a.status(R).orElseThrow().get(0).getPath()).isEqualTo(STAGED);
    assertThat(changes()).containsExactly("clone -o canmount=noauto -o com.example:owner=db team -o compression=lz4 "
        + CAPTURE + " " + STAGED);
    assertThat(zfs.datasets()).containsExactly("tank", LIVE, STAGED);
    assertThat(zfs.mounted(STAGED)).as("staged, not mounted").isFalse();
    assertLiveIsTheOriginalDataset();

    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    zfs.runner.clear();
    StepInPlaceResponse switched = step(a, InPlaceStep.SWITCH);
    assertThat(switched.getOk()).as(switched.getError()).isTrue();
    assertThat(states(switched)).containsExactly(SwitchState.SWITCH_NEW);
    assertThat(changes()).containsExactly("unmount " + LIVE, "set canmount=noauto " + LIVE,
        "rename " + LIVE + " " + REPLACED, "rename " + STAGED + " " + LIVE, "promote " + LIVE,
        "set canmount=on " + LIVE, "mount " + LIVE);
    assertThat(zfs.datasets()).containsExactly("tank", LIVE, REPLACED);
    assertLiveIsTheRestoredClone();
    assertThat(zfs.origin(REPLACED)).isEqualTo(CAPTURE);
    assertThat(zfs.mounted(REPLACED)).isFalse();
    assertThat(zfs.canmount(REPLACED)).as("a reboot never mounts it").isEqualTo("noauto");
    assertThat(volume.listCaptures()).extracting(Volume.Found::groupSnapshotId).containsExactly("gs-0", GS);

    zfs.runner.clear();
    assertThat(states(step(a, InPlaceStep.SWITCH))).as("asked again").containsExactly(SwitchState.SWITCH_NEW);
    assertThat(changes()).isEmpty();
    assertThat(step(a, InPlaceStep.START_WRITERS).getOk()).isTrue();
    StepInPlaceResponse confirmed = step(a, InPlaceStep.CONFIRM);
    assertThat(confirmed.getOk()).as(confirmed.getError()).isTrue();
    assertThat(states(confirmed)).containsExactly(SwitchState.SWITCH_SETTLED);
    assertThat(changes()).containsExactly("destroy " + REPLACED);
    assertThat(zfs.datasets()).containsExactly("tank", LIVE);
    assertLiveIsTheRestoredClone();
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.events).containsExactly("app:pre [data]", "app:post restored=true");

    volume.delete(volume.captureTarget(GS)); // the reaper still deletes the capture by its name
    assertThat(zfs.snapshots(LIVE)).containsExactly(OLDER);
  }

  @Test
  void rollback_putsTheOldDatasetBackWithItsSnapshots_andDiscardDestroysTheClone() throws Exception {
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    step(a, InPlaceStep.START_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);
    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();

    zfs.runner.clear();
    StepInPlaceResponse back = step(a, InPlaceStep.SWITCH_BACK);
    assertThat(back.getOk()).as(back.getError()).isTrue();
    assertThat(states(back)).containsExactly(SwitchState.SWITCH_OLD);
    assertThat(changes()).containsExactly("unmount " + LIVE, "set canmount=noauto " + LIVE,
        "rename " + LIVE + " " + STAGED, "rename " + REPLACED + " " + LIVE, "promote " + LIVE,
        "set canmount=on " + LIVE, "mount " + LIVE);
    assertThat(zfs.datasets()).containsExactly("tank", LIVE, STAGED);
    assertLiveIsTheOriginalDataset();
    assertThat(zfs.origin(STAGED)).isEqualTo(CAPTURE);

    zfs.runner.clear();
    StepInPlaceResponse discarded = step(a, InPlaceStep.DISCARD);
    assertThat(discarded.getOk()).as(discarded.getError()).isTrue();
    assertThat(changes()).containsExactly("destroy " + STAGED);
    assertThat(zfs.datasets()).containsExactly("tank", LIVE);
    assertLiveIsTheOriginalDataset();
    assertThat(f.events).containsExactly("app:pre [data]", "app:post restored=true", "app:pre [data]",
        "app:post restored=false");
  }

  /** A crash between the two renames: the live name is missing; the journal and zfs list alone finish it forward. */
  @Test
  void aCrashBetweenTheRenames_isSettledForwardByTheJournalAndZfsListAlone() throws Exception {
    InPlaceRestores a = agent(() -> {
      throw new IOException("killed between the renames");
    });
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    StepInPlaceResponse crashed = step(a, InPlaceStep.SWITCH);
    assertThat(crashed.getOk()).isFalse();
    assertThat(states(crashed)).containsExactly(SwitchState.SWITCH_HALF);
    assertThat(zfs.datasets()).containsExactly("tank", REPLACED, STAGED);
    a.close();

    List<String> settled = InPlaceRestores.settleInterruptedSwitches(f.state, zfs.runner);

    assertThat(settled).singleElement().asString().contains("volume data").contains("settled forward");
    assertThat(zfs.datasets()).containsExactly("tank", LIVE, REPLACED);
    assertLiveIsTheRestoredClone();
    assertThat(InPlaceRestores.settleInterruptedSwitches(f.state, zfs.runner)).as("nothing left").isEmpty();
    InPlaceRestores restarted = agent(VolumeSwitch.Between.NOTHING);
    assertThat(states(step(restarted, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    step(restarted, InPlaceStep.START_WRITERS);
    assertThat(step(restarted, InPlaceStep.CONFIRM).getOk()).isTrue();
    assertThat(zfs.datasets()).containsExactly("tank", LIVE);
    assertLiveIsTheRestoredClone();
  }

  /**
   * Cut after both renames, before the promote: every name is there, but the live one is not up (a clone of the
   * replaced one, not mounted), which reads as half; the restarted agent finishes it as the record says.
   */
  @Test
  void aSwitchCutAfterTheRenames_readsHalf_andIsFinishedAtRestartAsTheRecordSays() throws Exception {
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    zfs.failOnce("promote", "cannot promote '" + LIVE + "': out of space");
    StepInPlaceResponse cut = step(a, InPlaceStep.SWITCH);
    assertThat(cut.getOk()).isFalse();
    assertThat(cut.getError()).contains("out of space");
    assertThat(states(cut)).containsExactly(SwitchState.SWITCH_HALF);
    assertThat(zfs.datasets()).containsExactly("tank", LIVE, REPLACED);
    assertThat(zfs.mounted(LIVE)).isFalse();
    a.close();

    InPlaceRestores restarted = agent(VolumeSwitch.Between.NOTHING); // recover(): the record is SWITCHING

    assertThat(states(step(restarted, InPlaceStep.START_WRITERS))).containsExactly(SwitchState.SWITCH_NEW);
    assertLiveIsTheRestoredClone();
    assertThat(zfs.origin(REPLACED)).isEqualTo(CAPTURE);
  }

  @Test
  void aTakenCloneName_isRefusedAtTheCheck_andNothingIsWritten() throws Exception {
    zfs.filesystem(STAGED, "/srv/other");
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    zfs.runner.clear();
    assertThatThrownBy(() -> a.stage(ref(3), R, DATA, false)).isInstanceOf(RestoreRefusedException.class)
        .hasMessage("volume data: cannot be restored in place: dataset " + STAGED + " already exists and is no clone"
            + " of " + CAPTURE + "; destroy it first");
    assertThat(changes()).isEmpty();
    assertThat(zfs.datasets()).containsExactly("tank", LIVE, STAGED);
    assertThat(f.journal(R)).doesNotExist();
    assertThat(a.status(R)).isEmpty();
  }

  @Test
  void whatASwitchWouldLoseOrCannotCarry_isRefusedAtTheCheck() throws Exception {
    InPlaceRestores a = agent(VolumeSwitch.Between.NOTHING);
    zfs.snapshot(LIVE + "@daily-2026-12-01", 7000);
    assertThatThrownBy(() -> a.stage(ref(3), R, DATA, false)).isInstanceOf(RestoreRefusedException.class)
        .hasMessageStartingWith("volume data: cannot be restored in place: dataset " + LIVE + " has snapshots "
            + "newer than the capture (" + LIVE + "@daily-2026-12-01)");
    FakeZfs child = new FakeZfs().filesystem("tank", "/tank").filesystem(LIVE, null).filesystem(LIVE + "/logs", null)
        .snapshot(CAPTURE, 1);
    ZfsVolume parent = new ZfsVolume("data", volume.path(), LIVE, true, Duration.ofSeconds(30), child.runner,
        tmp.resolve("host"));
    InPlaceRestores b = f.agent(List.<Volume>of(parent), List.of(), VolumeSwitch.Between.NOTHING, child.runner);
    assertThatThrownBy(() -> b.stage(ref(3), "r-2", DATA, false)).isInstanceOf(RestoreRefusedException.class)
        .hasMessageContaining("has child datasets (" + LIVE + "/logs)");
    assertThat(Set.copyOf(child.datasets())).containsExactlyInAnyOrder("tank", LIVE, LIVE + "/logs");
    assertThat(f.journal(R)).doesNotExist();
  }
}
