package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.restore.VolumeSwitch.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The switch of an in-place restore on a real file system: after a crash between its two renames, in either
 * direction, the volume can be finished forward or put back, and is then wholly the restored tree or wholly the old
 * one (G6 on one member); the replaced tree stays until confirmed.
 */
class VolumeSwitchTest {
  @TempDir Path tmp;
  Path live;
  static final Map<String, String> OLD = Map.of("table", "old rows", "sub/index", "old index");
  static final Map<String, String> RESTORED = Map.of("table", "rows of the cut", "sub/index", "index of the cut",
      "sub/only-in-cut", "x");

  @BeforeEach
  void volume() throws Exception {
    live = tmp.resolve("data");
    write(live, OLD);
  }

  static void write(Path dir, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
  }

  static Map<String, String> read(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readString(p));
      }
    }
    return out;
  }

  VolumeSwitch staged(VolumeSwitch.Between between) throws IOException {
    VolumeSwitch s = VolumeSwitch.beside(live, "rs-1", between);
    write(s.staged(), RESTORED);
    return s;
  }

  static VolumeSwitch.Between crash() {
    return () -> {
      throw new IOException("agent killed between the renames");
    };
  }

  @Test
  void forward_thenConfirm_leavesTheRestoredTree_andNothingAside() throws Exception {
    VolumeSwitch s = staged(VolumeSwitch.Between.NOTHING);
    assertThat(s.staged().getParent()).as("staged beside the live tree, on its file system").isEqualTo(tmp);
    assertThat(s.state()).isEqualTo(State.OLD);
    s.forward();
    assertThat(s.state()).isEqualTo(State.NEW);
    assertThat(read(live)).isEqualTo(new TreeMap<>(RESTORED));
    assertThat(read(s.replaced())).as("the old data kept until confirmed").isEqualTo(new TreeMap<>(OLD));
    s.forward();
    assertThat(s.state()).as("repeating is harmless").isEqualTo(State.NEW);
    s.confirm();
    assertThat(s.state()).isEqualTo(State.SETTLED);
    assertThat(read(live)).isEqualTo(new TreeMap<>(RESTORED));
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).containsExactly(live);
    }
  }

  @Test
  void aCrashBetweenTheRenamesForward_isFinishedEitherWay_wholly() throws Exception {
    VolumeSwitch crashing = staged(crash());
    assertThatThrownBy(crashing::forward).hasMessageContaining("killed");
    VolumeSwitch restarted = VolumeSwitch.beside(live, "rs-1");
    assertThat(restarted.state()).isEqualTo(State.HALF);
    assertThat(live).doesNotExist();

    restarted.forward(); // the record said SWITCHING: finish forward
    assertThat(read(live)).isEqualTo(new TreeMap<>(RESTORED));
    restarted.back(); // then an operator's rollback
    assertThat(restarted.state()).isEqualTo(State.OLD);
    assertThat(read(live)).isEqualTo(new TreeMap<>(OLD));
    assertThat(read(restarted.staged())).isEqualTo(new TreeMap<>(RESTORED));
    restarted.discardStaged();
    assertThat(restarted.state()).isEqualTo(State.SETTLED);
    assertThat(read(live)).isEqualTo(new TreeMap<>(OLD));
  }

  @Test
  void aCrashBetweenTheRenamesForward_isPutBack_whenTheLeaderCancelled() throws Exception {
    assertThatThrownBy(staged(crash())::forward).hasMessageContaining("killed");
    VolumeSwitch restarted = VolumeSwitch.beside(live, "rs-1");
    restarted.back();
    assertThat(restarted.state()).isEqualTo(State.OLD);
    assertThat(read(live)).isEqualTo(new TreeMap<>(OLD));
    restarted.discardStaged();
    assertThat(restarted.state()).isEqualTo(State.SETTLED);
  }

  @Test
  void aCrashBetweenTheRenamesOfARollback_isFinishedEitherWay_wholly() throws Exception {
    VolumeSwitch s = staged(VolumeSwitch.Between.NOTHING);
    s.forward();
    VolumeSwitch crashing = VolumeSwitch.beside(live, "rs-1", crash());
    assertThatThrownBy(crashing::back).hasMessageContaining("killed");
    VolumeSwitch restarted = VolumeSwitch.beside(live, "rs-1");
    assertThat(restarted.state()).isEqualTo(State.HALF);
    restarted.back();
    assertThat(read(live)).isEqualTo(new TreeMap<>(OLD));

    assertThatThrownBy(crashing::forward).hasMessageContaining("killed");
    restarted.forward();
    assertThat(read(live)).isEqualTo(new TreeMap<>(RESTORED));
  }

  @Test
  void refusals_neverLoseData() throws Exception {
    VolumeSwitch s = staged(VolumeSwitch.Between.NOTHING);
    assertThatThrownBy(s::confirm).hasMessageContaining("not switched");
    s.forward();
    assertThatThrownBy(s::discardStaged).hasMessageContaining("switch back before discarding");
    s.confirm();
    assertThatThrownBy(s::back).hasMessageContaining("the replaced data is gone");
    assertThat(read(live)).isEqualTo(new TreeMap<>(RESTORED));

    Files.move(live, tmp.resolve("elsewhere"));
    assertThatThrownBy(s::state).hasMessageContaining("in no state it can leave: live missing, staged missing, "
        + "replaced missing");
  }
}
