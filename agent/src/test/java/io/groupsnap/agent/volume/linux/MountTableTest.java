package io.groupsnap.agent.volume.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
  @Test
  void parsesMountinfo_withOptionalFieldsAndEscapedSpaces() {
    List<MountTable.Mount> mounts = MountTable.parse(List.of(
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
        "98 22 7:3 / /srv/my\\040data rw,noatime shared:50 master:2 - xfs /dev/loop3 rw,attr2",
        "99 22 0:55 /data /srv/pool ro,relatime - btrfs /dev/loop4 ro,subvol=/data",
        "garbage line"));
    assertThat(mounts).hasSize(3);
    assertThat(mounts.get(1).mountPoint()).isEqualTo(Path.of("/srv/my data"));
    assertThat(mounts.get(1).fsType()).isEqualTo("xfs");
    assertThat(mounts.get(1).source()).isEqualTo("/dev/loop3");
    assertThat(mounts.get(2).root()).isEqualTo("/data");
    assertThat(mounts.get(2).readOnly()).isTrue();
    assertThat(mounts.get(0).readOnly()).isFalse();
  }

  @Test
  void findsTheMountOfAPath_andTheMountAtAPath() throws Exception {
    assertThat(MountTable.containing(Path.of("/proc/self"))).hasValueSatisfying(m ->
        assertThat(m.fsType()).isEqualTo("proc"));
    assertThat(MountTable.at(Path.of("/proc"))).isPresent();
    assertThat(MountTable.at(Path.of("/proc/self"))).isEmpty();
  }
}
