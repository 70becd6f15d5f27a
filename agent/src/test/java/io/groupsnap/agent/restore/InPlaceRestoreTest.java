package io.groupsnap.agent.restore;

import static io.groupsnap.agent.restore.InPlaceFixture.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.restore.InPlaceFixture.Disguised;
import io.groupsnap.agent.restore.InPlaceFixture.StopWriter;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.SwitchState;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class InPlaceRestoreTest {
  static final String R = "r-1";

  @TempDir Path tmp;
  InPlaceFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new InPlaceFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  private static StepInPlaceResponse step(InPlaceRestores a, InPlaceStep s) throws Exception {
    return a.step(ref(3), R, s, s == InPlaceStep.START_WRITERS);
  }

  private static List<SwitchState> states(StepInPlaceResponse r) {
    return r.getVolumesList().stream().map(VolumeSwitchStatus::getState).toList();
  }

  private void staged(InPlaceRestores a) throws Exception {
    a.stage(ref(3), R, List.of(), false);
    await().until(() -> a.status(R).orElseThrow().stream().allMatch(m -> m.getState() != RestoreState
        .RESTORE_RUNNING));
    assertThat(a.status(R).orElseThrow()).extracting(MemberRestore::getState).containsOnly(RestoreState
        .RESTORE_DONE);
  }

  @Test
  void stageSwitchConfirm_liveBecomesTheCapture_andThePreviousDataIsDeletedAtConfirm() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(app);
    staged(a);
    assertThat(a.status(R).orElseThrow().get(0).getPath()).isEqualTo(f.switchOf(R).staged().toString());
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous); // staging never touches live data
    assertThat(Trees.describe(f.switchOf(R).staged())).isEqualTo(f.captured);

    StepInPlaceResponse stopped = step(a, InPlaceStep.STOP_WRITERS);
    assertThat(stopped.getOk()).isTrue();
    assertThat(stopped.getWritersStopped()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    StepInPlaceResponse switched = step(a, InPlaceStep.SWITCH);
    assertThat(switched.getOk()).as(switched.getError()).isTrue();
    assertThat(states(switched)).containsExactly(SwitchState.SWITCH_NEW);
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(Trees.describe(f.switchOf(R).replaced())).isEqualTo(f.previous);

    assertThat(step(a, InPlaceStep.START_WRITERS).getWritersStopped()).isFalse();
    StepInPlaceResponse confirmed = step(a, InPlaceStep.CONFIRM);
    assertThat(confirmed.getOk()).isTrue();
    assertThat(states(confirmed)).containsExactly(SwitchState.SWITCH_SETTLED);
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(f.switchOf(R).replaced()).doesNotExist();
    assertThat(f.switchOf(R).staged()).doesNotExist();
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true");
  }

  @Test
  void everyStepAskedAgain_answersTheSame_andActsOnce() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(app);
    staged(a);
    assertThat(a.stage(ref(3), R, List.of(), false)).extracting(MemberRestore::getState)
        .containsOnly(RestoreState.RESTORE_DONE);
    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    step(a, InPlaceStep.START_WRITERS);
    assertThat(step(a, InPlaceStep.START_WRITERS).getOk()).isTrue();
    assertThat(step(a, InPlaceStep.CONFIRM).getOk()).isTrue();
    StepInPlaceResponse again = step(a, InPlaceStep.CONFIRM);
    assertThat(again.getOk()).isTrue();
    assertThat(step(a, InPlaceStep.DISCARD).getOk()).isTrue(); // forgotten: nothing to discard
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true");
  }

  @Test
  void switchBeforeTheRecordIsAtTheCommitPoint_isRefused_andLiveStays() throws Exception {
    InPlaceRestores a = f.agent();
    staged(a);
    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_STOPPING);
    StepInPlaceResponse r = step(a, InPlaceStep.SWITCH);
    assertThat(r.getOk()).isFalse();
    assertThat(r.getError()).contains("IN_PLACE_STOPPING");
    assertThat(states(r)).containsExactly(SwitchState.SWITCH_OLD);
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
  }

  @Test
  void rollback_putsThePreviousDataBack_andStartsWritersOnIt() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(app);
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    step(a, InPlaceStep.SWITCH);
    step(a, InPlaceStep.START_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);
    step(a, InPlaceStep.STOP_WRITERS);
    assertThat(states(step(a, InPlaceStep.SWITCH_BACK))).containsExactly(SwitchState.SWITCH_OLD);
    assertThat(a.step(ref(3), R, InPlaceStep.START_WRITERS, false).getOk()).isTrue();
    assertThat(step(a, InPlaceStep.DISCARD).getOk()).isTrue();
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
    assertThat(f.switchOf(R).staged()).doesNotExist();
    assertThat(f.switchOf(R).replaced()).doesNotExist();
    assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true", "app:pre [db]",
        "app:post restored=false");
  }

  @Test
  void aStageThatFails_leavesLiveUntouched_andDiscardRemovesWhatWasStaged() throws Exception {
    Disguised failing = new Disguised(f.volume, "dir", (capture, target) -> new Restorer() {
      @Override
      public String method() {
        return "copy";
      }

      @Override
      public long bytesNeeded() {
        return 1;
      }

      @Override
      public long bytes() {
        return 1;
      }

      @Override
      public String materialize(Path t) throws VolumeException {
        try {
          Files.createDirectories(t);
          Files.writeString(t.resolve("half"), "half a copy");
        } catch (IOException e) {
          throw new VolumeException(e.getMessage(), false, e);
        }
        throw new VolumeException("disk went away", false);
      }
    });
    InPlaceRestores a = f.agent(List.of(failing), List.of(), VolumeSwitch.Between.NOTHING);
    a.stage(ref(3), R, List.of(), false);
    await().until(() -> a.status(R).orElseThrow().get(0).getState() != RestoreState.RESTORE_RUNNING);
    MemberRestore m = a.status(R).orElseThrow().get(0);
    assertThat(m.getState()).isEqualTo(RestoreState.RESTORE_FAILED);
    assertThat(m.getError()).contains("disk went away");
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
    StepInPlaceResponse r = step(a, InPlaceStep.SWITCH);
    assertThat(r.getOk()).isFalse();
    assertThat(step(a, InPlaceStep.DISCARD).getOk()).isTrue();
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
    assertThat(f.switchOf(R).staged()).doesNotExist();
    assertThat(f.journal(R)).doesNotExist();
  }

  @Test
  void discardDuringARunningStage_cancelsIt_andRemovesTheStagedTree() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Disguised slow = new Disguised(f.volume, "dir", (capture, target) -> new Restorer() {
      @Override
      public String method() {
        return "copy";
      }

      @Override
      public long bytesNeeded() {
        return 1;
      }

      @Override
      public long bytes() {
        return 1;
      }

      @Override
      public String materialize(Path t) throws VolumeException {
        try {
          Files.createDirectories(t);
          Files.writeString(t.resolve("part"), "the first part");
          writing.countDown();
          never.await(); // a long copy, until interrupted
          throw new VolumeException("finished?", false);
        } catch (IOException | InterruptedException e) {
          throw new VolumeException("interrupted: " + e, false, e);
        }
      }
    });
    InPlaceRestores a = f.agent(List.of(slow), List.of(), VolumeSwitch.Between.NOTHING);
    a.stage(ref(3), R, List.of(), false);
    writing.await();
    assertThat(f.switchOf(R).staged().resolve("part")).exists();
    assertThat(step(a, InPlaceStep.DISCARD).getOk()).isTrue();
    assertThat(f.switchOf(R).staged()).doesNotExist();
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
    assertThat(a.status(R)).isEmpty();
  }

  @Test
  void aWriterRefusingToStop_startsTheOnesStoppedBefore_andNamesItself() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    StopWriter db = new StopWriter("db-writer", 2, f.events);
    db.pre = WriterResult.nonRetryable("replication is catching up");
    InPlaceRestores a = f.agent(db, app); // stopped by tier, not by the order given
    staged(a);
    StepInPlaceResponse r = step(a, InPlaceStep.STOP_WRITERS);
    assertThat(r.getOk()).isFalse();
    assertThat(r.getError()).contains("db-writer").contains("replication is catching up");
    assertThat(r.getWritersStopped()).isFalse();
    assertThat(f.events).containsExactly("app:pre [db]", "db-writer:pre [db]", "db-writer:post restored=false",
        "app:post restored=false");
    StepInPlaceResponse again = step(a, InPlaceStep.STOP_WRITERS);
    assertThat(again.getOk()).isFalse();
    assertThat(again.getError()).isEqualTo(r.getError());
    assertThat(step(a, InPlaceStep.DISCARD).getOk()).isTrue();
    assertThat(f.events).hasSize(4); // asked again: nobody asked twice, every pre had its one post
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
    assertThat(f.switchOf(R).staged()).doesNotExist();
  }

  /**
   * A crash between the two renames, then the daemon's start before its configuration check (the live directory is
   * missing): the journal alone finishes the switch forward, as SWITCH was journaled only past the commit point.
   */
  @Test
  void aCrashBetweenTheRenames_isSettledForward_fromTheJournalAlone_beforeTheAgentStarts() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(List.of(f.volume), List.of(app), () -> {
      throw new IOException("killed between the renames");
    });
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_HALF);
    a.close();

    List<String> settled = InPlaceRestores.settleInterruptedSwitches(f.state);

    assertThat(settled).singleElement().asString().contains("settled forward");
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(Trees.describe(f.switchOf(R).replaced())).isEqualTo(f.previous);
    assertThat(InPlaceRestores.settleInterruptedSwitches(f.state)).as("nothing left to settle").isEmpty();
    InPlaceRestores restarted = f.agent(app);
    assertThat(states(step(restarted, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    step(restarted, InPlaceStep.START_WRITERS);
    assertThat(step(restarted, InPlaceStep.CONFIRM).getOk()).isTrue();
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true");
  }

  /** The same for a rollback cut between its renames: settled back, on the previous data. */
  @Test
  void aCrashBetweenTheRenamesOfARollback_isSettledBack_fromTheJournalAlone() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(app);
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_NEW);
    a.close();
    InPlaceRestores crashing = f.agent(List.of(f.volume), List.of(app), () -> {
      throw new IOException("killed between the renames");
    });
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);
    assertThat(states(step(crashing, InPlaceStep.SWITCH_BACK))).containsExactly(SwitchState.SWITCH_HALF);
    crashing.close();

    assertThat(InPlaceRestores.settleInterruptedSwitches(f.state)).singleElement().asString()
        .contains("settled back");
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
    assertThat(Trees.describe(f.switchOf(R).staged())).isEqualTo(f.captured);
  }

  /** A crash between the two renames of the switch, then a restart: the record decides the direction. */
  @ParameterizedTest
  @EnumSource(value = InPlaceState.class, names = {"IN_PLACE_SWITCHING", "IN_PLACE_STARTING", "IN_PLACE_CANCELLING",
      "IN_PLACE_STAGING", "IN_PLACE_STATE_UNSPECIFIED"})
  void aCrashBetweenTheRenames_isSettledAtRestart_asTheRecordSays(InPlaceState record) throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(List.of(f.volume), List.of(app), () -> {
      throw new IOException("killed between the renames");
    });
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    StepInPlaceResponse crashed = step(a, InPlaceStep.SWITCH);
    assertThat(crashed.getOk()).isFalse();
    assertThat(states(crashed)).containsExactly(SwitchState.SWITCH_HALF);
    assertThat(f.live).doesNotExist();
    a.close();

    boolean absent = record == InPlaceState.IN_PLACE_STATE_UNSPECIFIED;
    if (absent) {
      f.zk.delete().forPath(f.layout.restore(R));
    } else {
      f.record(R, record);
    }
    InPlaceRestores restarted = f.agent(app);
    boolean forward = record == InPlaceState.IN_PLACE_SWITCHING || record == InPlaceState.IN_PLACE_STARTING;
    assertThat(Trees.describe(f.live)).isEqualTo(forward ? f.captured : f.previous);
    if (forward) {
      assertThat(Trees.describe(f.switchOf(R).replaced())).isEqualTo(f.previous);
      assertThat(step(restarted, InPlaceStep.START_WRITERS).getWritersStopped()).isFalse();
      assertThat(step(restarted, InPlaceStep.CONFIRM).getOk()).isTrue();
      assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
      assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true");
    } else {
      assertThat(Trees.describe(f.switchOf(R).staged())).isEqualTo(f.captured);
      StepInPlaceResponse d = step(restarted, InPlaceStep.DISCARD);
      assertThat(d.getOk()).isTrue();
      assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
      assertThat(f.switchOf(R).staged()).doesNotExist();
      assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=false");
    }
    assertThat(f.journal(R)).doesNotExist();
  }

  @Test
  void aStageKilledHalfway_isStagedAnewWhenAskedAgain() throws Exception {
    InPlaceRestores a = f.agent();
    staged(a);
    a.close();
    // as if the agent died mid-copy: the journal says not staged, a partial tree is there
    Files.writeString(f.journal(R), Files.readString(f.journal(R)).replaceAll("(?m)^staged=.*$", "staged="));
    Files.delete(f.switchOf(R).staged().resolve("ledger"));
    InPlaceRestores restarted = f.agent();
    assertThat(restarted.status(R).orElseThrow().get(0).getState()).isEqualTo(RestoreState.RESTORE_FAILED);
    assertThat(step(restarted, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(step(restarted, InPlaceStep.SWITCH).getOk()).isFalse(); // never onto a partial tree
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
  }

  @Test
  void aStageAskedAgainAfterARestart_restagesFromScratch() throws Exception {
    InPlaceRestores a = f.agent();
    staged(a);
    a.close();
    Files.writeString(f.journal(R), Files.readString(f.journal(R)).replaceAll("(?m)^staged=.*$", "staged="));
    Files.delete(f.switchOf(R).staged().resolve("ledger"));
    Files.writeString(f.switchOf(R).staged().resolve("junk"), "left over");
    InPlaceRestores restarted = f.agent();
    staged(restarted);
    assertThat(Trees.describe(f.switchOf(R).staged())).isEqualTo(f.captured);
  }

  @Test
  void olderEpochsAndOtherClusters_areRefused() throws Exception {
    InPlaceRestores a = f.agent();
    staged(a);
    assertThatThrownBy(() -> a.step(ref(2), R, InPlaceStep.STOP_WRITERS, false)).isInstanceOf(
        FencedException.class).hasMessageContaining("stale epoch 2");
    assertThatThrownBy(() -> a.step(new TxnRef("6f1c1a0e-0000-4000-8000-00000000ffff", 3, InPlaceFixture.GS), R,
        InPlaceStep.DISCARD, false)).isInstanceOf(FencedException.class).hasMessageContaining("cluster");
    assertThatThrownBy(() -> a.stage(ref(1), "r-2", List.of(), false)).isInstanceOf(FencedException.class);
    assertThat(f.switchOf(R).staged()).exists(); // nothing was discarded
    assertThat(f.switchOf("r-2").staged()).doesNotExist();
  }

  @Test
  void lvmIsRefusedAtTheCheck_andNothingIsWritten() throws Exception {
    InPlaceRestores a = f.agent(List.of(new Disguised(f.volume, "lvm", null)), List.of(),
        VolumeSwitch.Between.NOTHING);
    assertThatThrownBy(() -> a.stage(ref(3), R, List.of(), false)).isInstanceOf(RestoreRefusedException.class)
        .hasMessageContaining("volume db (kind lvm)");
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.switchOf(R).staged()).doesNotExist();
    assertThat(a.status(R)).isEmpty();
    assertThat(Trees.describe(f.live)).isEqualTo(f.previous);
  }

  /** A volume whose live data is a mount point stages inside it and switches entry by entry, then as a directory. */
  @Test
  void aMountPoint_stagesInsideIt_switchesEntryByEntry_andConfirmLeavesNothingHidden() throws Exception {
    StopWriter app = new StopWriter("app", 1, f.events);
    InPlaceRestores a = f.agent(app);
    a.mountPoints(p -> p.equals(f.live));
    staged(a);
    MountSwitch sw = MountSwitch.inside(f.live, R, MountSwitch.Plans.NONE, VolumeSwitch.Between.NOTHING);
    assertThat(a.status(R).orElseThrow().get(0).getPath()).isEqualTo(sw.staged().toString());
    assertThat(sw.staged().getParent()).as("inside the mount, on its file system").isEqualTo(f.live);
    assertThat(Trees.describe(sw.staged())).isEqualTo(f.captured);
    assertThat(f.switchOf(R).staged()).as("nothing beside the mount point").doesNotExist();

    assertThat(step(a, InPlaceStep.STOP_WRITERS).getOk()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    StepInPlaceResponse switched = step(a, InPlaceStep.SWITCH);
    assertThat(switched.getOk()).as(switched.getError()).isTrue();
    assertThat(states(switched)).containsExactly(SwitchState.SWITCH_NEW);
    assertThat(Trees.describe(sw.replaced())).isEqualTo(f.previous);
    assertThat(step(a, InPlaceStep.START_WRITERS).getOk()).isTrue();
    StepInPlaceResponse confirmed = step(a, InPlaceStep.CONFIRM);
    assertThat(confirmed.getOk()).as(confirmed.getError()).isTrue();
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true");
  }

  /**
   * A mount point's switch cut after some of its renames: the journal alone (the plan written before the first
   * rename) finishes it forward before the agent starts, and a rollback cut likewise is finished back.
   */
  @Test
  void aMountPointSwitchCutBetweenRenames_isFinishedFromTheJournalAlone_forwardAndBack() throws Exception {
    int[] renames = {0};
    VolumeSwitch.Between crashAfterTwo = () -> {
      if (++renames[0] == 2) {
        throw new IOException("killed after two renames");
      }
    };
    InPlaceRestores a = f.agent(List.of(f.volume), List.of(), crashAfterTwo);
    a.mountPoints(p -> p.equals(f.live));
    staged(a);
    step(a, InPlaceStep.STOP_WRITERS);
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    assertThat(states(step(a, InPlaceStep.SWITCH))).containsExactly(SwitchState.SWITCH_HALF);
    a.close();
    assertThat(InPlaceRestores.settleInterruptedSwitches(f.state)).singleElement().asString()
        .contains("settled forward");
    MountSwitch sw = MountSwitch.inside(f.live, R, MountSwitch.Plans.NONE, VolumeSwitch.Between.NOTHING);
    assertThat(sw.state()).isEqualTo(VolumeSwitch.State.NEW);
    assertThat(without(Trees.describe(f.live), sw.replaced())).isEqualTo(f.captured);

    renames[0] = 0;
    InPlaceRestores again = f.agent(List.of(f.volume), List.of(), crashAfterTwo);
    again.mountPoints(p -> p.equals(f.live));
    f.record(R, InPlaceState.IN_PLACE_ROLLING_BACK);
    assertThat(states(step(again, InPlaceStep.SWITCH_BACK))).containsExactly(SwitchState.SWITCH_HALF);
    again.close();
    assertThat(InPlaceRestores.settleInterruptedSwitches(f.state)).singleElement().asString()
        .contains("settled back");
    assertThat(sw.state()).isEqualTo(VolumeSwitch.State.OLD);
    assertThat(without(Trees.describe(f.live), sw.staged())).isEqualTo(f.previous);
    assertThat(Trees.describe(sw.staged())).isEqualTo(f.captured);
  }

  /** {@code tree} (described from the mount) without the entries under {@code hidden}, a directory in it. */
  private java.util.Map<String, String> without(java.util.Map<String, String> tree, Path hidden) {
    String h = f.live.relativize(hidden).toString();
    java.util.Map<String, String> out = new java.util.TreeMap<>(tree);
    out.keySet().removeIf(k -> k.equals(h) || k.startsWith(h + "/"));
    return out;
  }

  @Test
  void aDryRunChecksOnly() throws Exception {
    InPlaceRestores a = f.agent();
    List<MemberRestore> checked = a.stage(ref(3), R, List.of(), true);
    assertThat(checked).extracting(MemberRestore::getState).containsExactly(RestoreState.RESTORE_CHECKED);
    assertThat(checked.get(0).getLive()).as("the live data it would replace")
        .isEqualTo(f.live.toAbsolutePath().normalize().toString());
    assertThat(checked.get(0).getPath()).as("where it would stage").isEqualTo(f.switchOf(R).staged().toString());
    assertThat(f.journal(R)).doesNotExist();
    assertThat(f.switchOf(R).staged()).doesNotExist();
    assertThat(a.status(R)).isEmpty();
  }

  @Test
  void aVolumeUnderOneRestore_isRefusedToAnother() throws Exception {
    InPlaceRestores a = f.agent();
    staged(a);
    assertThatThrownBy(() -> a.stage(ref(3), "r-2", List.of(), false)).isInstanceOf(
        RestoreRefusedException.class).hasMessageContaining("volume db is under in-place restore r-1");
  }
}
