package io.groupsnap.agent.volume.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.fakes.FakeLvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The switch of an lvm volume cut at every command that changes something, in either direction, then finished
 * forward or back from what {@code lvs}, {@code findmnt} and the journaled merge say: each ends wholly on the cut
 * (NEW) or wholly on the previous data (OLD), the capture holding the cut either way, and asked again does nothing.
 */
class LvmInPlaceTest {
  static final String VG = "vg0";
  static final String LV = "data";
  static final String CAPTURE = "data-gs-gs-1";
  static final String OLDER = "data-gs-gs-0";
  static final String ASIDE = "data-gs-aside-r-1";
  static final Path LIVE = Path.of("/srv/data");

  /** The journal's record of the last merge, in memory. */
  static final class Journal implements LvmInPlace.Merges {
    String last;

    @Override
    public String last() {
      return last;
    }

    @Override
    public void started(String merge) {
      last = merge;
    }
  }

  final FakeLvm lvm = new FakeLvm(VG, 4L << 20, 400).origin(LV, 100, "old", LIVE.toString())
      .snapshot(OLDER, LV, 10, "older").snapshot(CAPTURE, LV, 10, "cut");
  final Journal journal = new Journal();
  final String firstCapture = lvm.uuid(CAPTURE);

  private LvmInPlace sw() throws IOException {
    return LvmInPlace.of("data", new LvmInPlace.Spec(VG, LV, "10%ORIGIN", "ext4", "rw,noatime"), "gs-1", "r-1",
        LIVE, lvm.runner, journal, false);
  }

  private List<String> changes() {
    return lvm.runner.calls().stream().map(c -> Path.of(c.get(0)).getFileName().toString())
        .filter(t -> !List.of("lvs", "vgs", "findmnt").contains(t)).toList();
  }

  private void assertNew() throws IOException {
    assertThat(sw().where()).isEqualTo(LvmInPlace.Where.NEW);
    assertThat(lvm.content(LV)).isEqualTo("cut");
    assertThat(lvm.content(ASIDE)).isEqualTo("old");
    assertThat(lvm.content(CAPTURE)).isEqualTo("cut");
    assertThat(lvm.uuid(CAPTURE)).isNotEqualTo(firstCapture);
    assertThat(lvm.content(OLDER)).isEqualTo("older");
    assertThat(lvm.mounted(LIVE.toString())).isTrue();
    assertThat(lvm.merging(LV)).isFalse();
  }

  private void assertOld() throws IOException {
    assertThat(sw().where()).isEqualTo(LvmInPlace.Where.OLD);
    assertThat(lvm.content(LV)).isEqualTo("old");
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(lvm.content(CAPTURE)).isEqualTo("cut");
    assertThat(lvm.content(OLDER)).isEqualTo("older");
    assertThat(lvm.mounted(LIVE.toString())).isTrue();
    assertThat(lvm.merging(LV)).isFalse();
  }

  @ParameterizedTest(name = "{0} cut at {1} #{2} (merges deferred: {3}), then {4}")
  @CsvSource({
      "forward, lvcreate, 0, false, forward", "forward, lvcreate, 0, false, back",
      "forward, lvconvert, 0, false, forward", "forward, lvconvert, 0, false, back",
      "forward, lvchange, 0, true, forward", "forward, lvchange, 0, true, back",
      "forward, lvcreate, 1, false, forward", "forward, lvcreate, 1, false, back",
      "forward, mount, 0, false, forward", "forward, mount, 0, false, back",
      "back, lvconvert, 0, false, forward", "back, lvconvert, 0, false, back",
      "back, lvchange, 0, true, forward", "back, lvchange, 0, true, back",
      "back, mount, 0, false, forward", "back, mount, 0, false, back"})
  void aSwitchCutAnywhere_readsHalf_andFinishesEitherWay(String going, String tool, int skip, boolean defer,
      String then) throws Exception {
    if (going.equals("back")) {
      sw().forward(() -> {});
      assertNew();
    }
    lvm.deferMerges(defer);
    lvm.failOnce(tool, skip, "killed");
    LvmInPlace.Between nothing = () -> {};
    assertThatThrownBy(() -> {
      if (going.equals("forward")) {
        sw().forward(nothing);
      } else {
        sw().back(nothing);
      }
    }).hasMessageContaining("killed");
    assertThat(sw().where()).isEqualTo(LvmInPlace.Where.HALF);
    lvm.deferMerges(false);

    if (then.equals("forward")) {
      sw().forward(nothing);
      assertNew();
    } else {
      sw().back(nothing);
      assertOld();
    }
    lvm.runner.clear();
    if (then.equals("forward")) {
      sw().forward(nothing);
    } else {
      sw().back(nothing);
    }
    assertThat(changes()).as("asked again").isEmpty();
  }

  @Test
  void confirmRemovesOnlyTheAside_andThenReadsSettled() throws Exception {
    sw().forward(() -> {});
    lvm.runner.clear();
    sw().confirm();
    assertThat(changes()).containsExactly("lvremove");
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, CAPTURE, OLDER);
    assertThat(LvmInPlace.of("data", new LvmInPlace.Spec(VG, LV, "10%ORIGIN", "ext4", "rw,noatime"), "gs-1", "r-1",
        LIVE, lvm.runner, journal, true).where()).isEqualTo(LvmInPlace.Where.SETTLED);
  }

  /**
   * The reaper deleted the re-created capture after the switch (writers running on the cut): never re-created from
   * the data written since; the switch reads NEW, is confirmed or rolled back.
   */
  @Test
  void aCaptureDeletedAfterTheSwitch_isNeverRecreatedFromLaterData() throws Exception {
    sw().forward(() -> {});
    lvm.write(LV, "cut, then new writes");
    lvm.remove(CAPTURE);
    assertThat(sw().where()).isEqualTo(LvmInPlace.Where.NEW);
    lvm.runner.clear();
    sw().forward(() -> {});
    assertThat(changes()).isEmpty();

    sw().back(() -> {});
    assertThat(lvm.content(LV)).isEqualTo("old");
    assertThat(lvm.lvs()).containsExactlyInAnyOrder(LV, OLDER);
    assertThat(sw().where()).isEqualTo(LvmInPlace.Where.OLD);
  }

  @Test
  void aCaptureGoneBeforeTheSwitch_isNoStateToLeave() throws Exception {
    lvm.remove(CAPTURE);
    assertThatThrownBy(() -> sw().where()).hasMessageContaining("is in no state it can leave: capture " + CAPTURE
        + " missing");
    assertThatThrownBy(() -> sw().forward(() -> {})).hasMessageContaining("no state it can leave");
    assertThat(changes()).isEmpty();
  }

  @Test
  void theAsideIsNeverTakenForACapture() {
    assertThat(LvmNames.idOf(LV, LvmNames.inPlaceAside(LV, "r-1"))).isNull();
    assertThat(LvmNames.idOf(LV, CAPTURE)).isEqualTo("gs-1");
  }
}
