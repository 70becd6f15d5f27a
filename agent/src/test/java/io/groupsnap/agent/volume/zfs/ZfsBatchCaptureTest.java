package io.groupsnap.agent.volume.zfs;

import static io.groupsnap.agent.fakes.RecordingCommandRunner.bin;
import static io.groupsnap.agent.fakes.RecordingCommandRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.fakes.RecordingCommandRunner;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.Capture;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Through the participant: every zfs volume of one pool is captured by one {@code zfs snapshot}, one per pool. */
class ZfsBatchCaptureTest {
  static final Duration LEASE = Duration.ofSeconds(10);
  static final TxnRef TXN = new TxnRef("c-1", 1, "gs-1");

  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  RecordingCommandRunner zfs;
  Participant participant;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path probe = Files.createDirectories(tmp.resolve("host/sys/module/zfs"));
    zfs = new RecordingCommandRunner().installs("zfs", "zpool")
        .on(ZfsVolumeTest.pool("tank"), ok("ONLINE\t214748364800\n"))
        .on(ZfsVolumeTest.pool("backup"), ok("DEGRADED\t914748364800\n"));
    List<Volume> volumes = List.of(volume("db", "tank/db"), volume("wal", "tank/db/wal"),
        volume("archive", "backup/archive"));
    participant = new Participant("a1", volumes, List.of(), SnapshotCatalog.onDisk(tmp.resolve("state")),
        new EpochFence(tmp.resolve("state"), "c-1"), tmp.resolve("snaps"), Duration.ofSeconds(60), scheduler,
        Clock.systemUTC());
  }

  private Volume volume(String name, String dataset) throws Exception {
    Path mnt = Files.createDirectories(tmp.resolve("mnt").resolve(name));
    zfs.on(ZfsVolumeTest.get(dataset), ok(ZfsVolumeTest.props(mnt)));
    return new ZfsVolume(name, mnt, dataset, true, Duration.ofSeconds(30), zfs, tmp.resolve("host"));
  }

  @AfterEach
  void tearDown() {
    participant.releaseAll();
    scheduler.shutdownNow();
  }

  @Test
  void freeze_snapshotsEachPoolOnce_withAllItsDatasets() throws Exception {
    PrepareResult p = participant.prepare(TXN, List.of(), LEASE);
    assertThat(p.ok()).as(p.reason()).isTrue();
    zfs.clear();
    FreezeResult f = participant.freeze(TXN, LEASE);
    assertThat(f.frozen()).as(f.reason()).isTrue();
    assertThat(zfs.calls()).containsExactly(
        List.of(bin("zfs"), "snapshot", "tank/db@gs-gs-1", "tank/db/wal@gs-gs-1"),
        List.of(bin("zfs"), "snapshot", "backup/archive@gs-gs-1"));
    assertThat(f.captures()).extracting(Capture::volume, Capture::path).containsExactly(
        org.assertj.core.groups.Tuple.tuple("db", tmp.resolve("mnt/db/.zfs/snapshot/gs-gs-1")),
        org.assertj.core.groups.Tuple.tuple("wal", tmp.resolve("mnt/wal/.zfs/snapshot/gs-gs-1")),
        org.assertj.core.groups.Tuple.tuple("archive", tmp.resolve("mnt/archive/.zfs/snapshot/gs-gs-1")));
    assertThat(participant.thaw(TXN).unbroken()).isTrue();
    assertThat(participant.commit(TXN)).isEqualTo(3);

    // deleting the group snapshot destroys each dataset's own snapshot
    zfs.on(ZfsVolumeTest.list("tank/db"), ok("tank/db@gs-gs-1\t1795395905\n"))
        .on(ZfsVolumeTest.list("tank/db/wal"), ok("tank/db/wal@gs-gs-1\t1795395905\n"))
        .on(ZfsVolumeTest.list("backup/archive"), ok("backup/archive@gs-gs-1\t1795395905\n"));
    zfs.clear();
    assertThat(participant.deleteSnapshot(TXN)).isEqualTo(3);
    assertThat(zfs.calls()).filteredOn(c -> c.get(1).equals("destroy")).containsExactlyInAnyOrder(
        List.of(bin("zfs"), "destroy", "tank/db@gs-gs-1"),
        List.of(bin("zfs"), "destroy", "tank/db/wal@gs-gs-1"),
        List.of(bin("zfs"), "destroy", "backup/archive@gs-gs-1"));
  }

  @Test
  void aVolumeLeftOutOfTheTransaction_isLeftOutOfItsPoolsCommand() throws Exception {
    assertThat(participant.prepare(TXN, List.of("wal", "archive"), LEASE).ok()).isTrue();
    zfs.clear();
    assertThat(participant.freeze(TXN, LEASE).frozen()).isTrue();
    assertThat(zfs.calls()).containsExactly(
        List.of(bin("zfs"), "snapshot", "tank/db/wal@gs-gs-1"),
        List.of(bin("zfs"), "snapshot", "backup/archive@gs-gs-1"));
  }
}
