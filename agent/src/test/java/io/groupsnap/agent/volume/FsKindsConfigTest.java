package io.groupsnap.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The btrfs and fsfreeze kinds as an operator writes them: YAML, with one-line errors. */
class FsKindsConfigTest {
  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.EXT4, LoopFs.Type.BTRFS);
  @TempDir Path tmp;
  LoopFs ext4;

  @BeforeEach
  void setUp() throws Exception {
    ext4 = loop.create(LoopFs.Type.EXT4, 32L << 20);
  }

  private String yaml(String kind, Path path, String options) {
    return "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: db\n    kind: " + kind
        + "\n    path: " + path + "\n" + (options.isEmpty() ? "" : "    options:\n" + options);
  }

  @Test
  void anFsfreezeVolumeWithACaptureCommand_loadsFromYaml_andCaptures() throws Exception {
    Files.writeString(ext4.mountPoint().resolve("f"), "v1");
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml("fsfreeze", ext4.mountPoint(),
        "      capture: command\n      command: [/bin/cp, -a, \"{path}\", \"{target}\"]\n      commandTimeout: 20s\n"));
    Volume v = Kinds.setUp(c.volumes().get(0)).create(KindContext.of(c.snapshotRoot(), tmp));
    Path target = v.captureTarget("gs-1");
    v.check(target);
    Volume.Frozen frozen = v.freeze();
    try {
      v.capture(target);
    } finally {
      frozen.thaw();
    }
    assertThat(Files.readString(target.resolve("f"))).isEqualTo("v1");
  }

  @Test
  void errors_areOneLine_namingTheFieldAndTheReason() throws Exception {
    Path sub = Files.createDirectories(ext4.mountPoint().resolve("sub"));
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", yaml("fsfreeze", sub, "")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("agent.yaml: volumes[0].path: " + sub + " is not a mount point (it is inside the ext4 file system "
            + "mounted at " + ext4.mountPoint() + "): fsfreeze freezes a whole file system, so path must be its mount "
            + "point");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", yaml("fsfreeze", ext4.mountPoint(),
        "      capture: tape\n")))
        .hasMessage("agent.yaml: volumes[0].options.capture: unknown capture 'tape' (known: copy, reflink, command)");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", yaml("fsfreeze", ext4.mountPoint(),
        "      capture: command\n      command: [/bin/cp, \"--target-directory={target}\", \"{path}\"]\n")))
        .hasMessageStartingWith("agent.yaml: volumes[0].options.command: argument 1 ('--target-directory={target}'): "
            + "placeholders are replaced as whole arguments only");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", yaml("btrfs", ext4.mountPoint(), "")))
        .hasMessage("agent.yaml: volumes[0].path: " + ext4.mountPoint() + " is on ext4, not btrfs (kind btrfs "
            + "snapshots btrfs subvolumes; use kind fsfreeze for ext4)");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", yaml("btrfs", ext4.mountPoint(), "      size: 1G\n")))
        .hasMessage("agent.yaml: volumes[0].options.size: unknown option for kind btrfs (known: minFreePercent, "
            + "snapshotDir, snapshotMethod)");
  }

  @Test
  void aBtrfsSubvolume_loadsFromYaml() throws Exception {
    LoopFs btrfs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
    Path data = btrfs.createSubvolume("data");
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml("btrfs", data, "      snapshotMethod: tool\n"));
    assertThat(c.volumes().get(0).options()).containsEntry("snapshotMethod", "tool");
  }
}
