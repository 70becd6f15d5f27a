package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.export.ExportTarget;
import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.export.ResticTarget;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A member whose local capture is gone comes back from its restic export; a present one from the capture. */
class ExportRestoreTest {
  static final Path RESTIC = Path.of("/usr/bin/restic");
  static final String CLUSTER = RestoreManagerTest.CLUSTER;

  @TempDir Path tmp;
  DirVolume volume;
  SnapshotCatalog catalog = SnapshotCatalog.inMemory();
  ResticTarget restic;
  Path capture;
  Map<String, String> captured;
  String snapshotId;
  long bytes;

  @BeforeEach
  void setUp() throws Exception {
    assumeThat(Files.isExecutable(RESTIC)).as("restic installed").isTrue();
    Path live = Files.createDirectories(tmp.resolve("live"));
    Files.writeString(live.resolve("ledger"), "balance 100\n");
    Files.createDirectories(live.resolve("wal"));
    Files.write(live.resolve("wal/0001"), new byte[] {9, 8, 7});
    Files.createSymbolicLink(live.resolve("current"), Path.of("wal/0001"));
    volume = new DirVolume("db", live, tmp.resolve("snaps"), true, false);
    capture = volume.capture(volume.captureTarget("gs-1"));
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId("gs-1").setVolume("db").setPath(capture.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    captured = Trees.describe(capture);
    Path password = tmp.resolve("restic.pass");
    Files.writeString(password, "correct horse\n");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    restic = new ResticTarget(new ExportTargetConfig.Restic("offsite", tmp.resolve("repo").toString(), password, 0,
        true, 10, Duration.ofMinutes(5)), RESTIC, Path.of("/usr/bin/nice"), tmp.resolve("state/restic-cache"));
    ExportTarget.Result r = restic.export(new ExportTarget.Job("a1", "shop", "run-1", "gs-1", "db", capture),
        ExportTarget.Progress.NONE);
    snapshotId = r.repositorySnapshotId();
    bytes = r.bytes();
  }

  private RestoreManager manager() throws Exception {
    return new RestoreManager("a1", List.of(volume), List.of(restic), catalog,
        new EpochFence(EpochFence.Store.inMemory(), CLUSTER), new RestoreTargets(List.of(tmp.resolve("restores")),
        List.of(volume)), RestoreManager.FreeSpace.SYSTEM, 2, Clock.systemUTC());
  }

  private VolumeTarget fromExport(Path target) {
    return VolumeTarget.newBuilder().setVolume("db").setTarget(target.toString()).setExportTarget("offsite")
        .setRepositorySnapshotId(snapshotId).setExportBytes(bytes).build();
  }

  private static MemberRestore finished(RestoreManager m, String id) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> m.status(id).orElseThrow().get(0),
        r -> r.getState() != RestoreState.RESTORE_RUNNING);
  }

  @Test
  void aGoneCapture_isRestoredFromItsExport_equalToTheCapture() throws Exception {
    volume.delete(capture);
    Path target = tmp.resolve("restores/db");
    try (RestoreManager m = manager()) {
      m.start(new TxnRef(CLUSTER, 1, "gs-1"), "r1", List.of(fromExport(target)), false);
      MemberRestore done = finished(m, "r1");
      assertThat(done.getState()).as(done.getError()).isEqualTo(RestoreState.RESTORE_DONE);
      assertThat(done.getMethod()).isEqualTo("restic-restore");
      assertThat(Trees.describe(target)).isEqualTo(captured);
    }
  }

  @Test
  void aPresentCapture_isPreferredToItsExport() throws Exception {
    Path target = tmp.resolve("restores/db");
    try (RestoreManager m = manager()) {
      m.start(new TxnRef(CLUSTER, 1, "gs-1"), "r1", List.of(fromExport(target)), false);
      MemberRestore done = finished(m, "r1");
      assertThat(done.getMethod()).isIn("copy", "reflink");
      assertThat(Trees.describe(target)).isEqualTo(captured);
    }
  }

  @Test
  void aGoneCaptureWithoutAKnownExport_isRefused() throws Exception {
    volume.delete(capture);
    try (RestoreManager m = manager()) {
      assertThatThrownBy(() -> m.start(new TxnRef(CLUSTER, 1, "gs-1"), "r1", List.of(), false))
          .isInstanceOf(RestoreRefusedException.class)
          .hasMessage("agent a1 keeps no capture of volume db of group snapshot gs-1 (it is gone from its storage)"
              + " and no export of it is known");
      assertThatThrownBy(() -> m.start(new TxnRef(CLUSTER, 1, "gs-1"), "r1", List.of(fromExport(
          tmp.resolve("restores/x")).toBuilder().setExportTarget("elsewhere").build()), false))
          .hasMessageContaining("export target elsewhere is not configured on agent a1");
    }
    assertThat(tmp.resolve("restores")).doesNotExist();
  }
}
