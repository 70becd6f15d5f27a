package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each kind's way of materializing a capture ({@link Volume#restorer}), on real file systems. */
class KindRestoreTest {
  @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.BTRFS);
  @TempDir Path tmp;

  private static Volume volume(VolumeConfig c, KindContext context) throws Exception {
    VolumeSetup<?> setup = Kinds.setUp(c);
    setup.validate(context);
    return setup.create(context);
  }

  private static Path capture(Volume v, String id) throws Exception {
    Path t = v.captureTarget(id);
    v.check(t);
    return v.capture(t);
  }

  @Test
  void btrfs_onTheSameBtrfs_isAWritableSnapshot_needingNoSpace_elsewhereACopy() throws Exception {
    LoopFs fs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
    Path data = fs.createSubvolume("data");
    Files.writeString(data.resolve("ledger"), "before");
    Files.createDirectories(data.resolve("d"));
    Files.write(data.resolve("d/blob"), new byte[4096]);
    Volume v = volume(new VolumeConfig("db", "btrfs", data, Map.of()),
        KindContext.of(tmp.resolve("snaps"), tmp.resolve("state")));
    Path c = capture(v, "gs-1");
    Files.writeString(data.resolve("ledger"), "after");

    Path target = Files.createDirectories(fs.mountPoint().resolve("restores")).resolve("db");
    Restorer r = v.restorer(c, target);
    assertThat(r.method()).isEqualTo("btrfs-snapshot");
    assertThat(r.bytesNeeded()).isZero();
    assertThat(r.bytes()).isEqualTo(6 + 4096);
    assertThat(r.materialize(target)).isEqualTo("btrfs-snapshot");
    assertThat(Trees.describe(target)).isEqualTo(Trees.describe(c));
    Files.writeString(target.resolve("ledger"), "restored and changed");
    assertThat(c.resolve("ledger")).hasContent("before");
    assertThat(data.resolve("ledger")).hasContent("after");

    Path elsewhere = Files.createDirectories(tmp.resolve("restores")).resolve("db");
    Restorer copy = v.restorer(c, elsewhere);
    assertThat(copy.method()).isEqualTo("copy");
    assertThat(copy.bytesNeeded()).isEqualTo(6 + 4096);
    copy.materialize(elsewhere);
    assertThat(Trees.describe(elsewhere)).isEqualTo(Trees.describe(c));
  }

  @Test
  void aCopyOnTheSameBtrfsButNotOfASnapshot_isAReflink() throws Exception {
    LoopFs fs = loop.create(LoopFs.Type.BTRFS, 160L << 20);
    Path data = Files.createDirectories(fs.mountPoint().resolve("plain"));
    Files.writeString(data.resolve("f"), "x".repeat(10_000));
    Volume v = volume(new VolumeConfig("plain", "dir", data, Map.of("allowUnheld", "true")),
        KindContext.of(fs.mountPoint().resolve("snaps"), tmp.resolve("state")));
    Path c = capture(v, "gs-1");
    Path target = Files.createDirectories(fs.mountPoint().resolve("restores")).resolve("plain");
    assertThat(v.restorer(c, target).materialize(target)).isEqualTo("reflink");
    assertThat(Trees.describe(target)).isEqualTo(Trees.describe(c));
  }

  @Test
  void exec_runsItsRestoreCommand_orRefusesWithoutOne() throws Exception {
    Path live = Files.createDirectories(tmp.resolve("live"));
    KindContext context = KindContext.of(tmp.resolve("snaps"), tmp.resolve("state"));
    Volume without = volume(new VolumeConfig("ext", "exec", live, Map.of(
        "create", "[\"/bin/mkdir\", \"{target}\"]", "delete", "[\"/bin/true\"]", "list", "[\"/bin/true\"]",
        "allowUnheld", "true")), context);
    Path c = capture(without, "gs-1");
    Files.writeString(c.resolve("f"), "captured by the external system");
    assertThatThrownBy(() -> without.restorer(c, tmp.resolve("r/ext"))).isInstanceOf(VolumeException.class)
        .hasMessage("volume ext (kind exec) has no restore command: add option restore to restore it");

    Volume with = volume(new VolumeConfig("ext", "exec", live, Map.of(
        "create", "[\"/bin/mkdir\", \"{target}\"]", "delete", "[\"/bin/true\"]", "list", "[\"/bin/true\"]",
        "restore", "[\"/bin/cp\", \"-a\", \"{target}\", \"{to}\"]", "allowUnheld", "true")), context);
    Path target = Files.createDirectories(tmp.resolve("r")).resolve("ext");
    Restorer r = with.restorer(c, target);
    assertThat(r.method()).isEqualTo("exec");
    assertThat(r.materialize(target)).isEqualTo("exec");
    assertThat(target.resolve("f")).hasContent("captured by the external system");
  }
}
