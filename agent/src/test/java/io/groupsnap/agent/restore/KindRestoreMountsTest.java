package io.groupsnap.agent.restore;

import static io.groupsnap.agent.fakes.RecordingCommandRunner.bin;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.exit;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.fakes.RecordingCommandRunner;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.CaptureTree;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.lvm.LvmSnapshotSize;
import io.groupsnap.agent.volume.lvm.LvmVolume;
import io.groupsnap.agent.volume.zfs.ZfsVolume;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores and test restores of the kinds whose restores are mounts (a ZFS clone, an LVM overlay), through the
 * restore manager, against stand-in tools that keep state: a clone or mount shows the capture's files at its mount
 * point, and goes away only when the kind takes it down. Proves the copy is made at the target itself and that a test
 * restore's removal runs the kind's commands, not a recursive delete.
 */
class KindRestoreMountsTest {
  static final String CLUSTER = "6f1c1a0e-0000-4000-8000-000000000001";
  static final String GS = "gs-20261122-010505-a1b2c3";

  @TempDir Path tmp;
  Path roots;
  Path files;
  SnapshotCatalog catalog = SnapshotCatalog.inMemory();
  FakeStorage tools;
  RestoreManager manager;

  @BeforeEach
  void setUp() throws IOException {
    roots = tmp.resolve("restores");
    files = Files.createDirectories(tmp.resolve("captured"));
    Files.writeString(files.resolve("ledger"), "balance 100\n");
    Files.createDirectories(files.resolve("wal"));
    Files.write(files.resolve("wal/0001"), new byte[] {0, 1, 2});
    Files.createDirectories(tmp.resolve("host/dev/mapper"));
    Files.createFile(tmp.resolve("host/dev/zfs"));
    Files.createFile(tmp.resolve("host/dev/mapper/control"));
    tools = new FakeStorage(files);
  }

  @AfterEach
  void tearDown() {
    if (manager != null) {
      manager.close();
    }
  }

  private ZfsVolume zfsVolume() throws IOException {
    Path mnt = Files.createDirectories(tmp.resolve("tank/data"));
    Files.createDirectories(mnt.resolve(".zfs/snapshot/gs-" + GS));
    tools.recorder.on(List.of(bin("zfs"), "list", "-H", "-t", "snapshot"), ok("tank/data@gs-" + GS + "\t1795309505\n"))
        .on(List.of(bin("zfs"), "list", "-H", "-p", "-t", "snapshot"), ok("tank/data@gs-" + GS + "\t4096\n"))
        .on(List.of(bin("zfs"), "list", "-H", "-p", "-o", "name,available", "tank"), ok("tank\t102005473280\n"));
    return keep(new ZfsVolume("data", mnt, "tank/data", true, Duration.ofSeconds(30), tools, tmp.resolve("host")));
  }

  private LvmVolume lvmVolume() throws IOException {
    String capture = "data-gs-" + GS;
    tools.recorder.on(List.of(bin("lvs"), "--noheadings", "--separator"), ok("  " + capture + "|1795309505|data\n"))
        .on(List.of(bin("lvs"), "--noheadings", "--nosuffix"), ok("  data|owi-aos---|10737418240|\n  " + capture
            + "|sri-a-s---|1073741824|data\n"))
        .on(List.of(bin("vgs")), ok("  vg0|4194304|25599|2560\n"))
        .on(List.of(bin("blkid")), ok("ext4\n"));
    return keep(new LvmVolume("db", tmp.resolve("live"), "vg0", "data", LvmSnapshotSize.parse("10%ORIGIN"),
        Duration.ofSeconds(60), tools, tmp.resolve("host")));
  }

  private <V extends Volume> V keep(V v) throws IOException {
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId(GS).setVolume(v.name())
        .setPath(v.captureTarget(GS).toString()).setState(LocalSnapshotState.LOCAL_KEPT).build());
    return v;
  }

  private MemberRestore run(Volume v, String restoreId, boolean verify) throws Exception {
    manager = new RestoreManager("a1", List.of(v), catalog, new EpochFence(EpochFence.Store.inMemory(), CLUSTER),
        new RestoreTargets(List.of(roots), List.of(v)), dir -> Long.MAX_VALUE, 1, Clock.systemUTC());
    manager.start(new TxnRef(CLUSTER, 3, GS), restoreId, List.of(), false, verify);
    return await().atMost(Duration.ofSeconds(30)).until(() -> manager.status(restoreId).orElseThrow().get(0),
        m -> m.getState() != RestoreState.RESTORE_RUNNING);
  }

  @Test
  void zfs_aRestoreIsAClone_mountedAtTheTarget() throws Exception {
    MemberRestore m = run(zfsVolume(), "r1", false);
    assertThat(m.getState()).as(m.getError()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(m.getMethod()).isEqualTo("zfs-clone");
    assertThat(m.getBytes()).isEqualTo(4096);
    Path target = Path.of(m.getPath());
    assertThat(tools.mounts).containsValue(target);
    assertThat(target.resolve("ledger")).hasContent("balance 100");
    assertThat(target.resolveSibling("." + target.getFileName() + ".restoring")).doesNotExist();
  }

  @Test
  void zfs_aTestRestore_verifiesTheClone_thenDestroysIt() throws Exception {
    MemberRestore m = run(zfsVolume(), "verify-1", true);
    assertThat(m.getState()).as(m.getError()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(m.getScratchRemoved()).isTrue();
    assertThat(tools.recorder.calls()).anyMatch(c -> c.size() == 3 && c.get(1).equals("destroy")
        && c.get(2).startsWith("tank/data-restore-"));
    assertThat(tools.mounts).isEmpty();
    assertThat(roots.toFile().list()).isEmpty();
    assertThat(files.resolve("ledger")).exists();
  }

  @Test
  void lvm_aTestRestore_mountsAnOverlay_verifiesIt_thenTakesItDown() throws Exception {
    MemberRestore m = run(lvmVolume(), "verify-1", true);
    assertThat(m.getState()).as(m.getError()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(m.getMethod()).isEqualTo("lvm-snapshot");
    assertThat(m.getVerification()).as(m.getVerificationReason()).isEqualTo(Verification.VERIFIED);
    assertThat(m.getScratchRemoved()).isTrue();
    List<String> tail = tools.recorder.calls().stream().map(c -> Path.of(c.get(0)).getFileName() + " " + c.get(1))
        .toList();
    assertThat(tail).containsSubsequence("lvcreate --yes", "dmsetup create", "mount -t", "dmsetup info", "umount "
        + m.getPath(), "dmsetup remove", "lvremove -y");
    assertThat(tools.mounts).isEmpty();
    assertThat(tools.lvs).isEmpty();
    assertThat(roots.toFile().list()).isEmpty();
  }

  @Test
  void aKilledAgentsScratchClone_isDestroyedByTheNextAgent() throws Exception {
    ZfsVolume v = zfsVolume();
    Path scratch = new RestoreTargets(List.of(roots), List.of(v)).scratchTarget("verify-9", "data");
    Files.createDirectories(scratch.getParent());
    v.restorer(v.captureTarget(GS), scratch).materialize(scratch); // what the killed agent left
    assertThat(tools.mounts).containsValue(scratch);

    manager = new RestoreManager("a1", List.of(v), catalog, new EpochFence(EpochFence.Store.inMemory(), CLUSTER),
        new RestoreTargets(List.of(roots), List.of(v)), dir -> Long.MAX_VALUE, 1, Clock.systemUTC());

    assertThat(tools.mounts).isEmpty();
    assertThat(roots.toFile().list()).isEmpty();
  }

  /**
   * Stand-in ZFS, LVM and mount tools with state: {@code zfs clone} and {@code mount} put the captured files at the
   * mount point, {@code zfs destroy} and {@code umount} take them away; everything else is answered by the recorder.
   */
  static final class FakeStorage implements CommandRunner {
    final RecordingCommandRunner recorder = new RecordingCommandRunner().installs("zfs", "zpool", "lvcreate",
        "lvremove", "lvs", "vgs", "dmsetup", "blkid", "mount", "umount");
    /** Mounted clones and overlays by name. */
    final Map<String, Path> mounts = new ConcurrentHashMap<>();
    final Set<String> lvs = ConcurrentHashMap.newKeySet();
    final Set<String> devices = ConcurrentHashMap.newKeySet();
    private final Path files;

    FakeStorage(Path files) {
      this.files = files;
    }

    @Override
    public Result run(List<String> argv, Duration timeout) throws IOException {
      Result recorded = recorder.run(argv, timeout);
      String tool = Path.of(argv.get(0)).getFileName().toString();
      String last = argv.get(argv.size() - 1);
      switch (tool + " " + argv.get(1)) {
        case "zfs clone" -> mount(last, Path.of(argv.get(3).substring("mountpoint=".length())));
        case "zfs get" -> {
          return ok(mounts.containsKey(last) ? "yes\n" : "no\n");
        }
        case "zfs list" -> {
          if (last.contains("-restore-")) {
            return mounts.containsKey(last) ? ok(last + "\ttank/data@gs-" + GS + "\n")
                : exit(1, "cannot open '" + last + "': dataset does not exist");
          }
        }
        case "zfs destroy" -> unmount(last);
        case "lvcreate --yes" -> lvs.add(argv.get(3));
        case "lvremove -y" -> lvs.remove(last.substring("vg0/".length()));
        case "dmsetup create" -> devices.add(argv.get(2));
        case "dmsetup remove" -> devices.remove(last);
        case "dmsetup info" -> {
          return !devices.contains(last) ? exit(1, "Device does not exist.")
              : ok(mounts.containsKey(last) ? "1\n" : "0\n");
        }
        case "mount -t" -> mount(argv.get(argv.size() - 2).substring("/dev/mapper/".length()), Path.of(last));
        default -> { }
      }
      if (tool.equals("umount")) {
        mounts.entrySet().stream().filter(e -> e.getValue().equals(Path.of(last))).map(Map.Entry::getKey).findFirst()
            .ifPresent(this::unmount);
      }
      if (tool.equals("lvs") && argv.contains("lv_name")) {
        return ok(String.join("\n", lvs) + "\n");
      }
      return recorded;
    }

    private void mount(String name, Path at) throws IOException {
      Files.createDirectories(at);
      CaptureTree.copy(files, at.resolve("x"), CaptureTree.Mode.COPY, null);
      try (var s = Files.list(at.resolve("x"))) {
        for (Path p : s.toList()) {
          Files.move(p, at.resolve(p.getFileName()));
        }
      }
      Files.delete(at.resolve("x"));
      mounts.put(name, at);
    }

    private void unmount(String name) {
      Path at = mounts.remove(name);
      try (var s = Files.list(at)) {
        for (Path p : s.toList()) {
          CaptureTree.delete(p);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public java.util.Optional<Path> which(String tool) {
      return recorder.which(tool);
    }
  }
}
