package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.restore.VolumeSwitch.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The entry-by-entry switch of a mount point, on a plain directory standing in for the mount: cut after any number
 * of its renames, in either direction, it is finished forward or back from its journaled plan, and the mount then
 * holds wholly the restored entries or wholly the old ones; entries that belong to the file system or to groupsnap
 * never move.
 */
class MountSwitchTest {
  /** Old and restored data share some names and not others: 4 old entries, 4 restored, 8 renames each way. */
  static final Map<String, String> OLD = Map.of("table", "old rows", "sub/index", "old index", "wal/0002", "late",
      "only-old", "o");
  static final Map<String, String> RESTORED = Map.of("table", "rows of the cut", "sub/index", "index of the cut",
      "sub/more", "x", "only-cut/a", "c", "wal/0001", "early");
  /** Never moves: the file system's and groupsnap's own. */
  static final Map<String, String> KEPT = Map.of("lost+found/#12", "fsck", ".groupsnap/db/gs-0/x", "capture");

  @TempDir Path tmp;
  Path mount;
  /** The journal standing in: what was saved, and how often. */
  MountSwitch.Plan saved;
  int saves;

  final MountSwitch.Plans plans = new MountSwitch.Plans() {
    @Override
    public Optional<MountSwitch.Plan> load() {
      return Optional.ofNullable(saved);
    }

    @Override
    public void save(MountSwitch.Plan p) {
      saved = p;
      saves++;
    }
  };

  @BeforeEach
  void mount() throws Exception {
    mount = tmp.resolve("mnt");
    VolumeSwitchTest.write(mount, OLD);
    VolumeSwitchTest.write(mount, KEPT);
  }

  MountSwitch staged(VolumeSwitch.Between between) throws IOException {
    MountSwitch s = MountSwitch.inside(mount, "rs-1", plans, between);
    VolumeSwitchTest.write(s.staged(), RESTORED);
    VolumeSwitchTest.write(s.staged(), Map.of("lost+found/x", "from the capture"));
    return s;
  }

  /** Throws after the k-th rename (an agent killed there); counts all renames. */
  static final class CrashAfter implements VolumeSwitch.Between {
    int k;
    int done;

    CrashAfter(int k) {
      this.k = k;
    }

    @Override
    public void renamed() throws IOException {
      if (++done == k) {
        throw new IOException("agent killed after rename " + k);
      }
    }
  }

  /** The mount's files without the kept and hidden entries. */
  Map<String, String> data() throws IOException {
    Map<String, String> out = new TreeMap<>(VolumeSwitchTest.read(mount));
    out.keySet().removeIf(k -> k.startsWith("lost+found/") || k.startsWith(".groupsnap"));
    return out;
  }

  void assertKept() throws IOException {
    Map<String, String> all = VolumeSwitchTest.read(mount);
    KEPT.forEach((k, v) -> assertThat(all).containsEntry(k, v));
  }

  @Test
  void forward_thenConfirm_leavesTheRestoredEntries_andNothingHidden() throws Exception {
    MountSwitch s = staged(VolumeSwitch.Between.NOTHING);
    assertThat(s.staged().getParent()).isEqualTo(mount);
    assertThat(s.state()).isEqualTo(State.OLD);
    s.forward();
    assertThat(s.state()).isEqualTo(State.NEW);
    assertThat(saved).as("the plan, journaled").isEqualTo(new MountSwitch.Plan(
        java.util.List.of("only-old", "sub", "table", "wal"), java.util.List.of("only-cut", "sub", "table", "wal")));
    assertThat(data()).isEqualTo(new TreeMap<>(RESTORED));
    assertThat(VolumeSwitchTest.read(s.replaced())).isEqualTo(new TreeMap<>(OLD));
    assertKept();
    s.forward();
    assertThat(saves).as("repeating is harmless and journals nothing").isEqualTo(1);
    s.confirm();
    assertThat(s.state()).isEqualTo(State.SETTLED);
    assertThat(data()).isEqualTo(new TreeMap<>(RESTORED));
    assertKept();
    try (Stream<Path> top = Files.list(mount)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("table", "sub", "wal",
          "only-cut", "lost+found", ".groupsnap");
    }
  }

  @Test
  void back_thenDiscard_leavesTheOldEntries_andNothingHidden() throws Exception {
    MountSwitch s = staged(VolumeSwitch.Between.NOTHING);
    s.forward();
    Files.writeString(mount.resolve("made-after-start"), "new"); // written by the application once started
    s.back();
    assertThat(s.state()).isEqualTo(State.OLD);
    assertThat(data()).isEqualTo(new TreeMap<>(OLD));
    assertThat(VolumeSwitchTest.read(s.staged())).containsAllEntriesOf(RESTORED)
        .containsEntry("made-after-start", "new");
    s.discardStaged();
    assertThat(s.state()).isEqualTo(State.SETTLED);
    assertThat(data()).isEqualTo(new TreeMap<>(OLD));
    assertKept();
  }

  @ParameterizedTest(name = "killed after rename {0} of 8")
  @ValueSource(ints = {1, 2, 4, 5, 7, 8})
  void aForwardCutAfterAnyRename_isFinishedForward_orPutBack(int k) throws Exception {
    MountSwitch s = staged(new CrashAfter(k));
    assertThatThrownBy(s::forward).hasMessageContaining("killed");
    assertThat(s.state()).isEqualTo(State.HALF);
    MountSwitch restarted = MountSwitch.inside(mount, "rs-1", plans, VolumeSwitch.Between.NOTHING);
    restarted.forward();
    assertThat(restarted.state()).isEqualTo(State.NEW);
    assertThat(data()).isEqualTo(new TreeMap<>(RESTORED));
    assertThat(VolumeSwitchTest.read(s.replaced())).isEqualTo(new TreeMap<>(OLD));
    assertKept();

    // the same cut, decided the other way
    restarted.back();
    MountSwitch again = staged2(new CrashAfter(k));
    assertThatThrownBy(again::forward).hasMessageContaining("killed");
    MountSwitch.inside(mount, "rs-1", plans, VolumeSwitch.Between.NOTHING).back();
    assertThat(again.state()).isEqualTo(State.OLD);
    assertThat(data()).isEqualTo(new TreeMap<>(OLD));
    assertThat(VolumeSwitchTest.read(again.staged())).containsAllEntriesOf(RESTORED);
    assertKept();
  }

  @ParameterizedTest(name = "killed after rename {0} of 8")
  @ValueSource(ints = {1, 3, 4, 6, 8})
  void aBackCutAfterAnyRename_isFinishedBack_orForwardAgain(int k) throws Exception {
    MountSwitch s = staged(VolumeSwitch.Between.NOTHING);
    s.forward();
    MountSwitch crashing = MountSwitch.inside(mount, "rs-1", plans, new CrashAfter(k));
    assertThatThrownBy(crashing::back).hasMessageContaining("killed");
    assertThat(s.state()).isEqualTo(State.HALF);
    s.back();
    assertThat(s.state()).isEqualTo(State.OLD);
    assertThat(data()).isEqualTo(new TreeMap<>(OLD));

    s.forward();
    assertThatThrownBy(MountSwitch.inside(mount, "rs-1", plans, new CrashAfter(k))::back)
        .hasMessageContaining("killed");
    s.forward();
    assertThat(s.state()).isEqualTo(State.NEW);
    assertThat(data()).isEqualTo(new TreeMap<>(RESTORED));
    assertThat(VolumeSwitchTest.read(s.replaced())).isEqualTo(new TreeMap<>(OLD));
    assertKept();
  }

  @Test
  void aHalfSwitchWithoutAJournaledPlan_isNotGuessed() throws Exception {
    MountSwitch s = staged(new CrashAfter(3));
    assertThatThrownBy(s::forward).hasMessageContaining("killed");
    saved = null;
    assertThatThrownBy(MountSwitch.inside(mount, "rs-1", plans, VolumeSwitch.Between.NOTHING)::forward)
        .hasMessageContaining("no plan");
    assertThatThrownBy(MountSwitch.inside(mount, "rs-1", plans, VolumeSwitch.Between.NOTHING)::back)
        .hasMessageContaining("no plan");
  }

  @Test
  void confirmBeforeTheSwitch_andDiscardAfterIt_areRefused() throws Exception {
    MountSwitch s = staged(VolumeSwitch.Between.NOTHING);
    assertThatThrownBy(s::confirm).hasMessageContaining("not switched");
    s.forward();
    assertThatThrownBy(s::discardStaged).hasMessageContaining("switch back");
    assertThat(data()).isEqualTo(new TreeMap<>(RESTORED));
  }

  /** The switch back to OLD left the staged entries in place: the same switch, ready to go again. */
  private MountSwitch staged2(VolumeSwitch.Between between) {
    return MountSwitch.inside(mount, "rs-1", plans, between);
  }
}
